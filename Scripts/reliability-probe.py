#!/usr/bin/env python3
"""Reliability probe for the `keel` binary: bad flags, configs and data files, corrupted
checkpoints, kill -9 during checkpointing and resuming a copy. Counts, per category, the cases
that crashed (a signal or a Swift runtime trap), hung (ran past the timeout), were accepted
although the input was bad, or leaked Swift internals into the message.

    swift build -c release --product keel
    python3 Scripts/reliability-probe.py [--keel .build/release/keel] [--kills 48] [--corruptions 200]

Exit status 0 when every count of a failure is zero.
"""
import argparse
import json
import os
import random
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

INTERNALS = ["DecodingError", "CodingKeys", "NSCocoaErrorDomain", "Error Domain", "Fatal error", "Backtrace", "Swift runtime"]
TINY = ["train", "--task", "adding", "--hidden", "8", "--batch-size", "4", "--sequence-length", "8", "--steps", "3"]


class Tally:
    def __init__(self):
        self.rows = {}

    def add(self, category, outcome, note=None):
        row = self.rows.setdefault(category, {"cases": 0, "crash": 0, "hang": 0, "accepted": 0, "internals": 0, "notes": []})
        row["cases"] += 1
        if outcome != "ok":
            row[outcome] += 1
            if note and len(row["notes"]) < 5:
                row["notes"].append(note)

    def report(self):
        print(f"{'category':<28}{'cases':>7}{'crash':>7}{'hang':>7}{'accepted':>10}{'internals':>11}")
        failures = 0
        for category, row in self.rows.items():
            print(f"{category:<28}{row['cases']:>7}{row['crash']:>7}{row['hang']:>7}{row['accepted']:>10}{row['internals']:>11}")
            failures += row["crash"] + row["hang"] + row["accepted"] + row["internals"]
            for note in row["notes"]:
                print(f"    {note}")
        return failures


def run(keel, arguments, cwd, timeout=60):
    """(outcome-ish rc, stdout, stderr); rc None on a timeout."""
    try:
        done = subprocess.run([keel] + arguments, cwd=cwd, capture_output=True, text=True, timeout=timeout, errors="replace")
    except subprocess.TimeoutExpired:
        return None, "", ""
    return done.returncode, done.stdout, done.stderr


def classify(rc, out, err, bad=True):
    """ok | crash | hang | accepted | internals for a case whose input is bad (`bad`) or valid."""
    if rc is None:
        return "hang"
    if rc < 0 or rc >= 128 or "Fatal error" in err or "Backtrace" in err:
        return "crash"
    if any(word in out + err for word in INTERNALS):
        return "internals"
    if bad and rc == 0:
        return "accepted"
    return "ok"


