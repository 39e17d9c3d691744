#!/usr/bin/env python3
"""Opt-in validation suite for Keel: runs named experiments with the release `keel` binary.

Not part of `swift test`. Usage (from the repository root):

    swift build -c release --product keel
    python3 Validation/validate.py --list
    python3 Validation/validate.py adding-T100-lstm copy-T100-lstm      # named experiments
    python3 Validation/validate.py --group pascanu-basic-adding        # all rows of a group
    python3 Validation/validate.py --all
    python3 Validation/validate.py --summarize-only NAME ...            # re-read an existing run.jsonl

The VALIDATION.md runs used `KEEL_NUM_THREADS=1 nice -n 19 python3 Validation/validate.py ...` (one run at a
time on a shared 2-core machine); each summary records the thread count, the niceness, wall and CPU seconds.

Each experiment writes Validation/results/<name>/{run.jsonl, report.html, summary.json, console.txt}.
run.jsonl and console.txt are not committed (.gitignore); report.html is committed only when < 1 MB.
"""
import argparse, json, math, os, resource, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KEEL = os.environ.get("KEEL_BIN", os.path.join(ROOT, ".build", "release", "keel"))  # KEEL_BIN: another build
RESULTS = os.path.join(ROOT, "Validation", "results")
TEXT = os.path.join(ROOT, "..", "shared", "data", "tinyshakespeare.txt")

def lstm_adding(T, steps, seed=1):
    return ["--task", "adding", "--sequence-length", str(T), "--cell", "lstm", "--hidden", "32",
            "--init-recurrent", "orthogonal", "--optimizer", "adam", "--learning-rate", "0.003",
            "--clip", "global-norm", "--clip-threshold", "1", "--steps", str(steps), "--batch-size", "32",
            "--seed", str(seed)]

def pascanu(clip, seed, steps=20000, T=50):
    # Pascanu et al. 2013 set-up: 50 tanh units, SGD lr 0.01, no momentum, batch 20, global-norm clip 1.
    # The monitors only warn (no skip/rollback), so the unclipped run is really unprotected.
    return ["--task", "adding-pascanu", "--sequence-length", str(T), "--cell", "rnn-tanh", "--hidden", "50",
            "--optimizer", "sgd", "--learning-rate", "0.01", "--batch-size", "20",
            "--clip", "global-norm" if clip else "none", *(["--clip-threshold", "1"] if clip else []),
            "--on-explosion", "warn", "--steps", str(steps), "--seed", str(seed)]

def pascanu_faithful(task, clip, seed, steps, cell="rnn-tanh", T=50, regularizer=None):
    # Pascanu et al. 2013, §4 / Fig. 7 protocol: 50 units, SGD lr 0.01 without momentum, batch 20,
    # global-norm clip 1 (or none), success = < 1% of 10,000 fresh sequences wrong by the task's
    # criterion. tanh RNN: "basic tanh" init, every weight N(0, 0.1^2), biases 0. LSTM: orthogonal
    # recurrent blocks (the CLI's other weights). The monitors only warn, so the unclipped arm is
    # really unprotected. The error rate is measured every 5,000 updates; a run stops once solved.
    init = ["--init-weights", "normal", "--init-std", "0.1"] if cell == "rnn-tanh" else ["--init-recurrent", "orthogonal"]
    return ["--task", task, "--sequence-length", str(T), "--cell", cell, "--hidden", "50", *init,
            "--optimizer", "sgd", "--learning-rate", "0.01", "--batch-size", "20",
            "--clip", "global-norm" if clip else "none", *(["--clip-threshold", "1"] if clip else []),
            "--on-explosion", "warn", "--steps", str(steps), "--seed", str(seed),
            "--test-sequences", "10000", "--validate-every", "5000", "--stop-at-error", "0.01", "--monitor-every", "100",
            *(["--vanishing-gradient-regularizer", str(regularizer)] if regularizer is not None else [])]

