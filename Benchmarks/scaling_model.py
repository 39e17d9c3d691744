#!/usr/bin/env python3
"""A model of Keel's training step on P threads, per config A-E (issue 19).

    python3 Benchmarks/scaling_model.py [--threads 1,2,4,8,16,32] [--xeon] [--before]

The step's 1-thread time splits into four parts (measured: `perf record -g` of
`keel-bench step --config X --threads 1 --mode trainer`, inclusive samples of the C entry points,
see PERF_LOG.md):

  recurrent  the whole-sequence kernels (per-step GEMMs h W_hh^T, dz W_hh and the gate math);
             on P threads they run as tiles of row chunks x column blocks (the plan of
             recurrent_kernels.c, mirrored below), so their time is the widest tile's, plus one
             barrier per time step when the plan has column blocks;
  bulk GEMM  the weight-gradient GEMMs dW = dZ^T [h|x|1], the input gradients of upper layers,
             the head: thousands of register tiles, split over the pool at ~90% efficiency;
  elementwise Adam, the update (axpy), the clip's sums of squares, softmax cross-entropy: split in
             fixed chunks over the pool, memory bound: they stop scaling where one socket's
             bandwidth runs out (taken as 6 cores' worth);
  serial     everything else (Swift glue, tensor allocation and page faults, embedding, bias sums,
             the clip's scale): Amdahl's serial fraction.

Stacked layers (C) run as one wavefront by default (wavefront_ratio); --layer-by-layer models them
one after another, as before the wavefront.

Speed-up(P) = 1 / (f_rec * R(P) + f_bulk / (0.9 P) + f_elem / min(P, 6) + f_serial + barriers(P) / t1)
with R(P) = (widest tile's modelled cost on P threads) / (cost of the 1-thread plan). The barrier
costs 0.4 us + 0.08 us per tile (as the plan assumes) and there are T per layer forward and T per
layer backward (plus one prologue phase each). t1 is the 1-thread step time; --xeon scales the
2-core VM's times by 2 (the 16-core Xeon of the issue has about half this VM's per-core FMA peak:
132.9 against 243-267 GFLOP/s), which makes barriers relatively cheaper there.
"""
import argparse

# name: (cell gates G, layers, input, hidden, batch, seq, vocabulary)
CONFIGS = {
    "A": (4, 1, 32, 128, 32, 50, 0),
    "B": (4, 1, 64, 256, 64, 100, 0),
    "C": (4, 2, 64, 512, 32, 100, 65),
    "D": (1, 1, 2, 128, 64, 200, 0),
    "E": (3, 1, 64, 256, 64, 100, 0),
}

# 1-thread fractions of the step (recurrent, bulk GEMM, elementwise, serial) and the step time in
# ms (session 5's same-run table), measured on the 2-core VM (AVX-512) at commit 61710c3; see
# PERF_LOG.md for the commands.
MEASURED = {
    "A": ((0.573, 0.318, 0.027, 0.083), 3.7),
    "B": ((0.648, 0.329, 0.006, 0.017), 55.3),
    "C": ((0.533, 0.428, 0.014, 0.025), 273.3),
    "D": ((0.600, 0.354, 0.003, 0.043), 7.2),
    "E": ((0.630, 0.324, 0.004, 0.043), 46.4),
}

# The plan's constants (recurrent_kernels.c) and the AVX-512 register tile.
MIN_ROWS, MR, NR = 8, 8, 48
PACK, POINTWISE, BARRIER, BARRIER_PER_THREAD = 4.0, 30.0, 40000.0, 8000.0
BANDWIDTH_CORES, BULK_EFFICIENCY = 6, 0.9
# Threads the bulk GEMMs could use before issue 19: D's dW (M = 128, N = 131) had 3 column panels
# (AVX-512) and too few row panels for a row split, so 3 chunks; now a grid of row x column blocks.
BULK_CHUNKS_BEFORE = {"D": 3}


