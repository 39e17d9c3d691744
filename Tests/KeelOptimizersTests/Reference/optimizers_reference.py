#!/usr/bin/env python3
"""Reference trajectories for Keel's optimizers and learning-rate schedules.

An independent NumPy implementation of the algorithms as PyTorch documents them
(torch.optim.SGD, Adam, AdamW, RMSprop, Adagrad and the lr_scheduler classes) and of Lion
(Chen et al. 2023). Writes optimizers_reference.json beside this file:

    python3 optimizers_reference.py

Trajectories: parameters p (three tensors), gradient g_t = (p_t - target) * curvature + noise_t
(so updates feed back), 20 steps, p_{t+1} = p_t + update_t. Everything in float64.
"""
import json
import math
import os

import numpy as np

STEPS = 20
SHAPES = {"layer.weight": [3, 4], "layer.bias": [4], "cell.kernel": [2, 3, 2]}


def make_problem():
    rng = np.random.default_rng(20240611)
    params = {k: rng.normal(size=s) for k, s in SHAPES.items()}
    curvature = {k: rng.uniform(0.5, 2.0, size=s) for k, s in SHAPES.items()}
    target = {k: rng.normal(size=s) for k, s in SHAPES.items()}
    noise = [{k: 0.1 * rng.normal(size=s) for k, s in SHAPES.items()} for _ in range(STEPS)]
    return params, curvature, target, noise


# ----------------------------------------------------------------------------- optimizers
# Each is a function (param, grad, state, step t starting at 1, options) -> new param, written
# after the pseudo-code of the PyTorch documentation.

def sgd(p, g, st, t, o):
    lr, mu, tau, wd, nesterov = o["learningRate"], o.get("momentum", 0), o.get("dampening", 0), o.get("weightDecay", 0), o.get("nesterov", False)
    if wd != 0:
        g = g + wd * p
    if mu != 0:
        if t > 1:
            st["b"] = mu * st["b"] + (1 - tau) * g
        else:
            st["b"] = g.copy()
        if nesterov:
            g = g + mu * st["b"]
        else:
            g = st["b"]
    return p - lr * g


def adam(p, g, st, t, o, decoupled=False):
    lr, b1, b2 = o["learningRate"], o.get("beta1", 0.9), o.get("beta2", 0.999)
    eps, wd, ams = o.get("epsilon", 1e-8), o.get("weightDecay", 1e-2 if decoupled else 0), o.get("amsgrad", False)
    if decoupled:
        p = p * (1 - lr * wd)
    elif wd != 0:
        g = g + wd * p
    st.setdefault("m", np.zeros_like(p))
    st.setdefault("v", np.zeros_like(p))
    st["m"] = b1 * st["m"] + (1 - b1) * g
    st["v"] = b2 * st["v"] + (1 - b2) * g * g
    bc1, bc2 = 1 - b1 ** t, 1 - b2 ** t
    if ams:
        st["vmax"] = np.maximum(st.get("vmax", np.zeros_like(p)), st["v"])
        denom = np.sqrt(st["vmax"]) / math.sqrt(bc2) + eps
    else:
        denom = np.sqrt(st["v"]) / math.sqrt(bc2) + eps
    return p - (lr / bc1) * st["m"] / denom


def adamw(p, g, st, t, o):
    return adam(p, g, st, t, o, decoupled=True)


def rmsprop(p, g, st, t, o):
    lr, alpha, eps = o["learningRate"], o.get("alpha", 0.99), o.get("epsilon", 1e-8)
    wd, mu, centered = o.get("weightDecay", 0), o.get("momentum", 0), o.get("centered", False)
    if wd != 0:
        g = g + wd * p
    st["sq"] = alpha * st.get("sq", np.zeros_like(p)) + (1 - alpha) * g * g
    if centered:
        st["ga"] = alpha * st.get("ga", np.zeros_like(p)) + (1 - alpha) * g
        avg = np.sqrt(st["sq"] - st["ga"] ** 2) + eps
    else:
        avg = np.sqrt(st["sq"]) + eps
    if mu > 0:
        st["b"] = mu * st.get("b", np.zeros_like(p)) + g / avg
        return p - lr * st["b"]
    return p - lr * g / avg


