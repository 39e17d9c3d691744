#!/usr/bin/env python3
"""Data-parallel speed: configs B and C as 1 process x 1 thread, 1 process x 2 threads and
2 MPI ranks x 1 thread, interleaved over several passes; prints the best pass of each with the
tokens/s of every pass, the gradient all-reduce's time per step and its share, the verdict
agreement's time, the time a rank waited for the slower one, and the ratio to 1 process x 2 threads.

    swift build -c release --product keel-bench
    python3 Benchmarks/distributed_bench.py --passes 5 --steps 20

Needs Open MPI (apt-get install openmpi-bin). Every run is `keel-bench distributed` (see its
--help); the 2-rank runs are `mpirun -np 2 keel-bench distributed --threads 1`, each rank
training on half of the same global batch with DataParallel.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

SETUPS = [("1 process x 1 thread", 1, 1), ("1 process x 2 threads", 1, 2), ("2 ranks x 1 thread", 2, 1)]


def run(bench, config, ranks, threads, steps, warmup):
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        path = handle.name
    os.unlink(path)
    command = [bench, "distributed", "--config", config, "--threads", str(threads), "--steps", str(steps),
               "--warmup", str(warmup), "--json", path]
    environment = dict(os.environ, KEEL_NUM_THREADS=str(threads))
    if ranks > 1:
        launcher = ["mpirun", "--oversubscribe", "-np", str(ranks), "-x", f"KEEL_NUM_THREADS={threads}"]
        if os.geteuid() == 0:
            launcher.insert(1, "--allow-run-as-root")
        command = launcher + command
    subprocess.run(command, check=True, env=environment, stdout=subprocess.DEVNULL)
    with open(path) as handle:
        record = json.loads(handle.readline())
    os.unlink(path)
    return record


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--configs", default="B,C")
    parser.add_argument("--bench", default=".build/release/keel-bench")
    arguments = parser.parse_args()
    configs = arguments.configs.split(",")
    results = {}
    for index in range(arguments.passes):
        for config in configs:
            for name, ranks, threads in SETUPS:
                record = run(arguments.bench, config, ranks, threads, arguments.steps, arguments.warmup)
                results.setdefault((config, name), []).append(record)
                print(f"pass {index + 1} cfg={config} {name}: {record['tokens_per_s']:.0f} tokens/s, "
                      f"all-reduce {record['median_allreduce_ms']:.2f} ms, wait {record['median_wait_ms']:.2f} ms, "
                      f"step {record['median_step_ms']:.1f} ms", file=sys.stderr)
    print("| cfg | setup | tokens/s (best pass) | all passes | step ms | all-reduce ms/step | share | verdict ms | wait ms | vs 1×2 threads |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for config in configs:
        reference = max(r["tokens_per_s"] for r in results[(config, SETUPS[1][0])])
        for name, _, _ in SETUPS:
            records = results[(config, name)]
            best = max(records, key=lambda r: r["tokens_per_s"])
            spread = " ".join(f"{r['tokens_per_s']:.0f}" for r in records)
            print(f"| {config} | {name} | {best['tokens_per_s']:.0f} | {spread} | {best['median_step_ms']:.1f} | "
                  f"{best['median_allreduce_ms']:.2f} | {100 * best['allreduce_share']:.1f}% | {best['median_agree_ms']:.3f} | "
                  f"{best['median_wait_ms']:.2f} | {best['tokens_per_s'] / reference:.2f}x |")
    parameters = {config: results[(config, SETUPS[0][0])][0]["parameters"] for config in configs}
    print("parameters: " + ", ".join(f"{config} {count} ({4 * count / 1e6:.2f} MB of float32 gradients)" for config, count in parameters.items()))


if __name__ == "__main__":
    main()