def probe_flags(keel, work, tally):
    numeric = ["--hidden", "--layers", "--batch-size", "--sequence-length", "--steps", "--epochs", "--seed", "--learning-rate",
               "--clip-threshold", "--spectral-radius", "--init-std", "--test-sequences", "--validate-every", "--monitor-every",
               "--checkpoint-every", "--dropout", "--head-dropout", "--embedding-dimension", "--stop-at-error",
               "--vanishing-gradient-regularizer", "--schedule-steps", "--validation-fraction", "--validation-streams"]
    values = ["nan", "inf", "-inf", "-1", "-0.5", "1e400", "-1e400", "4611686018427387904", "9223372036854775807",
              "99999999999999999999", "abc", "", "0x10", "1e9"]
    context = {"--init-std": ["--init-weights", "normal"], "--test-sequences": [], "--stop-at-error": ["--test-sequences", "10"],
               "--checkpoint-every": ["--checkpoint-dir", os.path.join(work, "flags-ckpt")],
               "--vanishing-gradient-regularizer": ["--cell", "rnn-tanh"], "--validation-fraction": [], "--validation-streams": []}
    doubles = {"--learning-rate", "--clip-threshold", "--spectral-radius", "--init-std", "--dropout", "--head-dropout",
               "--stop-at-error", "--vanishing-gradient-regularizer", "--validation-fraction"}
    long_running = {"--steps", "--epochs", "--validate-every", "--monitor-every", "--checkpoint-every", "--schedule-steps"}
    for flag in numeric:
        for value in values:
            if value == "1e9" and flag in long_running:
                continue
            # Legal values among the probes: a finite positive double (1e9, 0x10 = 16, 4.6e18) and
            # seeds up to 2^64 - 1. They may train (any exit status) but must not crash or hang.
            huge_or_hex = ("1e9", "0x10", "4611686018427387904", "9223372036854775807", "99999999999999999999")
            legal = (flag in doubles and value in huge_or_hex and flag not in ("--dropout", "--head-dropout", "--stop-at-error", "--validation-fraction")) \
                or (flag == "--seed" and value in ("4611686018427387904", "9223372036854775807"))
            rc, out, err = run(keel, TINY + context.get(flag, []) + [flag, value], work, timeout=120)
            tally.add("flags", classify(rc, out, err, bad=not legal), f"{flag} {value!r}: rc {rc} {err.strip()[:160]}")
    for arguments in (["sample", "nowhere", "--length", "-1"], ["sample", "nowhere", "--temperature", "nan"],
                      ["evaluate", "nowhere", "--text", "x", "--batch-size", "-3"], ["demo", "--steps", "-1"],
                      ["demo", "--sequence-length", "1000000000"], ["report", "nowhere.jsonl"]):
        rc, out, err = run(keel, arguments, work)
        tally.add("flags", classify(rc, out, err), f"{arguments}: rc {rc} {err.strip()[:160]}")


def probe_edges(keel, work, tally):
    """Legal but extreme values and output paths: any exit status, never a crash, hang or leak."""
    os.makedirs(os.path.join(work, "foreign"), exist_ok=True)
    with open(os.path.join(work, "foreign", "keep.txt"), "w") as handle:
        handle.write("keep me")
    cases = [["--spectral-radius", "5e-324"], ["--init-weights", "normal", "--init-std", "5e-324"], ["--learning-rate", "5e-324"],
             ["--clip", "agc", "--clip-threshold", "5e-324"], ["--clip", "zclip", "--clip-threshold", "1e300"],
             ["--clip", "value", "--clip-threshold", "1e300"], ["--dropout", "0.9999999999", "--layers", "3"], ["--tbptt", "1,1"],
             ["--tbptt", "-1"], ["--tbptt", "1000000000000"], ["--init-weights", "normal", "--init-std", "1e30"],
             ["--learning-rate", "1e30", "--optimizer", "sgd", "--clip", "none"], ["--layers", "100000"],
             ["--embedding-dimension", "1000000000"], ["--monitor-every", "1", "--validate-every", "1"],
             ["--log", os.path.join(work, "foreign")], ["--log", "/nonexistent/x.jsonl"],
             ["--checkpoint-dir", os.path.join(work, "foreign")], ["--checkpoint-dir", "/proc/keel-probe"],
             ["--best-checkpoint-dir", os.path.join(work, "foreign", "keep.txt")]]
    for task in ("adding", "adding-pascanu", "multiplication", "temporal-order", "temporal-order-3bit", "copy", "permutation", "memorization"):
        cases += [["--task", task, "--sequence-length", "2", "--test-sequences", "3"], ["--task", task, "--cell", "gru", "--bidirectional"]]
    for on_explosion in ("skip", "rollback", "stop", "warn"):
        cases.append(["--on-explosion", on_explosion, "--learning-rate", "1e8", "--optimizer", "sgd", "--clip", "none", "--steps", "30"])
    for extra in cases:
        rc, out, err = run(keel, TINY + extra, work, timeout=120)
        tally.add("edge values and outputs", classify(rc, out, err, bad=False), f"{extra}: rc {rc} {err.strip()[:160]}")
    kept = os.path.exists(os.path.join(work, "foreign", "keep.txt"))
    tally.add("edge values and outputs", "ok" if kept else "accepted", "an existing directory given as an output was replaced")


