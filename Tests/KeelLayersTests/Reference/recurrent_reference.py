#!/usr/bin/env python3
"""Independent NumPy reference for Keel's recurrent layers.

Implements PyTorch's documented equations for nn.RNN (tanh, relu), nn.LSTM (gates i, f, g, o)
and nn.GRU (gates r, z, n; reset applied after the hidden matmul) with multiple layers and
bidirectional directions, a hand-written backpropagation through time, and verifies that
backward pass against central finite differences in float64 before writing the fixtures.

Loss: L = sum(Wy * y) + sum over layers/directions/state tensors of sum(Ws * s_final).

Keys follow Keel: StackedRecurrent keys `layer{l}.` and Bidirectional keys `forward.`/`backward.`,
cell keys weightIH, weightHH, biasIH, biasHH (PyTorch layout).

Usage: python3 recurrent_reference.py  (writes recurrent_reference.json next to this script)
"""
import json
import os

import numpy as np

GATES = {"lstm": 4, "gru": 3, "rnn_tanh": 1, "rnn_relu": 1}


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def cell_forward(kind, p, x, state):
    h = state[0]
    zx = x @ p["weightIH"].T + p["biasIH"]
    zh = h @ p["weightHH"].T + p["biasHH"]
    if kind in ("rnn_tanh", "rnn_relu"):
        z = zx + zh
        hn = np.tanh(z) if kind == "rnn_tanh" else np.maximum(z, 0)
        return [hn], (kind, x, h, z, hn)
    if kind == "lstm":
        c = state[1]
        i, f, g, o = np.split(zx + zh, 4, axis=1)
        i, f, g, o = sigmoid(i), sigmoid(f), np.tanh(g), sigmoid(o)
        cn = f * c + i * g
        tc = np.tanh(cn)
        hn = o * tc
        return [hn, cn], (kind, x, h, c, i, f, g, o, tc)
    if kind == "gru":
        xr, xz, xn = np.split(zx, 3, axis=1)
        hr, hz, hn_ = np.split(zh, 3, axis=1)
        r = sigmoid(xr + hr)
        z = sigmoid(xz + hz)
        n = np.tanh(xn + r * hn_)
        hn = (1 - z) * n + z * h
        return [hn], (kind, x, h, r, z, n, hn_)
    raise ValueError(kind)


def cell_backward(p, grads, dstate, cache):
    """dstate: gradient w.r.t. the new state (hidden includes the output gradient)."""
    kind = cache[0]
    dh = dstate[0]
    if kind in ("rnn_tanh", "rnn_relu"):
        _, x, h, z, hn = cache
        dz = dh * (1 - hn ** 2) if kind == "rnn_tanh" else dh * (z > 0)
        dzx, dzh, direct = dz, dz, [np.zeros_like(h)]
    elif kind == "lstm":
        _, x, h, c, i, f, g, o, tc = cache
        dc = dstate[1] + dh * o * (1 - tc ** 2)
        di = dc * g * i * (1 - i)
        df = dc * c * f * (1 - f)
        dg = dc * i * (1 - g ** 2)
        do = dh * tc * o * (1 - o)
        dz = np.concatenate([di, df, dg, do], axis=1)
        dzx, dzh, direct = dz, dz, [np.zeros_like(h), dc * f]
    else:
        _, x, h, r, z, n, hn_ = cache
        dn = dh * (1 - z) * (1 - n ** 2)
        dzz = dh * (h - n) * z * (1 - z)
        dr = dn * hn_ * r * (1 - r)
        dzx = np.concatenate([dr, dzz, dn], axis=1)
        dzh = np.concatenate([dr, dzz, dn * r], axis=1)
        direct = [dh * z]
    grads["weightIH"] += dzx.T @ x
    grads["weightHH"] += dzh.T @ h
    grads["biasIH"] += dzx.sum(axis=0)
    grads["biasHH"] += dzh.sum(axis=0)
    dx = dzx @ p["weightIH"]
    direct[0] = direct[0] + dzh @ p["weightHH"]
    return dx, direct


