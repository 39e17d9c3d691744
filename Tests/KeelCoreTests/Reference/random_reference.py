#!/usr/bin/env python3
"""Independent reference for Keel's random generator and conversions.

Implements SplitMix64 seeding, xoshiro256** (Blackman & Vigna), the [0, 1) conversions and
Marsaglia's polar method exactly as documented in Keel's `Xoshiro256StarStar` and
`RandomNumberGenerator+Keel.swift`, using Python integers and NumPy float64/float32, and writes
random_reference.json beside this script. Run: python3 random_reference.py
"""
import json
import math
import os

import numpy as np

MASK = (1 << 64) - 1


def splitmix_seed(seed):
    state = seed
    words = []
    for _ in range(4):
        state = (state + 0x9E3779B97F4A7C15) & MASK
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        words.append(z ^ (z >> 31))
    return words


def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & MASK


class Xoshiro:
    def __init__(self, seed):
        self.s = splitmix_seed(seed)

    def next(self):
        s = self.s
        result = (rotl((s[1] * 5) & MASK, 7) * 9) & MASK
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result

    def unit_double(self):
        return float(np.float64(self.next() >> 11) * np.float64(2.0 ** -53))

    def unit_float(self):
        return float(np.float32(self.next() >> 40) * np.float32(2.0 ** -24))

    def normal_pair(self):
        while True:
            u = 2 * self.unit_double() - 1
            v = 2 * self.unit_double() - 1
            s = u * u + v * v
            if 0 < s < 1:
                f = math.sqrt(-2 * math.log(s) / s)
                return u * f, v * f


def main():
    cases = []
    for seed in [0, 1, 42, 2**63 + 12345]:
        g = Xoshiro(seed)
        state = list(g.s)
        raw = [g.next() for _ in range(8)]
        g = Xoshiro(seed)
        doubles = [g.unit_double() for _ in range(8)]
        g = Xoshiro(seed)
        floats = [g.unit_float() for _ in range(8)]
        g = Xoshiro(seed)
        normals = []
        for _ in range(4):
            normals.extend(g.normal_pair())
        # Tensor(randomUniform: [7], lowerBound: -2, upperBound: 3) in Float and Double.
        g = Xoshiro(seed)
        uniform_float = [float(np.float32(-2) + np.float32(5) * np.float32(g.unit_float())) for _ in range(7)]
        g = Xoshiro(seed)
        uniform_double = [-2.0 + 5.0 * g.unit_double() for _ in range(7)]
        # Tensor(randomNormal: [5], mean: 1, standardDeviation: 0.5) in Double (pairs, odd tail).
        g = Xoshiro(seed)
        normal_tensor = []
        while len(normal_tensor) < 5:
            a, b = g.normal_pair()
            normal_tensor.append(1.0 + 0.5 * a)
            if len(normal_tensor) < 5:
                normal_tensor.append(1.0 + 0.5 * b)
        cases.append({
            "seed": str(seed), "state": [str(w) for w in state], "next": [str(r) for r in raw],
            "unitDouble": doubles, "unitFloat": floats, "normal": normals,
            "uniformFloatTensor": uniform_float, "uniformDoubleTensor": uniform_double,
            "normalDoubleTensor": normal_tensor,
        })
    logs = [{"x": x, "log": math.log(x)} for x in [1e-300, 1e-10, 0.001, 0.3, 0.5, 0.70710678, 0.9999, 1.0, 1.5, 2.0, 10.0, 12345.678, 1e300]]
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "random_reference.json")
    with open(path + ".tmp", "w") as f:
        json.dump({"generator": cases, "log": logs}, f, indent=1)
    os.replace(path + ".tmp", path)


if __name__ == "__main__":
    main()