def irnn_adding(seed, steps=100000, T=100):
    # Le et al. 2015 in spirit (their adding-problem lr/clip were grid-searched and are not known):
    # ReLU RNN, 100 units, identity W_hh; the input weights and biases keep the CLI's PyTorch-style
    # default (Le et al. use zero biases) and the head its Glorot default; SGD lr 0.01, global-norm
    # clip 1, batch 20; uRNN-variant adding.
    return ["--task", "adding", "--sequence-length", str(T), "--cell", "rnn-relu", "--hidden", "100",
            "--init-recurrent", "identity", "--optimizer", "sgd", "--learning-rate", "0.01", "--batch-size", "20",
            "--clip", "global-norm", "--clip-threshold", "1", "--on-explosion", "warn", "--steps", str(steps),
            "--seed", str(seed), "--test-sequences", "10000", "--validate-every", "2000", "--monitor-every", "100"]

EXPERIMENTS = {
    # name: (group, keel train args, metric description, published number, threshold (metric must be <), baseline
    #        [, metric key in the validation events: "loss" (default), "errorRate" or "testLoss"])
    "adding-T100-lstm": ("adding", lstm_adding(100, 2000), "validation MSE (200 fresh sequences)",
                         "baseline 0.1667 (Arjovsky et al. 2016 §4.2); target < 0.01 (validation.md §8.6)", 0.01, 1/6),
    "adding-T200-lstm": ("adding", lstm_adding(200, 3000), "validation MSE (200 fresh sequences)",
                         "baseline 0.1667 (Arjovsky et al. 2016 §4.2); target < 0.01", 0.01, 1/6),
    "copy-T100-lstm": ("copy", ["--on-explosion", "warn", "--task", "copy", "--sequence-length", "100", "--cell", "lstm", "--hidden", "64",
                                "--init-recurrent", "orthogonal", "--optimizer", "adam", "--learning-rate", "0.003",
                                "--clip", "global-norm", "--clip-threshold", "1", "--steps", "3000",
                                "--batch-size", "32", "--seed", "1"],
                       "validation CE, nats/step (all T+20 steps)",
                       "memoryless baseline 10 ln8/(T+20) = 0.1733 (Arjovsky et al. 2016 §4.1)", 10*math.log(8)/120, 10*math.log(8)/120),
    "char-shakespeare-2x128": ("text", ["--text", TEXT, "--validation-fraction", "0.05", "--layers", "2", "--hidden", "128",
                                        "--sequence-length", "100", "--batch-size", "32", "--optimizer", "adam",
                                        "--learning-rate", "0.003", "--clip", "global-norm", "--clip-threshold", "5",
                                        "--steps", "5000", "--seed", "1"],
                               "validation CE, nats/char (last 5% of the file)",
                               "target <= 1.70 (validation.md §8.9, our estimate); char-rnn README 1.3950 (bigger/longer run)", 1.70, 3.347),
    "char-shakespeare-2x512": ("text-large", ["--text", TEXT, "--validation-fraction", "0.05", "--layers", "2", "--hidden", "512",
                                        "--embedding-dimension", "64", "--dropout", "0.5",
                                        "--sequence-length", "100", "--batch-size", "32", "--optimizer", "adam",
                                        "--learning-rate", "0.002", "--schedule", "cosine", "--clip", "global-norm", "--clip-threshold", "5",
                                        "--steps", "8000", "--seed", "1"],
                               "validation CE, nats/char (last 5% of the file)",
                               "target <= 1.45 (issue #9; char-rnn README 1.3950 for a larger/longer run)", 1.45, 3.347),
}
# Issue #9 second attempt, with validation.md §7.1's protocol: char-rnn's split (the last 5% of
# each of 50 contiguous rows held out, --validation-streams 50, instead of the file's last 5%,
# which is one play whose speaker names training never sees) and char-rnn's dropout placement (0.5
# between the layers *and* before the decoder, --head-dropout). The checkpoint of the best
# validation is kept (--best-checkpoint-dir) and evaluated statefully (keel evaluate), as char-rnn
# evaluates.
EXPERIMENTS["char-shakespeare-2x512-charrnn-split"] = (
    "text-large-hd", ["--text", TEXT, "--validation-fraction", "0.05", "--validation-streams", "50", "--layers", "2",
                      "--hidden", "512", "--embedding-dimension", "64", "--dropout", "0.5", "--head-dropout", "0.5",
                      "--sequence-length", "100", "--batch-size", "32", "--optimizer", "adam", "--learning-rate", "0.002",
                      "--schedule", "cosine", "--clip", "global-norm", "--clip-threshold", "5", "--steps", "6000", "--seed", "1"],
    "validation CE, nats/char (char-rnn split: last 5% of each of 50 rows)", *EXPERIMENTS["char-shakespeare-2x512"][3:])