def bounds(hidden, blocks):
    panels = (hidden + NR - 1) // NR
    b = [min(hidden, (panels * i // blocks) * NR) for i in range(blocks + 1)]
    return max(b[i + 1] - b[i] for i in range(blocks))


def plan(batch, hidden, gates, k, threads, rows_only=False):
    """(row chunks, column blocks, modelled cost of the widest tile), as keel_sequence_make_plan;
    rows_only: the kernels before issue 19 (row chunks of at least 8 rows, never column blocks)."""
    by_rows = max(1, batch // MIN_ROWS)
    best = None
    for want in range(1, min(by_rows, threads) + 1):
        rows = ((batch + want - 1) // want + MR - 1) // MR * MR
        chunks = (batch + rows - 1) // rows
        nb = min(rows, batch)
        max_blocks = 1 if rows_only else max(1, min(threads // chunks, (hidden + NR - 1) // NR, 64))
        for blocks in range(1, max_blocks + 1):
            if chunks * blocks > 256:
                break
            hc = bounds(hidden, blocks)
            cost = 2.0 * nb * k * gates * hc + PACK * nb * k + POINTWISE * nb * gates * hc
            if blocks > 1:
                cost += BARRIER + BARRIER_PER_THREAD * chunks * blocks
            if best is None or cost < best[2] * 0.999:
                best = (chunks, blocks, cost)
    return best


def recurrent_ratio(cfg, threads, before=False):
    """R(P) and the barriers per step, over the layers' forward and backward kernels."""
    gates, layers, inp, hidden, batch, seq, vocab = CONFIGS[cfg]
    total1 = totalp = 0.0
    barriers = 0
    tiles = 1
    for layer in range(layers):
        k_forward = hidden if (layer == 0 and vocab) else hidden + (inp if layer == 0 else hidden) + 1
        for k in (k_forward, hidden):  # forward GEMM depth; backward: dz W_hh has depth G*H = the same form with k = H
            one = plan(batch, hidden, gates, k, 1)
            many = plan(batch, hidden, gates, k, threads, rows_only=before)
            barrier = BARRIER + BARRIER_PER_THREAD * many[0] * many[1] if many[1] > 1 else 0.0
            total1 += one[2]
            totalp += many[2] - barrier
            if many[1] > 1:
                barriers += seq + 1
            tiles = max(tiles, many[0] * many[1])
    return totalp / total1, barriers, tiles


def wavefront_ratio(cfg, threads):
    """R(P), barriers per step and tiles when a stack runs as one wavefront (recurrent_kernels.c,
    keel_*_recurrent_stack_prefers_wavefront): if every layer alone would take one column block on the same row chunks,
    the row chunks run the whole stack without barriers; otherwise each layer gets a share of the P
    threads in proportion to its GEMM work per step, all layers' tiles run side by side, and each direction takes T + L - 1 phases (one barrier
    each) as long as the slowest layer's widest tile."""
    gates, layers, inp, hidden, batch, seq, vocab = CONFIGS[cfg]
    if layers == 1:
        return recurrent_ratio(cfg, threads)
    total1 = totalp = 0.0
    barriers, tiles = 0, 0
    for direction in ("forward", "backward"):
        ks = [hidden if (l == 0 and vocab) else hidden + (inp if l == 0 else hidden) + 1 for l in range(layers)]
        if direction == "backward":
            ks = [hidden] * layers
        full = [plan(batch, hidden, gates, k, threads) for k in ks]
        total1 += sum(plan(batch, hidden, gates, k, 1)[2] for k in ks)
        if all(f[1] == 1 for f in full) and len({f[0] for f in full}) == 1:
            totalp += sum(f[2] for f in full)  # row chunks run the layers one after another, no barriers
            tiles = max(tiles, full[0][0])
            continue
        # threads in proportion to each layer's GEMM work per step (the kernel's keel_*_recurrent_stack_prefers_wavefront)
        many = [plan(batch, hidden, gates, k, max(1, int(threads * k / sum(ks)))) for k in ks]
        widest = max(m[2] - (BARRIER + BARRIER_PER_THREAD * m[0] * m[1] if m[1] > 1 else 0.0) for m in many)
        wave_tiles = sum(m[0] * m[1] for m in many)
        wave = (widest + BARRIER + BARRIER_PER_THREAD * wave_tiles) * (seq + layers - 1) / seq
        alone = sum(f[2] for f in full)
        if wave < alone:  # the kernel's choice (keel_*_recurrent_stack_prefers_wavefront): the cheaper modelled schedule
            totalp += widest * (seq + layers - 1) / seq
            barriers += seq + layers
            tiles = max(tiles, wave_tiles)
        else:
            totalp += sum(f[2] - (BARRIER + BARRIER_PER_THREAD * f[0] * f[1] if f[1] > 1 else 0.0) for f in full)
            barriers += layers * (seq + 1)
            tiles = max(tiles, max(f[0] * f[1] for f in full))
    return totalp / total1, barriers, tiles


def speedup(cfg, threads, xeon, before=False, layer_by_layer=False):
    (f_rec, f_bulk, f_elem, f_serial), t1_ms = MEASURED[cfg]
    if xeon:
        t1_ms *= 2.0
    if before or layer_by_layer:
        ratio, barriers, tiles = recurrent_ratio(cfg, threads, before)
    else:
        ratio, barriers, tiles = wavefront_ratio(cfg, threads)
    barrier_ms = barriers * (0.4 + 0.08 * tiles) / 1000.0
    usable = min(threads, BULK_CHUNKS_BEFORE.get(cfg, threads)) if before else threads
    bulk = f_bulk / (BULK_EFFICIENCY * usable) if usable > 1 else f_bulk
    elem = f_elem if before else f_elem / min(threads, BANDWIDTH_CORES)  # serial before issue 19
    t = f_rec * ratio + bulk + elem + f_serial + barrier_ms / t1_ms
    return 1.0 / t, ratio, barriers, tiles


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", default="1,2,4,8,16,32")
    ap.add_argument("--xeon", action="store_true", help="scale t1 by 2 (the issue's 16-core Xeon)")
    ap.add_argument("--before", action="store_true", help="the kernels before issue 19 (row chunks only, serial Adam/clip)")
    ap.add_argument("--layer-by-layer", action="store_true", help="stacked layers one after another (before the wavefront)")
    args = ap.parse_args()
    threads = [int(t) for t in args.threads.split(",")]
    print("| cfg | f_rec / f_bulk / f_elem / f_serial | " + " | ".join(f"{p} thr" for p in threads) + " |")
    print("|---|---|" + "---|" * len(threads))
    for cfg in CONFIGS:
        fractions = " / ".join(f"{f:.2f}" for f in MEASURED[cfg][0])
        cells = []
        for p in threads:
            s, ratio, barriers, tiles = speedup(cfg, p, args.xeon, args.before, args.layer_by_layer)
            chunks_blocks = plan(CONFIGS[cfg][4], CONFIGS[cfg][3], CONFIGS[cfg][0], CONFIGS[cfg][3], p, args.before)
            cells.append(f"{s:.1f}x ({chunks_blocks[0]}x{chunks_blocks[1]}, {barriers} bar.)")
        print(f"| {cfg} | {fractions} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