def probe_configs(keel, work, tally):
    texts = [
        '{"hidden": 8,}', '{"hidden" 8}', '{hidden: 8}', "{'hidden': 8}", '{"hidden": 8', '[1, 2]', '"text"', "",
        '{"hidden": 8, "hidden": 16}', '{"hidden": "8"}', '{"hidden": 8.5}', '{"hidden": -8}', '{"hidden": 1e400}',
        '{"learning-rate": NaN}', '{"learning-rate": "nan"}', '{"cell": null}', '{"cell": {"a": 1}}', '{"unknown": 1}',
        '{"hidden": 18446744073709551616}', '{"seed": -1}', '{"tbptt": "x,y"}', '{"columns": [1, 2]}',
        '\ufeff{"hidden": 8}x', '{"a": "\\uD800"}', '{"a": "\x01"}', "[" * 5000 + "]" * 5000, '{"steps": 1e15}',
        '{"batch-size": 1000000000}', '{"checkpoint-every": 2}',
    ]
    for index, text in enumerate(texts):
        path = os.path.join(work, f"config-{index}.json")
        with open(path, "w", encoding="utf-8", errors="surrogatepass") as handle:
            handle.write(text)
        rc, out, err = run(keel, ["train", "--config", path, "--steps", "2"], work)
        tally.add("configs", classify(rc, out, err), f"{text[:40]!r}: rc {rc} {err.strip()[:160]}")
    rc, out, err = run(keel, ["train", "--config", work], work)
    tally.add("configs", classify(rc, out, err), f"directory: rc {rc} {err.strip()[:160]}")


def npy(shape, values, descr="<f4", fortran=False, truncate=0):
    header = "{'descr': '%s', 'fortran_order': %s, 'shape': (%s), }" % (descr, "True" if fortran else "False",
                                                                         "".join(f"{d}, " for d in shape) if len(shape) != 1 else f"{shape[0]},")
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    data = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode()
    data += struct.pack(f"<{len(values)}{'f' if descr.endswith('4') else 'd'}", *values)
    return data[:len(data) - truncate] if truncate else data


def probe_data(keel, work, tally):
    def write(name, data):
        path = os.path.join(work, name)
        with open(path, "wb") as handle:
            handle.write(data)
        return path
    texts = {"nul.txt": b"\0" * 4096, "empty.txt": b"", "one.txt": b"a" * 5000, "utf8.txt": b"ok \xff\xfe bad" * 100,
             "short.txt": b"ab", "spaces.txt": b" \n" * 10, "bom.txt": b"\xef\xbb\xbf" + b"x" * 3}
    for name, data in texts.items():
        rc, out, err = run(keel, ["train", "--text", write(name, data), "--steps", "2"], work)
        tally.add("data files", classify(rc, out, err), f"{name}: rc {rc} {err.strip()[:160]}")
    csvs = {"nan.csv": "a,b\n1,nan\n2,3\n" * 20, "inf.csv": "a,b\n" + "1,2\n" * 40 + "1,inf\n", "ragged.csv": "a,b\n1,2\n3\n",
            "header.csv": "", "dup.csv": "a,a\n1,2\n", "words.csv": "a,b\n1,x\n", "few.csv": "a,b\n1,2\n",
            "quoted.csv": 'a,b\n"1,2\n', "wide.csv": ",".join(f"c{i}" for i in range(20000)) + "\n" + ",".join("1" for _ in range(20000)) + "\n"}
    for name, text in csvs.items():
        rc, out, err = run(keel, ["train", "--csv", write(name, text.encode()), "--target", "b", "--steps", "2"], work, timeout=120)
        tally.add("data files", classify(rc, out, err), f"{name}: rc {rc} {err.strip()[:160]}")
    targets = write("y.npy", npy([4], [1, 2, 3, 4]))
    inputs = write("x.npy", npy([4, 3, 1], [0.5] * 12))
    npys = {"nan-x.npy": npy([4, 3, 1], [float("nan")] + [0] * 11), "inf-x.npy": npy([4, 3, 1], [0] * 11 + [float("inf")]),
            "trunc.npy": npy([4, 3, 1], [0] * 12, truncate=5), "fortran.npy": npy([4, 3, 1], [0] * 12, fortran=True),
            "int.npy": npy([4, 3, 1], [0] * 12, descr="<i4"), "rank2.npy": npy([4, 3], [0] * 12), "magic.npy": b"NOTNUMPY" * 10,
            "huge-shape.npy": npy([1 << 40, 1 << 40, 1], [])}
    for name, data in npys.items():
        rc, out, err = run(keel, ["train", "--npy-inputs", write(name, data), "--npy-targets", targets, "--steps", "2"], work)
        tally.add("data files", classify(rc, out, err), f"{name}: rc {rc} {err.strip()[:160]}")
    for name, data in {"nan-y.npy": npy([4], [1, float("nan"), 3, 4]), "count-y.npy": npy([5], [1, 2, 3, 4, 5])}.items():
        rc, out, err = run(keel, ["train", "--npy-inputs", inputs, "--npy-targets", write(name, data), "--steps", "2"], work)
        tally.add("data files", classify(rc, out, err), f"{name}: rc {rc} {err.strip()[:160]}")
    for flag in ("--text", "--csv", "--npy-inputs"):
        extra = ["--target", "b"] if flag == "--csv" else ["--npy-targets", targets] if flag == "--npy-inputs" else []
        rc, out, err = run(keel, ["train", flag, work] + extra, work)
        tally.add("data files", classify(rc, out, err), f"{flag} DIR: rc {rc} {err.strip()[:160]}")