# Same run with the default --on-explosion skip: documents the GradientExplosionMonitor lock-out
# (every update after step ~420 skipped; see VALIDATION.md).
EXPERIMENTS["copy-T100-lstm-default-skip"] = ("copy-skip", [a for a in EXPERIMENTS["copy-T100-lstm"][1] if a not in ("--on-explosion", "warn")],
                                              *EXPERIMENTS["copy-T100-lstm"][2:])
# The earlier Pascanu rows (CLI default init, MSE on 200 sequences as a proxy, 20k/100k updates) were
# replaced by the faithful protocol below (git history: Validation/results/pascanu-adding-T50-{clip,noclip}-*).

# Exploding regime: the same set-up with orthogonal W_hh scaled to spectral radius 1.2 (Pascanu's
# sufficient condition for exploding gradients with tanh is rho > 1), 20k updates, 5 seeds.
for seed in range(1, 6):
    for clip in (True, False):
        name = f"pascanu-adding-T50-rho1.2-{'clip' if clip else 'noclip'}-s{seed}"
        EXPERIMENTS[name] = ("pascanu-rho1.2", pascanu(clip, seed) + ["--init-recurrent", "orthogonal", "--spectral-radius", "1.2"],
                             "validation MSE (200 fresh sequences)",
                             "Pascanu 2013: clipping matters more as gradients explode (Fig. 7 direction); constant predictor MSE 0.0417",
                             0.04 * 0.01, 1/24)

# Faithful Pascanu runs (issue #9): basic-tanh init, the paper's error-rate criterion on 10,000
# fresh sequences, up to 500k updates (tanh) / 200k (LSTM), stop when solved.
PASCANU_PUBLISHED = {
    "adding-pascanu": ("Pascanu 2013 (MSGD-CR, 5 seeds): addition solved (< 1% of 10,000 fresh seqs with sq. err > 0.04) in 5/5, "
                       "within <= 5M updates (ICML §4; validation.md §2.3); constant predictor 35.96% wrong", 0.3596),
    "temporal-order": ("Pascanu 2013: temporal order, 50 tanh units, basic-tanh init: 100% success over 5 seeds (MSGD-CR, L in [50, 200]); "
                       "Fig. 7 MSGD-C success not transcribed; chance error 75%", 0.75),
}
for task, short, steps_tanh in (("adding-pascanu", "adding", 500000), ("temporal-order", "temporal", 500000)):
    for seed in range(1, 6):
        for clip in (True, False):
            arm = "clip" if clip else "noclip"
            published, baseline = PASCANU_PUBLISHED[task]
            # Adding, seeds 3-5: 200k updates (CPU budget; seeds 1-2 stayed at the constant predictor's error
            # rate, to 4 digits, from 5k to 500k updates).
            steps = 200000 if short == "adding" and seed >= 3 else steps_tanh
            EXPERIMENTS[f"pascanu-{short}-T50-basic-{arm}-s{seed}"] = (
                f"pascanu-basic-{short}", pascanu_faithful(task, clip, seed, steps),
                "test error rate (10,000 fresh sequences, paper criterion)", published, 0.01, baseline, "errorRate")
            EXPERIMENTS[f"pascanu-{short}-T50-lstm-orth-{arm}-s{seed}"] = (
                f"pascanu-lstm-{short}", pascanu_faithful(task, clip, seed, 200000, cell="lstm"),
                "test error rate (10,000 fresh sequences, paper criterion)",
                "no published LSTM number for this protocol; paper's tanh RNN target (< 1% wrong) used; " + published, 0.01, baseline, "errorRate")
