#!/usr/bin/env python3
"""How long `keel doctor` takes on the models of the benchmark configurations A-E (Benchmarks/KeelBench/
StepBenchmark.swift), with 2 kernel threads, against its default 60-second budget (issue #21).

    swift build -c release --product keel
    nice python3 Validation/doctor_time.py [--budget 60] [--configs A,B,C,D,E]

A, B, D, E read random `.npy` sequences of their input width (regression on the last step; the data do
not matter for the timing, the model and sequence sizes do); C reads tinyshakespeare (vocabulary 65) as
a character language model. Writes Validation/results/doctor-time/summary.json (and each config's
console, prescription and report beside it); the .npy inputs go to a temporary directory.
"""
import argparse, json, os, re, subprocess, tempfile, time
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KEEL = os.environ.get("KEEL_BIN", os.path.join(ROOT, ".build", "release", "keel"))
TEXT = os.path.join(ROOT, "..", "shared", "data", "tinyshakespeare.txt")
if not os.path.exists(TEXT):
    TEXT = "/work/shared/data/tinyshakespeare.txt"
OUT = os.path.join(ROOT, "Validation", "results", "doctor-time")

# name: (cell, layers, input, hidden, batch, T, text?)
CONFIGS = {
    "A": ("lstm", 1, 32, 128, 32, 50, False),
    "B": ("lstm", 1, 64, 256, 64, 100, False),
    "C": ("lstm", 2, 64, 512, 32, 100, True),
    "D": ("rnn-tanh", 1, 2, 128, 64, 200, False),
    "E": ("gru", 1, 64, 256, 64, 100, False),
}

def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--budget", type=float, default=60)
    parser.add_argument("--configs", default="A,B,C,D,E")
    args = parser.parse_args()
    os.makedirs(OUT, exist_ok=True)
    env = dict(os.environ, KEEL_NUM_THREADS="2")
    scratch = tempfile.mkdtemp(prefix="keel-doctor-time-")  # the .npy inputs (up to 13 MB) stay out of the tree
    results = []
    for name in args.configs.split(","):
        cell, layers, width, hidden, batch, steps, text = CONFIGS[name]
        flags = ["--cell", cell, "--layers", str(layers), "--hidden", str(hidden), "--batch-size", str(batch),
                 "--sequence-length", str(steps), "--seed", "1"]
        if text:
            flags += ["--text", TEXT, "--embedding-dimension", str(width)]
        else:
            rng = np.random.default_rng(1)
            inputs, targets = os.path.join(scratch, f"{name}-x.npy"), os.path.join(scratch, f"{name}-y.npy")
            np.save(inputs, rng.standard_normal((batch * 8, steps, width)).astype(np.float32))
            np.save(targets, rng.standard_normal((batch * 8, 1)).astype(np.float32))
            flags += ["--npy-inputs", inputs, "--npy-targets", targets]
        cmd = [KEEL, "doctor", *flags, "--time-budget", str(args.budget),
               "--prescription", os.path.join(OUT, f"{name}-prescription.json"), "--report", os.path.join(OUT, f"{name}-report.html")]
        started = time.time()
        completed = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env)
        wall = time.time() - started
        with open(os.path.join(OUT, f"{name}-doctor.txt"), "w") as handle:
            handle.write(" ".join(cmd) + "\n" + completed.stdout + completed.stderr)
        diagnosis = re.search(r"Prescription \(([\d.]+) s of diagnosis", completed.stdout)
        row = {"config": name, "rc": completed.returncode, "budget": args.budget,
               "diagnosis_seconds": float(diagnosis.group(1)) if diagnosis else None, "process_wall_seconds": round(wall, 1),
               "command": " ".join(["keel", "doctor", *flags, "--time-budget", str(args.budget)])}
        results.append(row)
        print(f"{name}: diagnosis {row['diagnosis_seconds']} s (process {row['process_wall_seconds']} s, incl. data loading), budget {args.budget} s, rc {completed.returncode}", flush=True)
    with open(os.path.join(OUT, "summary.json"), "w") as handle:
        json.dump(results, handle, indent=1)

if __name__ == "__main__":
    main()
