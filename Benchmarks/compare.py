#!/usr/bin/env python3
"""Race Keel's full training step against PyTorch and JAX on configs A-E (peers.md).

Runs, in one invocation and interleaved (Keel, torch, jax, Keel, torch, jax, ... for each
config x threads, N passes), `keel-bench step --mode trainer` and the anchor scripts in
../shared/bench/anchors (by path; not copied). Each measurement is a fresh process pinned to
CPUs {0} or {0,1} (as the anchors' common.pin_threads does). Prints, per config x threads, the
best-of-N median step of each framework as tokens/s, Keel / faster peer, and max RSS (from
wait4 of each child process).

Usage (from the repository root):
    python3 Benchmarks/compare.py [--configs A,B,C,D,E] [--threads 1,2] [--passes 3]
        [--steps 25] [--warmup 5] [--no-build] [--json results.jsonl]

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
ANCHORS = os.path.normpath(os.path.join(ROOT, "..", "shared", "bench", "anchors"))
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


def measure(framework, config, threads, args, jsonfile):
    if framework == "keel":
        cmd = [KEEL, "step", "--config", config, "--threads", str(threads), "--mode", "trainer",
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
    args = ap.parse_args()

    if not args.no_build:
        subprocess.run(["swift", "build", "-c", "release", "--product", "keel-bench"], cwd=ROOT, check=True)
    frameworks = args.frameworks.split(",")
    if any(f != "keel" for f in frameworks) and not ensure_venv():
        frameworks = ["keel"]
    configs = args.configs.upper().split(",")
    threads = [int(t) for t in args.threads.split(",")]
    tmp = tempfile.NamedTemporaryFile(suffix=".jsonl", delete=False).name
    best = {}   # (cfg, thr, fw) -> record with the lowest median
    allrecs = []
    for p in range(args.passes):
        print(f"=== pass {p + 1}/{args.passes}", flush=True)
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
    print("| cfg | thr | Keel | PyTorch | JAX | Keel / faster peer | per-pass ratios | RSS MB Keel / torch / jax |")
    print("|---|---|---|---|---|---|---|---|")
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
            print(f"| {cfg} | {thr} | {fmt(k)} | {fmt(t)} | {fmt(j)} | {ratio} | {per_s} | {rss} |")
    os.unlink(tmp)


if __name__ == "__main__":
    main()