# The clipped temporal-order seeds that were unsolved at 500k updates, continued to the 1M-update
# budget of validation.md §8.4 (same seeds, so the first 500k updates repeat the 500k runs exactly).
# The unclipped arm gets the same 1M budget for all five seeds (none was solved at 500k).
for seed in (1, 3, 4):
    published, baseline = PASCANU_PUBLISHED["temporal-order"]
    EXPERIMENTS[f"pascanu-temporal-T50-basic-clip-1M-s{seed}"] = (
        "pascanu-basic-temporal-1M", pascanu_faithful("temporal-order", True, seed, 1000000),
        "test error rate (10,000 fresh sequences, paper criterion)", published, 0.01, baseline, "errorRate")
for seed in range(1, 6):
    published, baseline = PASCANU_PUBLISHED["temporal-order"]
    EXPERIMENTS[f"pascanu-temporal-T50-basic-noclip-1M-s{seed}"] = (
        "pascanu-basic-temporal-1M-noclip", pascanu_faithful("temporal-order", False, seed, 1000000),
        "test error rate (10,000 fresh sequences, paper criterion)", published, 0.01, baseline, "errorRate")
# The paper's own method for the addition problem, MSGD-CR: clipping plus the regularizer Omega with
# the weight of the authors' code (alpha = 2), 1M updates. The R arm drops clipping (the paper: the
# regularizer alone "usually fails due to exploding gradients").
for seed in range(1, 6):
    published, baseline = PASCANU_PUBLISHED["adding-pascanu"]
    for clip, arm in ((True, "cr"), (False, "r")):
        EXPERIMENTS[f"pascanu-adding-T50-basic-{arm}-s{seed}"] = (
            f"pascanu-basic-adding-{arm}", pascanu_faithful("adding-pascanu", clip, seed, 1000000, regularizer=2),
            "test error rate (10,000 fresh sequences, paper criterion)", published, 0.01, baseline, "errorRate")
# The stretch length of issue #9: the same two arms at T = 100 (lengths 100-109), 300k updates each
# (VALIDATION.md row d‴: CR seeds 1-5, R seeds 1-3).
for seed in range(1, 6):
    published, baseline = PASCANU_PUBLISHED["adding-pascanu"]
    for clip, arm in ((True, "cr"), (False, "r")):
        EXPERIMENTS[f"pascanu-adding-T100-basic-{arm}-s{seed}"] = (
            f"pascanu-basic-adding-T100-{arm}", pascanu_faithful("adding-pascanu", clip, seed, 300000, T=100, regularizer=2),
            "test error rate (10,000 fresh sequences, paper criterion)", published, 0.01, baseline, "errorRate")
# Sanity check of the same protocol with a short lag (T = 10: the second marker 5-9 steps before the end).
EXPERIMENTS["pascanu-adding-T10-basic-clip-s1"] = (
    "pascanu-basic-short", pascanu_faithful("adding-pascanu", True, 1, 200000, T=10),
    "test error rate (10,000 fresh sequences, paper criterion)", "sanity check (no published number): short lags must be learnable", 0.01, 0.3596, "errorRate")
