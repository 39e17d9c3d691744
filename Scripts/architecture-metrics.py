#!/usr/bin/env python3
"""Count the architecture smells that issue #20 set out to remove, so a change can show before/after.

Usage (from the repository root, or any checkout):
    python3 Scripts/architecture-metrics.py [ROOT]

Counts, over the Swift files under ROOT/Sources (comments stripped):
  * forced casts `as!`, and `Any` used as a type (`Any`, `[Any]`, `[String: Any]`, `Any.Type`);
  * type checks against a concrete built-in cell (`is LSTMCell`, `as? GRUCell`, ...);
  * public functions whose signature takes or returns a raw pointer (`Unsafe…Pointer`);
  * protocols of the recurrent path (cells, sequence layers, recurrent state and kernels);
  * lines of `Sources/KeelCommands/TrainRunner.swift`.
It prints one `metric: count` line per metric, then the places, so a reviewer can check them.
"""
import os
import re
import sys

ROOT = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), ".."))
SOURCES = os.path.join(ROOT, "Sources")
CELLS = r"(?:LSTMCell|GRUCell|RNNCell)"
# Where recurrent-path protocols live, and names that mark one elsewhere.
RECURRENT_PATHS = ("KeelLayers/Recurrent/", "KeelTrainer/Models/", "KeelCore/Protocols/Cell.swift",
                   "KeelCore/Kernels/Recurrent", "KeelConformance/Cell")


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(r'"(?:\\.|[^"\\\n])*"', '""', text)
    return re.sub(r"//[^\n]*", "", text)


def swift_files():
    for directory, _, names in os.walk(SOURCES):
        for name in sorted(names):
            if name.endswith(".swift"):
                path = os.path.join(directory, name)
                yield os.path.relpath(path, ROOT), strip_comments(open(path, encoding="utf-8").read())


def places(pattern, files, flags=0):
    found = []
    for path, text in files:
        for number, line in enumerate(text.split("\n"), 1):
            if re.search(pattern, line, flags):
                found.append(f"{path}:{number}: {line.strip()}")
    return found


def public_pointer_functions(files):
    found = []
    for path, text in files:
        for match in re.finditer(r"\bpublic\s+(?:static\s+|mutating\s+|@inlinable\s+)*func\s+\w+[^{]*", text):
            if "Unsafe" in match.group(0) and "Pointer" in match.group(0):
                number = text.count("\n", 0, match.start()) + 1
                found.append(f"{path}:{number}: {match.group(0).split('(')[0].strip()}")
    return found


def recurrent_protocols(files):
    found = []
    for path, text in files:
        for number, line in enumerate(text.split("\n"), 1):
            match = re.search(r"\b(public|package)\s+protocol\s+(\w+)", line)
            if match and (any(part in path for part in RECURRENT_PATHS) or "CellStateTensors" in match.group(2)):
                found.append(f"{path}:{number}: {match.group(1)} protocol {match.group(2)}")
    return found


def main():
    files = list(swift_files())
    runner = os.path.join(SOURCES, "KeelCommands", "TrainRunner.swift")
    metrics = [
        ("as!", places(r"\bas!", files)),
        ("Any as a type", places(r"(?<![\w.])Any(?![\w])", files)),
        ("concrete-cell type checks", places(rf"\b(?:is|as\?|as!)\s+{CELLS}\b", files)),
        ("public raw-pointer functions", public_pointer_functions(files)),
        ("recurrent protocols (public/package)", recurrent_protocols(files)),
    ]
    for name, found in metrics:
        print(f"{name}: {len(found)}")
    lines = sum(1 for _ in open(runner, encoding="utf-8")) if os.path.exists(runner) else 0
    print(f"TrainRunner.swift lines: {lines}")
    for name, found in metrics:
        if found:
            print(f"\n## {name}")
            print("\n".join(found))


if __name__ == "__main__":
    main()