def run_direction(kind, p, xs, state):
    outputs, caches = [], []
    for x in xs:
        state, cache = cell_forward(kind, p, x, state)
        outputs.append(state[0])
        caches.append(cache)
    return np.stack(outputs), state, caches


def backprop_direction(p, grads, dys, dfinal, caches):
    dstate = [d.copy() for d in dfinal]
    dxs = [None] * len(caches)
    for t in reversed(range(len(caches))):
        dstate[0] = dstate[0] + dys[t]
        dxs[t], dstate = cell_backward(p, grads, dstate, caches[t])
    return np.stack(dxs), dstate


def directions(bidirectional):
    return ["forward", "backward"] if bidirectional else [None]


def key(layer, direction, name):
    return f"layer{layer}." + (f"{direction}." if direction else "") + name


def cell_params(params, layer, direction):
    return {n: params[key(layer, direction, n)] for n in ("weightIH", "weightHH", "biasIH", "biasHH")}


def model_forward(case, params, x, initial):
    kind, layers, bi = case["cell"], case["layers"], case["bidirectional"]
    seq, finals, caches = x, [], []
    for layer in range(layers):
        outs, layer_caches = [], []
        for d_index, direction in enumerate(directions(bi)):
            p = cell_params(params, layer, direction)
            state = initial[layer][d_index]
            xs = seq if direction != "backward" else seq[::-1]
            y, final, cache = run_direction(kind, p, xs, state)
            outs.append(y if direction != "backward" else y[::-1])
            finals.append(final)
            layer_caches.append(cache)
        caches.append((seq, layer_caches))
        seq = np.concatenate(outs, axis=2)
    return seq, finals, caches


def loss(case, params, x, initial, wy, wfinal):
    y, finals, _ = model_forward(case, params, x, initial)
    total = np.sum(wy * y)
    for final, weights in zip(finals, wfinal):
        total += sum(np.sum(s * w) for s, w in zip(final, weights))
    return total


def model_backward(case, params, x, initial, wy, wfinal):
    kind, layers, bi, H = case["cell"], case["layers"], case["bidirectional"], case["H"]
    y, finals, caches = model_forward(case, params, x, initial)
    grads = {k: np.zeros_like(v) for k, v in params.items()}
    dinitial = [[None] * len(directions(bi)) for _ in range(layers)]
    dseq = wy
    flat = 0
    final_index = {}
    for layer in range(layers):
        for d_index, _ in enumerate(directions(bi)):
            final_index[(layer, d_index)] = flat
            flat += 1
    for layer in reversed(range(layers)):
        seq, layer_caches = caches[layer]
        dinput = np.zeros_like(seq)
        for d_index, direction in enumerate(directions(bi)):
            p = cell_params(params, layer, direction)
            g = {n: grads[key(layer, direction, n)] for n in p}
            dys = dseq[:, :, d_index * H:(d_index + 1) * H]
            if direction == "backward":
                dys = dys[::-1]
            dxs, dstate = backprop_direction(p, g, dys, wfinal[final_index[(layer, d_index)]], layer_caches[d_index])
            dinput += dxs if direction != "backward" else dxs[::-1]
            dinitial[layer][d_index] = dstate
        dseq = dinput
    return y, finals, dseq, dinitial, grads


def numeric(f, array, eps=1e-6):
    grad = np.zeros_like(array)
    it = np.nditer(array, flags=["multi_index"])
    for _ in it:
        idx = it.multi_index
        old = array[idx]
        array[idx] = old + eps
        plus = f()
        array[idx] = old - eps
        minus = f()
        array[idx] = old
        grad[idx] = (plus - minus) / (2 * eps)
    return grad


def rel(a, b):
    return np.linalg.norm(a - b) / max(np.linalg.norm(a), np.linalg.norm(b), 1e-30)


