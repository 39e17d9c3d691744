#!/usr/bin/env python3
"""Independent safetensors reader (NumPy only): checks a Keel checkpoint's weights file.

Usage: read_safetensors.py WEIGHTS.safetensors EXPECTED.json
EXPECTED.json maps tensor names to flat lists of values. Exit status 0 when every tensor matches
bit for bit (as float32) and the layout follows the safetensors specification.
"""
import json
import struct
import sys

import numpy as np


def read(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    data = raw[8 + n:]
    metadata = header.pop("__metadata__", {})
    tensors = {}
    end = 0
    for name, entry in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0]):
        begin, stop = entry["data_offsets"]
        assert begin == end, f"{name}: gap or overlap at {begin}"
        dtype = {"F32": "<f4", "F64": "<f8"}[entry["dtype"]]
        array = np.frombuffer(data[begin:stop], dtype=dtype).reshape(entry["shape"])
        tensors[name] = array
        end = stop
    assert end == len(data), "data section not fully covered"
    return tensors, metadata


def main():
    tensors, metadata = read(sys.argv[1])
    with open(sys.argv[2]) as f:
        expected = json.load(f)
    assert set(expected) <= set(tensors), f"missing {set(expected) - set(tensors)}"
    for name, values in expected.items():
        got = tensors[name].astype(np.float32).ravel()
        want = np.asarray(values, dtype=np.float32)
        assert np.array_equal(got.view(np.uint32), want.view(np.uint32)), name
    print(f"ok: {len(tensors)} tensors, metadata {metadata}")


if __name__ == "__main__":
    main()
