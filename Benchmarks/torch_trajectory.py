#!/usr/bin/env python3
"""Export PyTorch's initial weights, batch and first losses for a config, for
`keel-bench step --weights-from DIR` (same initial weights, same data: compare the trajectories).

The model, seed and data are those of ../shared/bench/anchors/torch_rnn.py (torch.manual_seed(0),
make_data(np.random.default_rng(0))), one thread, flush-to-zero. Writes
  DIR/weights.safetensors   parameters under Keel's keys (embedding.weight,
                            encoder.layerK.weightIH/weightHH/biasIH/biasHH, head.weight, head.bias;
                            PyTorch's gate order and layouts are Keel's) plus batch.inputs and
                            batch.targets (float32; token indices as floats for C)
  DIR/torch_losses.json     the losses of the first --steps training steps (clip 1.0, Adam 1e-3)

Usage: .venv-bench/bin/python Benchmarks/torch_trajectory.py --config B --out /tmp/traj-B [--steps 20]
"""
import argparse
import json
import os
import struct
import sys

ANCHORS = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "bench", "anchors"))
sys.path.insert(0, ANCHORS)
from configs import CONFIGS  # noqa: E402

ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument("--config", required=True, choices=sorted(CONFIGS))
ap.add_argument("--out", required=True)
ap.add_argument("--steps", type=int, default=20)
args = ap.parse_args()
os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
os.environ["OMP_NUM_THREADS"] = "1"

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402

torch.set_num_threads(1)
torch.set_flush_denormal(True)
torch.manual_seed(0)
cfg = CONFIGS[args.config]


class Model(nn.Module):  # as torch_rnn.py
    def __init__(self):
        super().__init__()
        if cfg.task == "charlm":
            self.embed = nn.Embedding(cfg.vocab, cfg.input)
        if cfg.cell == "lstm":
            self.rnn = nn.LSTM(cfg.input, cfg.hidden, cfg.layers)
        elif cfg.cell == "gru":
            self.rnn = nn.GRU(cfg.input, cfg.hidden, cfg.layers)
        else:
            self.rnn = nn.RNN(cfg.input, cfg.hidden, cfg.layers, nonlinearity="tanh")
        self.head = nn.Linear(cfg.hidden, cfg.vocab if cfg.task == "charlm" else 1)

    def forward(self, x):
        if cfg.task == "charlm":
            x = self.embed(x)
        hs, _ = self.rnn(x)
        if cfg.task == "charlm":
            return self.head(hs)
        return self.head(hs[-1])


def make_data(rng):  # as torch_rnn.py
    T, B = cfg.seq, cfg.batch
    if cfg.task == "charlm":
        toks = rng.integers(0, cfg.vocab, size=(T + 1, B))
        return torch.from_numpy(toks[:-1]).long(), torch.from_numpy(toks[1:]).long()
    if cfg.name == "D":
        vals = rng.uniform(0, 1, size=(T, B)).astype(np.float32)
        marks = np.zeros((T, B), np.float32)
        for b in range(B):
            i, j = rng.choice(T, 2, replace=False)
            marks[i, b] = marks[j, b] = 1.0
        x = np.stack([vals, marks], -1)
        y = (vals * marks).sum(0)[:, None].astype(np.float32)
        return torch.from_numpy(x), torch.from_numpy(y)
    x = rng.standard_normal((T, B, cfg.input)).astype(np.float32)
    y = rng.standard_normal((B, 1)).astype(np.float32)
    return torch.from_numpy(x), torch.from_numpy(y)


def keel_key(name):
    if name.startswith("embed."):
        return "embedding." + name[len("embed."):]
    if name.startswith("rnn."):
        field, layer = name[len("rnn."):].rsplit("_l", 1)
        keel = {"weight_ih": "weightIH", "weight_hh": "weightHH", "bias_ih": "biasIH", "bias_hh": "biasHH"}[field]
        return f"encoder.layer{layer}.{keel}"
    return name  # head.weight, head.bias


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, array in tensors.items():
        data = np.ascontiguousarray(array, dtype=np.float32).tobytes()
        header[name] = {"dtype": "F32", "shape": list(array.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


model = Model()
x, y = make_data(np.random.default_rng(0))
os.makedirs(args.out, exist_ok=True)
tensors = {keel_key(n): p.detach().numpy() for n, p in model.named_parameters()}
tensors["batch.inputs"] = x.numpy().astype(np.float32)
tensors["batch.targets"] = y.numpy().astype(np.float32)
write_safetensors(os.path.join(args.out, "weights.safetensors"), tensors)

opt = torch.optim.Adam(model.parameters(), lr=1e-3)
ce = nn.CrossEntropyLoss()
losses = []
for _ in range(args.steps):
    opt.zero_grad(set_to_none=True)
    out = model(x)
    loss = ce(out.reshape(-1, cfg.vocab), y.reshape(-1)) if cfg.task == "charlm" else torch.mean((out - y) ** 2)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    losses.append(loss.item())
with open(os.path.join(args.out, "torch_losses.json"), "w") as f:
    json.dump({"config": args.config, "losses": losses, "torch": torch.__version__}, f)
print(f"torch {args.config}: {len(tensors) - 2} parameter tensors, losses " + " ".join(f"{v:.5f}" for v in losses[:6]) + " …")
