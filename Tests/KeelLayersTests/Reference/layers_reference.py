#!/usr/bin/env python3
"""Independent NumPy reference for KeelLayers' BatchNorm, LayerNorm and losses.

Implements the equations PyTorch documents for BatchNorm1d (training statistics with the biased
variance, running variance updated with the unbiased one, momentum convention
running = (1 - m) * running + m * batch), LayerNorm, CrossEntropyLoss (class indices,
ignore_index, mean over non-ignored rows), BCEWithLogitsLoss and MSELoss, with the gradients of
the losses with respect to the predictions derived by hand. Writes layers_reference.json beside
this file. Run: python3 layers_reference.py
"""
import json
import os

import numpy as np

rng = np.random.default_rng(20261121)


def batch_norm_case(name, step_shapes, inference_shape, features, momentum, eps, affine):
    gamma = rng.normal(1.0, 0.3, features) if affine else np.ones(features)
    beta = rng.normal(0.0, 0.5, features) if affine else np.zeros(features)
    running_mean = np.zeros(features)
    running_var = np.ones(features)
    steps = []
    for shape in step_shapes:
        x = rng.normal(0.7, 2.0, shape)
        rows = x.reshape(-1, features)
        n = rows.shape[0]
        mean = rows.sum(axis=0) / n
        var_biased = ((rows - mean) ** 2).sum(axis=0) / n
        var_unbiased = ((rows - mean) ** 2).sum(axis=0) / (n - 1)
        y = (rows - mean) / np.sqrt(var_biased + eps) * gamma + beta
        running_mean = (1 - momentum) * running_mean + momentum * mean
        running_var = (1 - momentum) * running_var + momentum * var_unbiased
        steps.append({"shape": list(shape), "input": x.ravel().tolist(), "output": y.ravel().tolist()})
    x = rng.normal(0.7, 2.0, inference_shape)
    rows = x.reshape(-1, features)
    y = (rows - running_mean) / np.sqrt(running_var + eps) * gamma + beta
    return {
        "name": name, "features": features, "momentum": momentum, "epsilon": eps, "affine": affine,
        "scale": gamma.tolist(), "offset": beta.tolist(), "steps": steps,
        "runningMean": running_mean.tolist(), "runningVariance": running_var.tolist(),
        "inference": {"shape": list(inference_shape), "input": x.ravel().tolist(), "output": y.ravel().tolist()},
    }


def layer_norm_case(shape, eps):
    features = shape[-1]
    x = rng.normal(-0.3, 1.5, shape)
    gamma = rng.normal(1.0, 0.3, features)
    beta = rng.normal(0.0, 0.5, features)
    rows = x.reshape(-1, features)
    mean = rows.mean(axis=1, keepdims=True)
    var = ((rows - mean) ** 2).mean(axis=1, keepdims=True)
    y = (rows - mean) / np.sqrt(var + eps) * gamma + beta
    return {"shape": list(shape), "epsilon": eps, "scale": gamma.tolist(), "offset": beta.tolist(),
            "input": x.ravel().tolist(), "output": y.ravel().tolist()}


def cross_entropy_case(shape, reduction, ignore_index):
    classes = shape[-1]
    logits = rng.normal(0.0, 3.0, shape)
    targets = rng.integers(0, classes, shape[:-1]).astype(float)
    if ignore_index is not None:
        flat = targets.reshape(-1)
        flat[::3] = ignore_index
        targets = flat.reshape(shape[:-1])
    rows = logits.reshape(-1, classes)
    t = targets.reshape(-1)
    m = rows.max(axis=1, keepdims=True)
    log_softmax = rows - m - np.log(np.exp(rows - m).sum(axis=1, keepdims=True))
    softmax = np.exp(log_softmax)
    keep = np.ones(len(t), dtype=bool) if ignore_index is None else (t != ignore_index)
    losses = np.zeros(len(t))
    grad = np.zeros_like(rows)
    for i in range(len(t)):
        if keep[i]:
            losses[i] = -log_softmax[i, int(t[i])]
            grad[i] = softmax[i]
            grad[i, int(t[i])] -= 1
    if reduction == "mean":
        value = losses.sum() / keep.sum()
        grad = grad / keep.sum()
    else:
        value = losses.sum()
    return {"kind": "softmaxCrossEntropy", "reduction": reduction, "ignoreIndex": ignore_index,
            "shape": list(shape), "targetShape": list(shape[:-1]),
            "predictions": logits.ravel().tolist(), "targets": targets.ravel().tolist(),
            "value": float(value), "gradient": grad.ravel().tolist()}


def binary_cross_entropy_case(shape, reduction):
    x = rng.normal(0.0, 4.0, shape)
    y = rng.uniform(0.0, 1.0, shape)
    y.ravel()[::4] = np.round(y.ravel()[::4])
    # -[y log s + (1 - y) log(1 - s)] with s = sigmoid(x), evaluated stably via log1p.
    losses = np.maximum(x, 0) - x * y + np.log1p(np.exp(-np.abs(x)))
    grad = 1 / (1 + np.exp(-x)) - y
    n = x.size
    value = losses.sum() / n if reduction == "mean" else losses.sum()
    if reduction == "mean":
        grad = grad / n
    return {"kind": "binaryCrossEntropy", "reduction": reduction, "ignoreIndex": None,
            "shape": list(shape), "targetShape": list(shape),
            "predictions": x.ravel().tolist(), "targets": y.ravel().tolist(),
            "value": float(value), "gradient": grad.ravel().tolist()}


def mse_case(shape, reduction):
    p = rng.normal(0.0, 2.0, shape)
    t = rng.normal(0.5, 1.0, shape)
    d = p - t
    n = p.size
    value = (d ** 2).sum() / n if reduction == "mean" else (d ** 2).sum()
    grad = 2 * d / n if reduction == "mean" else 2 * d
    return {"kind": "meanSquaredError", "reduction": reduction, "ignoreIndex": None,
            "shape": list(shape), "targetShape": list(shape),
            "predictions": p.ravel().tolist(), "targets": t.ravel().tolist(),
            "value": float(value), "gradient": grad.ravel().tolist()}


fixture = {
    "batchNorm": [
        batch_norm_case("batch-features affine", [(6, 4), (5, 4), (8, 4)], (3, 4), 4, 0.1, 1e-5, True),
        batch_norm_case("batch-features plain", [(4, 3), (7, 3)], (5, 3), 3, 0.3, 1e-5, False),
        batch_norm_case("time-batch-features affine", [(3, 4, 5), (2, 3, 5), (4, 2, 5)], (2, 2, 5), 5, 0.1, 1e-5, True),
    ],
    "layerNorm": [layer_norm_case((4, 6), 1e-5), layer_norm_case((3, 2, 5), 1e-5)],
    "losses": [
        cross_entropy_case((5, 4), "mean", None),
        cross_entropy_case((6, 7), "sum", None),
        cross_entropy_case((3, 4, 5), "mean", -100),
        cross_entropy_case((2, 5, 3), "sum", 1),
        binary_cross_entropy_case((4, 5), "mean"),
        binary_cross_entropy_case((2, 3, 4), "sum"),
        mse_case((4, 3), "mean"),
        mse_case((2, 3, 2), "sum"),
    ],
}

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "layers_reference.json")
with open(path, "w") as f:
    json.dump(fixture, f, indent=1)
print("wrote", path)
