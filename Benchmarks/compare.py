#!/usr/bin/env python3
"""Race Keel's full training step against PyTorch and JAX on configs A-E (peers.md).

Runs, in one invocation and interleaved (Keel, torch, jax, Keel, torch, jax, ... for each
config x threads, N passes), `keel-bench step --mode trainer` and the anchor scripts in
../shared/bench/anchors (by path; not copied). Each measurement is a fresh process pinned to
CPUs {0} or {0,1} (as the anchors' common.pin_threads does). Prints, per config x threads, the
best-of-N median step of each framework as tokens/s, Keel / faster peer, and max RSS (from
wait4 of each child process).

Usage (from the repository root):
    python3 Benchmarks/compare.py [--configs A,B,C,D,E] [--threads 1,2|scaling] [--passes 3]
        [--steps 25] [--warmup 5] [--no-build] [--json results.jsonl] [--fma-peak] [--keel BIN] [--baseline BIN]

--threads takes any counts (the anchors accept 1-16); `scaling` means 1, 2, 4, 8, ... up to the
CPUs this process may use, and that count. A count above that number runs oversubscribed (all
the CPUs, more threads) and is marked so. --fma-peak builds ../shared/bench/anchors/fma_peak.c
and measures the FMA peak at each thread count in every pass (best of the passes), and the tables
give each framework's GEMM GFLOP/s as a fraction of it. With more than one thread count, a second
table gives each framework's speed-up over its fewest-threads run and the parallel efficiency.

The venv .venv-bench is created on first use with
    pip install /opt/wheels/torch-2.13.0+cpu-*.whl (or torch==2.13.0+cpu) jax jaxlib optax numpy
torch: nn.LSTM/GRU/RNN with --ftz (flush denormals; oneDNN LSTM kernels are the same either
way, and D is 10x slower without it); jax: --impl scan (jit + lax.scan).
"""
import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# ../shared/bench/anchors beside a checkout; from a worktree under wt/, two levels up. KEEL_ANCHORS overrides.
_ANCHOR_CANDIDATES = [os.path.normpath(os.path.join(ROOT, *up, "shared", "bench", "anchors"))
                      for up in (("..",), ("..", ".."))]
ANCHORS = os.environ.get("KEEL_ANCHORS") or next(
    (d for d in _ANCHOR_CANDIDATES if os.path.isdir(d)), _ANCHOR_CANDIDATES[0])
VENV = os.path.join(ROOT, ".venv-bench")
PY = os.path.join(VENV, "bin", "python")
KEEL = os.path.join(ROOT, ".build", "release", "keel-bench")


def ensure_venv():
    if os.path.exists(PY):
        ok = subprocess.run([PY, "-c", "import torch, jax, optax"], capture_output=True).returncode == 0
        if ok:
            return True
    else:
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
    wheels = sorted(glob.glob("/opt/wheels/torch-2.13.0+cpu-*.whl"))
    torch_spec = wheels[-1] if wheels else "torch==2.13.0+cpu"
    r = subprocess.run([PY, "-m", "pip", "install", "-q", torch_spec, "jax", "jaxlib", "optax", "numpy"])
    if r.returncode != 0:
        print("compare.py: pip install failed; peers that do not import are skipped", file=sys.stderr)
    return r.returncode == 0


def run_one(cmd, threads):
    """Runs cmd pinned to the first `threads` CPUs; returns (stdout, max RSS MB, return code)."""
    cpus = sorted(os.sched_getaffinity(0))[:threads]
    with tempfile.TemporaryFile(mode="w+") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT,
                                preexec_fn=lambda: os.sched_setaffinity(0, set(cpus)))
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        return out.read(), usage.ru_maxrss / 1024.0, proc.returncode


def build_fma_peak():
    """Compiles the anchors' fma_peak.c; returns the binary's path or None."""
    source = os.path.join(ANCHORS, "fma_peak.c")
    binary = os.path.join(tempfile.gettempdir(), f"keel-fma-peak-{os.getpid()}")
    for cc in ("cc", "gcc", "clang"):
        r = subprocess.run([cc, "-O2", "-mavx512f", "-mfma", "-pthread", "-o", binary, source], capture_output=True)
        if r.returncode == 0:
            return binary
    print("compare.py: could not build fma_peak.c; no peak fractions", file=sys.stderr)
    return None


def fma_peak(binary, threads):
    """GFLOP/s of the quick AVX-512 probe on `threads` threads (pinned by fma_peak itself)."""
    r = subprocess.run([binary, str(threads), "q"], capture_output=True, text=True)
    for token in r.stdout.split():
        if token.startswith("GFLOP/s="):
            try:
                return float(token.split("=", 1)[1])
            except ValueError:
                pass
    return None