def tensor(a):
    a = np.asarray(a, dtype=np.float64)
    return {"shape": list(a.shape), "data": [float(v) for v in a.reshape(-1)]}


def make_case(name, kind, layers, bidirectional, T, B, I, H, seed):
    rng = np.random.default_rng(seed)
    G = GATES[kind]
    nd = 2 if bidirectional else 1
    bound = 1 / np.sqrt(H)
    params = {}
    for layer in range(layers):
        width = I if layer == 0 else nd * H
        for direction in directions(bidirectional):
            params[key(layer, direction, "weightIH")] = rng.uniform(-bound, bound, (G * H, width))
            params[key(layer, direction, "weightHH")] = rng.uniform(-bound, bound, (G * H, H))
            params[key(layer, direction, "biasIH")] = rng.uniform(-bound, bound, (G * H,))
            params[key(layer, direction, "biasHH")] = rng.uniform(-bound, bound, (G * H,))
    ns = 2 if kind == "lstm" else 1
    x = rng.uniform(-1, 1, (T, B, I))
    initial = [[[rng.uniform(-0.5, 0.5, (B, H)) for _ in range(ns)] for _ in range(nd)] for _ in range(layers)]
    wy = rng.uniform(-1, 1, (T, B, nd * H))
    wfinal = [[rng.uniform(-1, 1, (B, H)) for _ in range(ns)] for _ in range(layers * nd)]
    case = {"name": name, "cell": kind, "layers": layers, "bidirectional": bidirectional, "T": T, "B": B, "I": I, "H": H}

    y, finals, dx, dinitial, grads = model_backward(case, params, x, initial, wy, wfinal)

    # The hand-written BPTT must agree with central differences in float64.
    f = lambda: loss(case, params, x, initial, wy, wfinal)
    worst = rel(dx, numeric(f, x))
    for k in params:
        worst = max(worst, rel(grads[k], numeric(f, params[k])))
    for layer in range(layers):
        for d in range(nd):
            for s in range(ns):
                worst = max(worst, rel(dinitial[layer][d][s], numeric(f, initial[layer][d][s])))
    assert worst < 1e-7, f"{name}: hand-written BPTT disagrees with finite differences ({worst})"

    case.update({
        "parameters": {k: tensor(v) for k, v in params.items()},
        "input": tensor(x),
        "initialStates": [tensor(s) for layer in initial for d in layer for s in d],
        "outputWeights": tensor(wy),
        "finalStateWeights": [tensor(s) for d in wfinal for s in d],
        "output": tensor(y),
        "finalStates": [tensor(s) for final in finals for s in final],
        "inputGradient": tensor(dx),
        "initialStateGradients": [tensor(s) for layer in dinitial for d in layer for s in d],
        "parameterGradients": {k: tensor(v) for k, v in grads.items()},
        "finiteDifferenceCheck": worst,
    })
    return case


def main():
    cases = []
    seed = 100
    for kind in ("lstm", "gru", "rnn_tanh", "rnn_relu"):
        for bidirectional in (False, True):
            name = f"{kind}_2layer_{'bidirectional' if bidirectional else 'unidirectional'}"
            cases.append(make_case(name, kind, 2, bidirectional, T=6, B=3, I=5, H=4, seed=seed))
            seed += 1
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "recurrent_reference.json")
    with open(path, "w") as f:
        json.dump({
            "generator": "Tests/KeelLayersTests/Reference/recurrent_reference.py",
            "numpy": np.__version__,
            "note": "PyTorch's documented RNN/LSTM/GRU equations; L = sum(Wy*y) + sum(Ws*final states)",
            "cases": cases,
        }, f, indent=None, separators=(",", ":"))
    for case in cases:
        print(f"{case['name']}: finite-difference check {case['finiteDifferenceCheck']:.2e}")


if __name__ == "__main__":
    main()