def text_corpus(work):
    path = os.path.join(work, "corpus.txt")
    words = ["the", "cat", "sat", "on", "a", "mat", "and", "dog", "ran"]
    rng = random.Random(1)
    with open(path, "w") as handle:
        handle.write(" ".join(rng.choice(words) for _ in range(3000)))
    return path


def probe_corruption(keel, work, tally, count):
    corpus = text_corpus(work)
    checkpoint = os.path.join(work, "corrupt-ckpt")
    rc, out, err = run(keel, ["train", "--text", corpus, "--hidden", "8", "--batch-size", "4", "--sequence-length", "16", "--steps", "4",
                              "--checkpoint-dir", checkpoint], work)
    assert rc == 0, err
    pristine = {name: open(os.path.join(checkpoint, name), "rb").read() for name in os.listdir(checkpoint)}
    commands = [["sample", checkpoint, "--length", "20"], ["evaluate", checkpoint, "--text", corpus],
                ["train", "--resume", checkpoint, "--steps", "5", "--checkpoint-dir", os.path.join(work, "corrupt-out")]]
    rng = random.Random(7)
    names = sorted(pristine)
    for case in range(count):
        name = names[case % len(names)]
        data = bytearray(pristine[name])
        kind = rng.choice(["flip", "flip", "flip", "truncate", "delete", "zero"])
        if kind == "flip":
            offset = rng.randrange(len(data))
            data[offset] ^= 1 << rng.randrange(8)
        elif kind == "truncate":
            data = data[:rng.randrange(len(data))]
        elif kind == "zero":
            data = bytearray(len(data))
        path = os.path.join(checkpoint, name)
        if kind == "delete":
            os.remove(path)
        else:
            with open(path, "wb") as handle:
                handle.write(data)
        for command in commands:
            rc, out, err = run(keel, command, work)
            tally.add("corrupt checkpoints", classify(rc, out, err), f"{kind} {name}: {command[0]} rc {rc} {err.strip()[:120]}")
        with open(path, "wb") as handle:
            handle.write(pristine[name])
    shutil.rmtree(os.path.join(work, "corrupt-out"), ignore_errors=True)
    for command in commands:  # the restored checkpoint loads
        rc, out, err = run(keel, command, work)
        tally.add("corrupt checkpoints", "ok" if rc == 0 else "crash", f"restored: {command[0]} rc {rc} {err.strip()[:160]}")