def adagrad(p, g, st, t, o):
    lr, decay, wd = o["learningRate"], o.get("learningRateDecay", 0), o.get("weightDecay", 0)
    init, eps = o.get("initialAccumulatorValue", 0), o.get("epsilon", 1e-10)
    if wd != 0:
        g = g + wd * p
    clr = lr / (1 + (t - 1) * decay)
    st["sum"] = st.get("sum", np.full_like(p, init)) + g * g
    return p - clr * g / (np.sqrt(st["sum"]) + eps)


def lion(p, g, st, t, o):
    lr, b1, b2, wd = o["learningRate"], o.get("beta1", 0.9), o.get("beta2", 0.99), o.get("weightDecay", 0)
    m = st.get("m", np.zeros_like(p))
    p = p * (1 - lr * wd)
    p = p - lr * np.sign(b1 * m + (1 - b1) * g)
    st["m"] = b2 * m + (1 - b2) * g
    return p


OPTIMIZERS = {"SGD": sgd, "Adam": adam, "AdamW": adamw, "RMSprop": rmsprop, "Adagrad": adagrad, "Lion": lion}

CONFIGS = [
    ("SGD", {"learningRate": 0.1}),
    ("SGD", {"learningRate": 0.1, "momentum": 0.9}),
    ("SGD", {"learningRate": 0.1, "momentum": 0.9, "dampening": 0.5}),
    ("SGD", {"learningRate": 0.05, "momentum": 0.9, "nesterov": True}),
    ("SGD", {"learningRate": 0.1, "weightDecay": 0.1}),
    ("SGD", {"learningRate": 0.05, "momentum": 0.8, "dampening": 0.1, "weightDecay": 0.05}),
    ("SGD", {"learningRate": 0.05, "momentum": 0.9, "nesterov": True, "weightDecay": 0.05}),
    ("Adam", {"learningRate": 0.05}),
    ("Adam", {"learningRate": 0.05, "amsgrad": True}),
    ("Adam", {"learningRate": 0.05, "weightDecay": 0.1}),
    ("Adam", {"learningRate": 0.05, "amsgrad": True, "weightDecay": 0.1, "beta1": 0.8, "beta2": 0.99, "epsilon": 1e-6}),
    ("AdamW", {"learningRate": 0.05}),
    ("AdamW", {"learningRate": 0.05, "weightDecay": 0.1, "amsgrad": True}),
    ("RMSprop", {"learningRate": 0.01}),
    ("RMSprop", {"learningRate": 0.01, "centered": True}),
    ("RMSprop", {"learningRate": 0.01, "momentum": 0.9}),
    ("RMSprop", {"learningRate": 0.01, "centered": True, "momentum": 0.9, "weightDecay": 0.1, "alpha": 0.9}),
    ("Adagrad", {"learningRate": 0.1}),
    ("Adagrad", {"learningRate": 0.1, "learningRateDecay": 0.1}),
    ("Adagrad", {"learningRate": 0.1, "initialAccumulatorValue": 0.5}),
    ("Adagrad", {"learningRate": 0.1, "learningRateDecay": 0.05, "initialAccumulatorValue": 0.1, "weightDecay": 0.1}),
    ("Lion", {"learningRate": 0.01}),
    ("Lion", {"learningRate": 0.01, "weightDecay": 0.5}),
    ("Lion", {"learningRate": 0.01, "beta1": 0.95, "beta2": 0.98}),
]


def trajectory(name, options, problem):
    params, curvature, target, noise = problem
    params = {k: v.copy() for k, v in params.items()}
    states = {k: {} for k in params}
    steps = []
    for t in range(1, STEPS + 1):
        for k in params:
            g = (params[k] - target[k]) * curvature[k] + noise[t - 1][k]
            params[k] = OPTIMIZERS[name](params[k], g, states[k], t, options)
        steps.append({k: params[k].ravel().tolist() for k in params})
    return steps


# ------------------------------------------------------------------------------ schedules
# Closed forms of torch.optim.lr_scheduler (and optax for polynomial/join), evaluated at step t.

def cosine_restarts(t, base, t0, tmult, eta_min):
    # PyTorch CosineAnnealingWarmRestarts.step(epoch), the logarithm form.
    if t >= t0:
        if tmult == 1:
            t_cur, t_i = t % t0, t0
        else:
            n = int(math.log(t / t0 * (tmult - 1) + 1, tmult))
            t_cur = t - t0 * (tmult ** n - 1) / (tmult - 1)
            t_i = t0 * tmult ** n
    else:
        t_i, t_cur = t0, t
    return eta_min + (base - eta_min) * (1 + math.cos(math.pi * t_cur / t_i)) / 2