for seed in range(1, 4):
    EXPERIMENTS[f"irnn-adding-T100-s{seed}"] = (
        "irnn-adding", irnn_adding(seed), "test MSE (10,000 fresh sequences)",
        "Le et al. 2015: IRNN converges on adding (T >= 150), about as LSTM [U]; baseline 0.1667 (predict 1); target < 0.01 (validation.md §8.6, our calibration)",
        0.01, 1/6, "testLoss")

def summarize(name, log, wall, threshold, key="loss"):
    steps = 0; clipped = 0; explosions = 0; nonfinite = 0; skipped = 0; norms = []; vals = []; first_below = None
    monitor_kinds = {}; finish = None; extra = {}
    for line in open(log):
        d = json.loads(line); t = d.get("type")
        if t == "stepCompleted":
            steps += 1; clipped += bool(d.get("clipped")); skipped += not d.get("updateApplied", True)
            g = d.get("globalGradientNorm")
            if isinstance(g, (int, float)):
                if math.isfinite(g): norms.append(g)
                else: nonfinite += 1
            else: nonfinite += 1
        elif t == "validation":
            loss = d["metrics"].get(key); vals.append((d["step"], loss))
            if first_below is None and loss is not None and loss < threshold: first_below = d["step"]
            for k in ("errorRate", "testLoss", "loss"):
                if k != key and k in d["metrics"]: extra.setdefault(k, []).append((d["step"], d["metrics"][k]))
        elif t == "trainingFinished":
            finish = d
        elif t == "monitorFired":
            m = d.get("monitor") or d.get("source") or "?"
            kind = str(m)
            monitor_kinds[kind] = monitor_kinds.get(kind, 0) + 1
            if "Explosion" in kind or "NonFinite" in kind: explosions += 1
    norms.sort()
    q = lambda p: norms[min(len(norms) - 1, int(p * len(norms)))] if norms else None
    final = vals[-1][1] if vals else None
    return {"experiment": name, "final_validation_metric": final, "best_validation_metric": min(v for _, v in vals) if vals else None,
            "threshold": threshold, "passed": final is not None and final < threshold,
            "first_step_below_threshold": first_below, "steps": steps, "wall_seconds": round(wall, 1),
            "explosion_events": explosions, "nonfinite_gradient_steps": nonfinite, "skipped_updates": skipped,
            "clipped_fraction": round(clipped / steps, 4) if steps else None, "clipped_steps": clipped,
            "grad_norm_median": q(0.5), "grad_norm_p99": q(0.99), "grad_norm_max": norms[-1] if norms else None,
            # Pre-clip global norms above the clip threshold 1 (clipped, or would have been) and above 10.
            "steps_grad_norm_above_1": sum(g > 1 for g in norms), "steps_grad_norm_above_10": sum(g > 10 for g in norms),
            "monitor_firings": monitor_kinds, "validation_curve": vals[:: max(1, len(vals) // 50)] + vals[-1:],
            "metric_key": key, "stop_reason": finish and finish.get("reason"), "stop_detail": finish and finish.get("detail"),
            **{f"final_{k}": v[-1][1] for k, v in extra.items()},
            **({"other_curves": {k: v[:: max(1, len(v) // 50)] + v[-1:] for k, v in extra.items()}} if extra else {})}

def run(name, summarize_only=False):
    group, args, metric, published, threshold, baseline, *rest = EXPERIMENTS[name]
    key = rest[0] if rest else "loss"
    out = os.path.join(RESULTS, name); os.makedirs(out, exist_ok=True)
    log = os.path.join(out, "run.jsonl")
    cmd = [KEEL, "train", *args, "--log", log]
    if group.startswith("text"): cmd += ["--checkpoint-dir", os.path.join(out, "checkpoint")]
    if group == "text-large-hd": cmd += ["--best-checkpoint-dir", os.path.join(out, "best")]
    old = {}
    if summarize_only:  # re-read an existing run.jsonl (e.g. after changing this script); keeps the recorded wall time
        old = json.load(open(os.path.join(out, "summary.json"))) if os.path.exists(os.path.join(out, "summary.json")) else {}
        wall, rc = old.get("wall_seconds", float("nan")), old.get("exit_code")
    else:
        if os.path.exists(log): os.remove(log)
        t0 = time.time(); r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        with open(os.path.join(out, "console.txt"), "w") as console:
            rc = subprocess.call(cmd, stdout=console, stderr=subprocess.STDOUT, cwd=ROOT)
        wall = time.time() - t0; r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        old["cpu_seconds"] = round(r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime, 1)
    s = summarize(name, log, wall, threshold, key)
    # CPU time of the keel process: on a shared machine (niced runs) the wall time also counts waiting.
    if old.get("cpu_seconds") is not None: s["cpu_seconds"] = old["cpu_seconds"]
    s.update({"metric": metric, "published": published, "baseline": baseline, "exit_code": rc,
              "environment": old.get("environment") if summarize_only and old.get("environment") else
                             {"KEEL_NUM_THREADS": os.environ.get("KEEL_NUM_THREADS"), "niceness": os.nice(0)},
              "command": "keel train " + " ".join(a.replace(ROOT + "/", "") for a in args) + f" --log Validation/results/{name}/run.jsonl"})
    if group.startswith("text") and rc == 0:
        sample = subprocess.run([KEEL, "sample", os.path.join(out, "checkpoint"), "--length", "600", "--seed", "1", "--prime", "ROMEO:"],
                                capture_output=True, text=True).stdout
        open(os.path.join(out, "sample.txt"), "w").write(sample); s["sample_head"] = sample[:300]
    if group == "text-large-hd" and os.path.exists(os.path.join(out, "best", "manifest.json")):
        # The best validation's checkpoint, on the same held-out 5%: stateful (state carried across
        # windows, as char-rnn evaluates) and windowed (zero state per window, as keel train validates).
        streams = args[args.index("--validation-streams") + 1] if "--validation-streams" in args else "1"
        evaluation = subprocess.run([KEEL, "evaluate", os.path.join(out, "best"), "--text", TEXT, "--validation-fraction", "0.05",
                                     "--validation-streams", streams, "--json"], capture_output=True, text=True)
        if evaluation.returncode == 0:
            e = json.loads(evaluation.stdout)
            s["best_checkpoint"] = {"step": json.load(open(os.path.join(out, "best", "manifest.json")))["step"],
                                    "stateful": e["stateful"], "windowed": e["windowed"], "characters": e["characters"]}
            s["passed_best_stateful"] = e["stateful"] <= threshold
    if not (summarize_only and os.path.exists(os.path.join(out, "report.html"))):
        subprocess.call([KEEL, "report", log, "--output", os.path.join(out, "report.html"), "--title", f"Keel validation: {name}"],
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    json.dump(s, open(os.path.join(out, "summary.json"), "w"), indent=1)
    print(f"{name}: final {s['final_validation_metric']} (threshold {threshold:.4g}) passed={s['passed']} steps={s['steps']} "
          f"wall={s['wall_seconds']}s explosions={s['explosion_events']} clipped={s['clipped_fraction']}", flush=True)
    return s

if __name__ == "__main__":
    p = argparse.ArgumentParser(); p.add_argument("names", nargs="*"); p.add_argument("--group"); p.add_argument("--all", action="store_true")
    p.add_argument("--list", action="store_true")
    p.add_argument("--summarize-only", action="store_true", help="rebuild summary.json/report.html from the existing run.jsonl")
    a = p.parse_args()
    if a.list:
        for n, e in EXPERIMENTS.items(): print(f"{e[0]:22s} {n}")
        sys.exit(0)
    if not os.path.exists(KEEL): sys.exit("build first: swift build -c release --product keel")
    names = list(EXPERIMENTS) if a.all else [n for n in EXPERIMENTS if n in a.names or EXPERIMENTS[n][0] == a.group]
    for n in names: run(n, a.summarize_only)