def thread_counts(text):
    cpus = len(os.sched_getaffinity(0))
    if text == "scaling":
        counts, n = [], 1
        while n < cpus:
            counts.append(n)
            n *= 2
        return counts + [cpus]
    return [int(t) for t in text.split(",")]


def measure(framework, config, threads, args, jsonfile):
    if framework in ("keel", "base"):
        binary = args.keel if framework == "keel" else args.baseline
        cmd = [binary, "step", "--config", config, "--threads", str(threads), "--mode", "trainer",
               "--steps", str(args.steps), "--warmup", str(args.warmup), "--json", jsonfile]
    elif framework == "torch":
        cmd = [PY, os.path.join(ANCHORS, "torch_rnn.py"), "--config", config, "--threads", str(threads),
               "--ftz", "--steps", str(args.steps), "--warmup", str(args.warmup), "--json", jsonfile]
    else:
        cmd = [PY, os.path.join(ANCHORS, "jax_rnn.py"), "--config", config, "--threads", str(threads),
               "--impl", "scan", "--steps", str(args.steps), "--warmup", str(args.warmup), "--json", jsonfile]
    before = sum(1 for _ in open(jsonfile)) if os.path.exists(jsonfile) else 0
    text, rss, rc = run_one(cmd, threads)
    lines = open(jsonfile).read().splitlines() if os.path.exists(jsonfile) else []
    if rc != 0 or len(lines) <= before:
        print(f"  {framework} {config} {threads}T FAILED (rc {rc}):\n{text[-2000:]}", flush=True)
        return None
    rec = json.loads(lines[-1])
    rec["max_rss_mb"] = rss
    rec["framework"] = framework
    return rec


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--configs", default="A,B,C,D,E")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--passes", type=int, default=3)
    ap.add_argument("--steps", type=int, default=25)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--frameworks", default="keel,torch,jax")
    ap.add_argument("--no-build", action="store_true", help="do not run swift build -c release first")
    ap.add_argument("--json", default=None, help="also write every measurement here (JSON lines)")
    ap.add_argument("--fma-peak", action="store_true", help="measure the FMA peak per thread count (fma_peak.c)")
    ap.add_argument("--keel", default=KEEL, help="the keel-bench binary (default .build/release/keel-bench)")
    ap.add_argument("--baseline", default=None,
                    help="another keel-bench binary (an older build) raced as 'base' in the same passes: before/after")
    args = ap.parse_args()

    if not args.no_build:
        subprocess.run(["swift", "build", "-c", "release", "--product", "keel-bench"], cwd=ROOT, check=True)
    frameworks = args.frameworks.split(",")
    if args.baseline:
        frameworks.insert(frameworks.index("keel") + 1 if "keel" in frameworks else 0, "base")
    if any(f not in ("keel", "base") for f in frameworks) and not ensure_venv():
        frameworks = [f for f in frameworks if f in ("keel", "base")]
    configs = args.configs.upper().split(",")
    threads = thread_counts(args.threads)
    cpus = len(os.sched_getaffinity(0))
    for thr in threads:
        if thr > cpus:
            print(f"note: {thr} threads on {cpus} CPUs run oversubscribed", flush=True)
    peak_binary = build_fma_peak() if args.fma_peak else None
    peaks = {}  # threads -> best GFLOP/s over the passes
    tmp = tempfile.NamedTemporaryFile(suffix=".jsonl", delete=False).name
    best = {}   # (cfg, thr, fw) -> record with the lowest median
    allrecs = []
    for p in range(args.passes):
        print(f"=== pass {p + 1}/{args.passes}", flush=True)
        for thr in threads if peak_binary else []:
            g = fma_peak(peak_binary, min(thr, cpus))
            if g is not None:
                peaks[thr] = max(peaks.get(thr, 0.0), g)
                print(f"  FMA peak {thr}T {g:.1f} GFLOP/s", flush=True)
        for cfg in configs:
            for thr in threads:
                for fw in frameworks:
                    rec = measure(fw, cfg, thr, args, tmp)
                    if rec is None:
                        continue
                    rec["pass"] = p + 1
                    allrecs.append(rec)
                    loss = ""
                    if "losses" in rec:
                        loss = f" loss {rec['losses'][0]:.4f}->{rec['losses'][-1]:.4f}"
                    elif "loss_first" in rec:
                        loss = f" loss {rec['loss_first']:.4f}->{rec['loss_last']:.4f}"
                    print(f"  {cfg} {thr}T {fw:5s} median {rec['median_ms']:8.2f} ms (p25 {rec['p25_ms']:.2f}, "
                          f"p75 {rec['p75_ms']:.2f}) {rec['tokens_per_s']:10.0f} tok/s  RSS {rec['max_rss_mb']:.0f} MB{loss}",
                          flush=True)
                    key = (cfg, thr, fw)
                    if key not in best or rec["median_ms"] < best[key]["median_ms"]:
                        best[key] = rec
    if args.json:
        with open(args.json, "w") as f:
            for r in allrecs:
                f.write(json.dumps(r) + "\n")

    # Same-run ratios per pass as well: Keel / faster peer within each pass.
    def pass_ratio(cfg, thr, p):
        recs = {r["framework"]: r for r in allrecs if r["config"] == cfg and r["threads"] == thr and r["pass"] == p}
        if "keel" not in recs:
            return None
        peers = [recs[f]["tokens_per_s"] for f in ("torch", "jax") if f in recs]
        return recs["keel"]["tokens_per_s"] / max(peers) if peers else None

    print()
    print(f"best of {args.passes} passes (median of {args.steps} steps after {args.warmup} warm-up), tokens/s")
    peak_cols = " GFLOP/s / FMA peak Keel / torch / jax |" if peaks else ""
    print("| cfg | thr | Keel | PyTorch | JAX | Keel / faster peer | per-pass ratios | RSS MB Keel / torch / jax |" + peak_cols)
    print("|---|---|---|---|---|---|---|---|" + ("---|" if peaks else ""))
    for cfg in configs:
        for thr in threads:
            k = best.get((cfg, thr, "keel"))
            t = best.get((cfg, thr, "torch"))
            j = best.get((cfg, thr, "jax"))
            fmt = lambda r: f"{r['tokens_per_s']:,.0f} ({r['median_ms']:.1f} ms)" if r else "-"
            peers = [r["tokens_per_s"] for r in (t, j) if r]
            ratio = f"{k['tokens_per_s'] / max(peers):.2f}x" if k and peers else "-"
            per = [pass_ratio(cfg, thr, p + 1) for p in range(args.passes)]
            per_s = " ".join(f"{x:.2f}" for x in per if x is not None)
            rss = " / ".join(f"{r['max_rss_mb']:.0f}" if r else "-" for r in (k, t, j))
            extra = ""
            if peaks:
                peak = peaks.get(thr)
                extra = " " + " / ".join(f"{r['gflops'] / peak:.0%}" if r and peak and "gflops" in r else "-" for r in (k, t, j)) + \
                    (f" of {peak:.0f} |" if peak else " |")
            print(f"| {cfg} | {thr}{'*' if thr > cpus else ''} | {fmt(k)} | {fmt(t)} | {fmt(j)} | {ratio} | {per_s} | {rss} |{extra}")
    if len(threads) > 1:
        print()
        print(f"speed-up over {threads[0]} thread(s) (x {threads[0]}) and parallel efficiency (speed-up / threads), best medians")
        print("| cfg | thr | Keel | PyTorch | JAX |")
        print("|---|---|---|---|---|")
        for cfg in configs:
            for thr in threads:
                cells = []
                for fw in ("keel", "torch", "jax"):
                    base, rec = best.get((cfg, threads[0], fw)), best.get((cfg, thr, fw))
                    if base and rec:
                        up = base["median_ms"] / rec["median_ms"] * threads[0]
                        cells.append(f"{up:.2f}x ({up / thr:.0%})")
                    else:
                        cells.append("-")
                print(f"| {cfg} | {thr} | {' | '.join(cells)} |")
    if args.baseline:
        print()
        print(f"Keel against the baseline build ({args.baseline}), same passes: best medians and per-pass ratios (> 1: faster now)")
        print("| cfg | thr | Keel ms | base ms | Keel / base (speed) | per-pass |")
        print("|---|---|---|---|---|---|")
        for cfg in configs:
            for thr in threads:
                k, b = best.get((cfg, thr, "keel")), best.get((cfg, thr, "base"))
                if not (k and b):
                    continue
                per = []
                for p in range(args.passes):
                    recs = {r["framework"]: r for r in allrecs if r["config"] == cfg and r["threads"] == thr and r["pass"] == p + 1}
                    if "keel" in recs and "base" in recs:
                        per.append(f"{recs['base']['median_ms'] / recs['keel']['median_ms']:.2f}")
                print(f"| {cfg} | {thr} | {k['median_ms']:.2f} | {b['median_ms']:.2f} | {b['median_ms'] / k['median_ms']:.3f}x | {' '.join(per)} |")
    if args.fma_peak and peaks:
        print()
        print("FMA peak (fma_peak.c quick probe, best of the passes): " + ", ".join(f"{t}T {g:.1f}" for t, g in sorted(peaks.items())) + " GFLOP/s")
    os.unlink(tmp)
    if peak_binary:
        os.unlink(peak_binary)


if __name__ == "__main__":
    main()