def one_cycle(t, max_lr, total, pct=0.3, anneal="cos", div=25.0, final_div=1e4, three_phase=False):
    # PyTorch OneCycleLR.get_lr.
    initial = max_lr / div
    minimum = initial / final_div
    if three_phase:
        phases = [(float(pct * total) - 1, initial, max_lr), (float(2 * pct * total) - 2, max_lr, initial),
                  (total - 1, initial, minimum)]
    else:
        phases = [(float(pct * total) - 1, initial, max_lr), (total - 1, max_lr, minimum)]

    def cos_anneal(start, end, p):
        return end + (start - end) / 2.0 * (math.cos(math.pi * p) + 1)

    def lin_anneal(start, end, p):
        return (end - start) * p + start

    fn = cos_anneal if anneal == "cos" else lin_anneal
    start_step = 0
    for i, (end_step, start, end) in enumerate(phases):
        if t <= end_step or i == len(phases) - 1:
            return fn(start, end, (t - start_step) / (end_step - start_step))
        start_step = end_step


def schedule_value(kind, c, t):
    if kind == "constant":
        return c["value"]
    if kind == "step":
        return c["initialValue"] * c["gamma"] ** (t // c["stepSize"])
    if kind == "multiStep":
        return c["initialValue"] * c["gamma"] ** sum(1 for m in c["milestones"] if m <= t)
    if kind == "exponential":
        return c["initialValue"] * c["gamma"] ** t
    if kind == "cosine":
        tt = min(t, c["maximumSteps"])
        return c["minimumValue"] + (c["initialValue"] - c["minimumValue"]) * (1 + math.cos(math.pi * tt / c["maximumSteps"])) / 2
    if kind == "cosineRestarts":
        return cosine_restarts(t, c["initialValue"], c["firstPeriod"], c["periodMultiplier"], c["minimumValue"])
    if kind == "oneCycle":
        # Keel holds the value of the last step (totalSteps - 1) afterwards; PyTorch raises past it.
        return one_cycle(min(t, c["totalSteps"] - 1), c["maximumValue"], c["totalSteps"], c["warmupFraction"],
                         "cos" if c["annealing"] == "cosine" else "linear", c["divisionFactor"],
                         c["finalDivisionFactor"], c["threePhase"])
    if kind == "polynomial":
        count = min(t, c["totalSteps"])
        return (c["initialValue"] - c["endValue"]) * (1 - count / c["totalSteps"]) ** c["power"] + c["endValue"]
    if kind in ("linearWarmup", "cosineWarmup"):
        w, after = c["steps"], c["then"]
        if t >= w:
            return schedule_value(after["kind"], after["config"], t - w)
        target = schedule_value(after["kind"], after["config"], 0)
        frac = t / w if kind == "linearWarmup" else (1 - math.cos(math.pi * t / w)) / 2
        return c["initialValue"] + (target - c["initialValue"]) * frac
    if kind == "sequential":
        if t < c["boundary"]:
            return schedule_value(c["first"]["kind"], c["first"]["config"], t)
        return schedule_value(c["second"]["kind"], c["second"]["config"], t - c["boundary"])
    if kind == "product":
        return schedule_value(c["first"]["kind"], c["first"]["config"], t) * schedule_value(c["second"]["kind"], c["second"]["config"], t)
    raise ValueError(kind)


def sched(kind, **config):
    return {"kind": kind, "config": config}


SCHEDULES = [
    sched("constant", value=0.3),
    sched("step", initialValue=0.1, stepSize=7, gamma=0.5),
    sched("multiStep", initialValue=0.1, milestones=[5, 12, 30], gamma=0.1),
    sched("exponential", initialValue=0.2, gamma=0.95),
    sched("cosine", initialValue=0.1, maximumSteps=25, minimumValue=0.001),
    sched("cosineRestarts", initialValue=0.1, firstPeriod=10, periodMultiplier=1, minimumValue=0.0),
    sched("cosineRestarts", initialValue=0.1, firstPeriod=5, periodMultiplier=2, minimumValue=0.01),
    sched("oneCycle", maximumValue=0.1, totalSteps=40, warmupFraction=0.3, annealing="cosine", divisionFactor=25.0,
          finalDivisionFactor=1e4, threePhase=False),
    sched("oneCycle", maximumValue=1.0, totalSteps=37, warmupFraction=0.25, annealing="linear", divisionFactor=10.0,
          finalDivisionFactor=100.0, threePhase=True),
    sched("polynomial", initialValue=0.1, endValue=0.001, power=2.0, totalSteps=30),
    sched("polynomial", initialValue=0.1, endValue=0.0, power=1.0, totalSteps=20),
    sched("linearWarmup", steps=8, initialValue=0.0, then=sched("cosine", initialValue=0.1, maximumSteps=30, minimumValue=0.0)),
    sched("cosineWarmup", steps=6, initialValue=0.01, then=sched("exponential", initialValue=0.2, gamma=0.9)),
    sched("sequential", boundary=10, first=sched("constant", value=0.05), second=sched("step", initialValue=0.1, stepSize=4, gamma=0.5)),
    sched("product", first=sched("exponential", initialValue=1.0, gamma=0.97), second=sched("cosineRestarts", initialValue=0.1, firstPeriod=7, periodMultiplier=1, minimumValue=0.0)),
]
SCHEDULE_STEPS = list(range(0, 60))


# ------------------------------------------------------------------------ ReduceLROnPlateau

class ReduceLROnPlateau:
    """torch.optim.lr_scheduler.ReduceLROnPlateau, one parameter group."""

    def __init__(self, lr, mode="min", factor=0.1, patience=10, threshold=1e-4, threshold_mode="rel", cooldown=0, min_lr=0.0, eps=1e-8):
        self.lr, self.mode, self.factor, self.patience = lr, mode, factor, patience
        self.threshold, self.threshold_mode, self.cooldown, self.min_lr, self.eps = threshold, threshold_mode, cooldown, min_lr, eps
        self.best = math.inf if mode == "min" else -math.inf
        self.num_bad_epochs = 0
        self.cooldown_counter = 0

    def is_better(self, a, best):
        if self.mode == "min" and self.threshold_mode == "rel":
            return a < best * (1.0 - self.threshold)
        if self.mode == "min" and self.threshold_mode == "abs":
            return a < best - self.threshold
        if self.mode == "max" and self.threshold_mode == "rel":
            return a > best * (self.threshold + 1.0)
        return a > best + self.threshold

    def step(self, metric):
        if self.is_better(metric, self.best):
            self.best = metric
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            new_lr = max(self.lr * self.factor, self.min_lr)
            if self.lr - new_lr > self.eps:
                self.lr = new_lr
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        return self.lr


def plateau_case(config, metrics):
    r = ReduceLROnPlateau(config["initialLearningRate"], config["mode"], config["factor"], config["patience"],
                          config["threshold"], "rel" if config["thresholdMode"] == "relative" else "abs",
                          config["cooldown"], config["minimumLearningRate"])
    return {"config": config, "metrics": metrics, "learningRates": [r.step(m) for m in metrics]}


def plateau_cases():
    rng = np.random.default_rng(7)
    noisy = (1.0 / np.sqrt(np.arange(1, 81)) + 0.05 * rng.normal(size=80)).tolist()
    rising = (np.minimum(np.arange(60) / 20.0, 1.0) + 0.02 * rng.normal(size=60)).tolist()
    base = dict(initialLearningRate=0.1, mode="min", factor=0.1, patience=10, threshold=1e-4,
                thresholdMode="relative", cooldown=0, minimumLearningRate=0.0)
    return [
        plateau_case(base, [1.0] * 30),
        plateau_case(dict(base, patience=2, cooldown=3, factor=0.5, minimumLearningRate=0.01), noisy),
        plateau_case(dict(base, patience=3, thresholdMode="absolute", threshold=0.01), noisy),
        plateau_case(dict(base, mode="max", patience=4, factor=0.3), rising),
        plateau_case(dict(base, mode="max", patience=1, thresholdMode="absolute", threshold=0.05, cooldown=2), rising),
    ]


def main():
    problem = make_problem()
    params, curvature, target, noise = problem
    as_lists = lambda d: {k: v.ravel().tolist() for k, v in d.items()}
    out = {
        "shapes": SHAPES,
        "keys": list(SHAPES),
        "initial": as_lists(params),
        "curvature": as_lists(curvature),
        "target": as_lists(target),
        "noise": [as_lists(n) for n in noise],
        "optimizers": [{"name": n, "options": o, "trajectory": trajectory(n, o, problem)} for n, o in CONFIGS],
        "schedules": [dict(s, steps=SCHEDULE_STEPS, values=[schedule_value(s["kind"], s["config"], t) for t in SCHEDULE_STEPS]) for s in SCHEDULES],
        "plateaus": plateau_cases(),
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "optimizers_reference.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=None, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