def probe_kills(keel, work, tally, kills):
    corpus = text_corpus(work)
    checkpoint = os.path.join(work, "kill-ckpt")
    base = ["train", "--text", corpus, "--hidden", "32", "--batch-size", "8", "--sequence-length", "32", "--steps", "1000000",
            "--checkpoint-dir", checkpoint, "--checkpoint-every", "1"]
    rng = random.Random(11)
    staged_seen = 0
    for attempt in range(kills):
        arguments = base if attempt == 0 else ["train", "--resume", checkpoint]
        process = subprocess.Popen([keel] + arguments, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        manifest = os.path.join(checkpoint, "manifest.json")
        before = os.stat(manifest).st_mtime_ns if os.path.exists(manifest) else -1
        deadline = time.time() + 60
        while time.time() < deadline:
            if os.path.exists(manifest) and os.stat(manifest).st_mtime_ns != before:
                break
            time.sleep(0.001)
        time.sleep(rng.uniform(0, 0.05))
        process.send_signal(signal.SIGKILL)
        process.wait()
        staged_seen += len([e for e in os.listdir(work) if e.startswith(".kill-ckpt.")])
        rc, out, err = run(keel, ["sample", checkpoint, "--length", "5"], work)
        tally.add("kill -9 while checkpointing", "ok" if rc == 0 else "accepted" if rc is not None else "hang",
                  f"kill {attempt}: unloadable, rc {rc} {err.strip()[:160]}")
    step = json.load(open(os.path.join(checkpoint, "manifest.json")))["step"]
    rc, out, err = run(keel, ["train", "--resume", checkpoint, "--steps", str(step + 1)], work)
    left = [e for e in os.listdir(work) if e.startswith(".kill-ckpt.")]
    tally.add("kill -9 while checkpointing", "ok" if rc == 0 and not left else "accepted", f"after the next run: rc {rc}, left {left}")
    print(f"kill -9: {kills} kills; staging directories seen right after the kills: {staged_seen} (removed by the next save: {not left})")


def probe_resume_copy(keel, work, tally):
    corpus = text_corpus(work)
    original = os.path.join(work, "original")
    copy = os.path.join(work, "copy")
    run(keel, ["train", "--text", corpus, "--hidden", "8", "--steps", "3", "--checkpoint-dir", original], work)
    shutil.copytree(original, copy)
    before = {name: open(os.path.join(original, name), "rb").read() for name in os.listdir(original)}
    moved = os.path.join(work, "elsewhere")
    os.makedirs(moved, exist_ok=True)
    rc, out, err = run(keel, ["train", "--resume", copy, "--steps", "5"], moved)
    after = {name: open(os.path.join(original, name), "rb").read() for name in os.listdir(original)}
    tally.add("resume a copy", "ok" if rc == 0 and before == after else "accepted", f"rc {rc}, original changed: {before != after} {err[:160]}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keel", default=os.path.join(os.path.dirname(__file__), "..", ".build", "release", "keel"))
    parser.add_argument("--kills", type=int, default=48)
    parser.add_argument("--corruptions", type=int, default=200)
    arguments = parser.parse_args()
    keel = os.path.abspath(arguments.keel)
    work = tempfile.mkdtemp(prefix="keel-probe-")
    tally = Tally()
    started = time.time()
    try:
        probe_flags(keel, work, tally)
        probe_edges(keel, work, tally)
        probe_configs(keel, work, tally)
        probe_data(keel, work, tally)
        probe_corruption(keel, work, tally, arguments.corruptions)
        probe_kills(keel, work, tally, arguments.kills)
        probe_resume_copy(keel, work, tally)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    failures = tally.report()
    print(f"{sum(row['cases'] for row in tally.rows.values())} cases in {time.time() - started:.0f} s; failures: {failures}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
