#!/usr/bin/env python3
"""Cost model of data-parallel training of config C on N machines (Benchmarks/DISTRIBUTED.md).

A ring all-reduce moves 2(N-1)/N of the gradient bytes through each link and takes 2(N-1)
latency-bound steps:  t_comm(N) = 2(N-1)/N * S / bandwidth + 2(N-1) * alpha.
Keel reduces after backward without overlapping it, so a step costs t_compute + t_comm.

- strong scaling (the global batch fixed at C's 32 rows): t_compute = t_1 / N;
  communication dominates from the first N with t_comm(N) > t_1 / N;
- weak scaling (32 rows per machine, global batch 32 N): t_compute = t_1, share = t_comm / (t_1 + t_comm).

    python3 Benchmarks/distributed_cost_model.py --step-ms 273 --parameters 3322497 --alpha-us 30
"""
import argparse


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--parameters", type=int, default=3322497, help="C's parameter count (keel-bench distributed prints it)")
    parser.add_argument("--step-ms", type=float, required=True, help="C's step on one machine, one core, global batch 32 (ms)")
    parser.add_argument("--alpha-us", type=float, default=30.0, help="per-message latency of one ring step (µs)")
    parser.add_argument("--gbits", default="10,25,100")
    arguments = parser.parse_args()
    size_bits = 32 * arguments.parameters
    alpha = arguments.alpha_us * 1e-6
    step = arguments.step_ms * 1e-3
    print(f"C: {arguments.parameters} parameters = {size_bits / 8e6:.2f} MB of float32 gradients; "
          f"one-machine step {arguments.step_ms:.0f} ms; alpha {arguments.alpha_us:.0f} µs per ring step")
    print()
    print("| link | t_comm N=2 | N=4 | N=8 | N=16 | N→∞ (bandwidth term) | strong scaling: comm > compute from N = | weak scaling: comm share at N=16 |")
    print("|---|---|---|---|---|---|---|---|")
    for gbit in map(float, arguments.gbits.split(",")):
        bandwidth = gbit * 1e9

        def comm(n):
            return 2 * (n - 1) / n * size_bits / bandwidth + 2 * (n - 1) * alpha

        crossover = next(n for n in range(2, 100000) if comm(n) > step / n)
        cells = " | ".join(f"{1e3 * comm(n):.1f} ms" for n in (2, 4, 8, 16))
        share = comm(16) / (step + comm(16))
        print(f"| {gbit:g} Gb/s | {cells} | {2e3 * size_bits / bandwidth:.1f} ms | {crossover} | {100 * share:.0f}% |")


if __name__ == "__main__":
    main()
