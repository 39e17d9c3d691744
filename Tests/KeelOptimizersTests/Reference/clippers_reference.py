#!/usr/bin/env python3
"""Reference sequences for Keel's history-adaptive clippers (AutoClip, ZClip), written from the
published rules independently of the Swift code.

AutoClip (Seetharaman et al. 2020; github.com/pseeth/autoclip): append the current pre-clip
global L2 norm to the history (the last `history_limit` norms), threshold = np.percentile(history,
p) with NumPy's default linear method, clip g <- g * threshold / norm when norm > threshold.

ZClip (Kumar et al. 2025, arXiv:2504.02507; zclip.py): warm-up collects `warmup` norms (clipped
only at max_grad_norm if set); at the last one mean/var become their mean and population variance.
Afterwards z = (g - mean) / (std + 1e-6); on z > z_thr the threshold is
(mean + z_thr * std / (z / z_thr)) * clip_factor (adaptive scaling) or mean (`mean` response);
min(threshold, max_grad_norm); clip; then mean <- a*mean + (1-a)*g', var <- a*var + (1-a)*(g'-mean)^2
with g' the clipped norm and the new mean (frozen on spikes if requested).

Run: python3 clippers_reference.py  (writes clippers_reference.json next to this file).
"""
import json
import os

import numpy as np

SHAPES = {"layer.weight": [4, 3], "layer.bias": [3], "head.weight": [2, 2]}
STEPS = 70
SPIKES = {30: 40.0, 31: 3.0, 45: 1000.0, 52: 8.0, 53: 12.0, 60: 0.01}


def gradient_sets():
    rng = np.random.default_rng(20250504)
    sets = []
    for step in range(STEPS):
        scale = 1.0 + 0.01 * step
        g = {k: rng.normal(0.0, scale, size=s) for k, s in SHAPES.items()}
        if step in SPIKES:
            g = {k: v * SPIKES[step] for k, v in g.items()}
        sets.append(g)
    return sets


def global_norm(g):
    return float(np.sqrt(sum(np.sum(v * v) for v in g.values())))


def clip(g, norm, threshold):
    if threshold is not None and norm > threshold:
        coefficient = threshold / norm
        return {k: v * coefficient for k, v in g.items()}, True, threshold
    return g, False, norm


def autoclip(sets, percentile, history_limit):
    history, records = [], []
    for g in sets:
        norm = global_norm(g)
        history.append(norm)
        history = history[-history_limit:]
        threshold = float(np.percentile(np.array(history), percentile))
        out, fired, after = clip(g, norm, threshold)
        records.append(record(out, norm, after, threshold, fired))
    return records


def zclip(sets, alpha, z_thr, warmup, clip_factor, max_grad_norm, response, freeze):
    buffer, mean, var, records = [], None, None, []
    for g in sets:
        norm = global_norm(g)
        if mean is None:
            buffer.append(norm)
            if len(buffer) >= warmup:
                mean = sum(buffer) / len(buffer)
                var = sum((x - mean) ** 2 for x in buffer) / len(buffer)
                buffer = []
            out, fired, after = clip(g, norm, max_grad_norm)
            records.append(record(out, norm, after, max_grad_norm, fired))
            continue
        std = var ** 0.5
        z = (norm - mean) / (std + 1e-6)
        spike = z > z_thr
        threshold = None
        if spike:
            if response == "adaptiveScaling":
                eta = z / z_thr
                threshold = (mean + (z_thr * std) / eta) * clip_factor
            else:
                threshold = mean
        if max_grad_norm is not None:
            threshold = max_grad_norm if threshold is None else min(threshold, max_grad_norm)
        out, fired, after = clip(g, norm, threshold)
        if not (spike and freeze):
            mean = alpha * mean + (1 - alpha) * after
            var = alpha * var + (1 - alpha) * (after - mean) ** 2
        records.append(record(out, norm, after, threshold, fired))
    return records


def record(out, before, after, threshold, fired):
    return {
        "normBefore": before,
        "normAfter": after,
        "threshold": threshold,
        "fired": bool(fired),
        "output": {k: v.reshape(-1).tolist() for k, v in out.items()},
    }


def main():
    sets = gradient_sets()
    autoclip_configs = [
        {"percentile": 90.0, "historyLimit": 1000},
        {"percentile": 50.0, "historyLimit": 8},
        {"percentile": 10.0, "historyLimit": 5},
    ]
    zclip_configs = [
        {"alpha": 0.97, "zThreshold": 2.5, "warmupSteps": 25, "clipFactor": 1.0, "maxGradNorm": None,
         "response": "adaptiveScaling", "freezeStatisticsOnSpike": False},
        {"alpha": 0.9, "zThreshold": 2.0, "warmupSteps": 5, "clipFactor": 1.2, "maxGradNorm": 20.0,
         "response": "adaptiveScaling", "freezeStatisticsOnSpike": False},
        {"alpha": 0.95, "zThreshold": 1.5, "warmupSteps": 10, "clipFactor": 1.0, "maxGradNorm": None,
         "response": "mean", "freezeStatisticsOnSpike": True},
    ]
    fixture = {
        "keys": list(SHAPES.keys()),
        "shapes": [SHAPES[k] for k in SHAPES],
        "gradients": [{k: v.reshape(-1).tolist() for k, v in g.items()} for g in sets],
        "autoclip": [{"config": c, "steps": autoclip(sets, c["percentile"], c["historyLimit"])} for c in autoclip_configs],
        "zclip": [{"config": c, "steps": zclip(sets, c["alpha"], c["zThreshold"], c["warmupSteps"], c["clipFactor"],
                                              c["maxGradNorm"], c["response"], c["freezeStatisticsOnSpike"])}
                  for c in zclip_configs],
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "clippers_reference.json")
    with open(path, "w") as f:
        json.dump(fixture, f, indent=None, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
