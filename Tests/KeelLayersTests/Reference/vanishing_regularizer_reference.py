#!/usr/bin/env python3
"""Independent NumPy reference for Keel's VanishingGradientRegularizer (Pascanu et al. 2013).

A one-layer RNN h_t = phi(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) in float64, a hand-written
backpropagation through time (checked against central finite differences of the loss), and the
regularizer as the authors' code defines it (pascanur/trainingRNNs, RNN.py):

    g_t   = dL/dh_t (total: from the loss and from the future), delta_t = dL/da_t
    q_t   = delta_t W_hh            (what step t passes back to h_{t-1})
    s_t,b = |q_t,b|^2 / |g_t,b|^2   over pairs with |g_t,b|^2 >= bound
    Omega = mean over those pairs of (s - 1)^2

Its gradient with respect to W_hh holds g and delta constant (the paper's "immediate
derivative"); here it is taken by central finite differences of Omega(W) with g and delta frozen,
so the fixture does not share the analytic formula Keel uses.

Loss: L = sum(Wy * y) + sum(Ws * h_T), where y is every output (or only the last one).
Expected weightHH gradient: dL/dW_hh + alpha * dOmega/dW_hh; the other gradients are dL/dtheta.

Usage: python3 vanishing_regularizer_reference.py  (writes vanishing_regularizer_reference.json)
"""
import json
import os

import numpy as np

BOUND = 1e-20


def phi(kind, a):
    return np.tanh(a) if kind == "rnn_tanh" else np.maximum(a, 0)


def phi_prime(kind, a, h):
    return 1 - h * h if kind == "rnn_tanh" else (a > 0).astype(np.float64)


def forward(kind, p, x, h0):
    hs, acts = [h0], []
    for t in range(x.shape[0]):
        a = x[t] @ p["weightIH"].T + p["biasIH"] + hs[-1] @ p["weightHH"].T + p["biasHH"]
        acts.append(a)
        hs.append(phi(kind, a))
    return np.stack(hs[1:]), hs, acts


def loss(kind, p, x, h0, wy, ws, last_only):
    y, hs, _ = forward(kind, p, x, h0)
    out = np.sum(wy * y[-1]) if last_only else np.sum(wy * y)
    return out + np.sum(ws * hs[-1])


def bptt(kind, p, x, h0, wy, ws, last_only, depth):
    """Gradients over the last `depth` steps, and per processed step g_t and delta_t."""
    T = x.shape[0]
    _, hs, acts = forward(kind, p, x, h0)
    grads = {k: np.zeros_like(v) for k, v in p.items()}
    carry = ws.copy()
    first = T - depth
    gs, deltas = {}, {}
    for t in range(T - 1, first - 1, -1):
        g = carry + (wy if (last_only and t == T - 1) else (0 if last_only else wy[t]))
        delta = g * phi_prime(kind, acts[t], hs[t + 1])
        gs[t], deltas[t] = g, delta
        grads["weightIH"] += delta.T @ x[t]
        grads["weightHH"] += delta.T @ hs[t]
        grads["biasIH"] += delta.sum(0)
        grads["biasHH"] += delta.sum(0)
        carry = delta @ p["weightHH"]
    steps = list(range(first, T))
    return grads, np.stack([gs[t] for t in steps]), np.stack([deltas[t] for t in steps])


def omega(w, g, delta):
    q = np.einsum("tbi,ij->tbj", delta, w)
    gg = (g ** 2).sum(-1)
    qq = (q ** 2).sum(-1)
    valid = gg >= BOUND
    if not valid.any():
        return 0.0
    return float((((qq[valid] / gg[valid]) - 1) ** 2).sum() / valid.sum())


def central(f, w, eps):
    out = np.zeros_like(w)
    for idx in np.ndindex(*w.shape):
        plus, minus = w.copy(), w.copy()
        plus[idx] += eps
        minus[idx] -= eps
        out[idx] = (f(plus) - f(minus)) / (2 * eps)
    return out


def tensor(a):
    a = np.asarray(a, dtype=np.float64)
    return {"shape": list(a.shape), "data": a.reshape(-1).tolist()}


def make_case(name, kind, T, B, I, H, alpha, last_only, depth, seed, silent_row=None):
    rng = np.random.default_rng(seed)
    p = {
        "weightIH": rng.normal(0, 0.6, (H, I)),
        "weightHH": rng.normal(0, 0.5, (H, H)),
        "biasIH": rng.normal(0, 0.1, H),
        "biasHH": rng.normal(0, 0.1, H),
    }
    x = rng.normal(0, 1, (T, B, I))
    h0 = rng.normal(0, 0.3, (B, H))
    wy = rng.normal(0, 1, (B, H)) if last_only else rng.normal(0, 1, (T, B, H))
    ws = rng.normal(0, 0.5, (B, H))
    if silent_row is not None:  # a batch row the loss ignores: every |g|^2 is 0, left out of Omega
        wy[..., silent_row, :] = 0
        ws[silent_row] = 0
    depth = T if depth is None else depth

    grads, g, delta = bptt(kind, p, x, h0, wy, ws, last_only, depth)
    if depth == T:  # the hand-written BPTT against finite differences of L
        for key in p:
            def f(v, key=key):
                q = dict(p)
                q[key] = v
                return loss(kind, q, x, h0, wy, ws, last_only)
            numeric = central(f, p[key], 1e-6)
            assert np.allclose(numeric, grads[key], rtol=1e-6, atol=1e-7), (name, key)
    value = omega(p["weightHH"], g, delta)
    omega_gradient = central(lambda w: omega(w, g, delta), p["weightHH"], 1e-6)
    expected = dict(grads)
    expected["weightHH"] = grads["weightHH"] + alpha * omega_gradient
    return {
        "name": name, "cell": kind, "T": T, "B": B, "I": I, "H": H, "alpha": alpha,
        "lastOnly": last_only, "depth": depth,
        "parameters": {k: tensor(v) for k, v in p.items()},
        "input": tensor(x), "initialHidden": tensor(h0),
        "outputWeights": tensor(wy), "finalStateWeights": tensor(ws),
        "delta": tensor(delta.reshape(-1, H)),
        "omega": value, "omegaGradient": tensor(omega_gradient),
        "parameterGradients": {k: tensor(v) for k, v in expected.items()},
    }


def main():
    cases = [
        make_case("tanh-sequence-silent-row", "rnn_tanh", 7, 3, 2, 4, 0.7, False, None, 1, silent_row=1),
        make_case("tanh-last-output", "rnn_tanh", 6, 4, 3, 5, 2.0, True, None, 2),
        make_case("relu-sequence", "rnn_relu", 6, 3, 2, 4, 0.5, False, None, 3),
        make_case("tanh-truncated", "rnn_tanh", 8, 2, 2, 3, 1.5, False, 5, 4),
    ]
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "vanishing_regularizer_reference.json")
    with open(path + ".tmp", "w") as f:
        json.dump({"cases": cases}, f)
    os.replace(path + ".tmp", path)
    print(f"wrote {len(cases)} cases to {path}")


if __name__ == "__main__":
    main()
