#!/usr/bin/env python3
"""PyTorch twin of gapo-core's generator, discriminator and scalar head, for golden tests (llm.c style).

Run by hand when the models change, never by CI:

    pip install torch            # any recent CPU build
    python3 crates/gapo-core/tests/golden/make_golden.py

It writes golden.json beside itself: the inputs, the outputs (logits, values, scores under each pooling)
and the loss gradients of every parameter, computed in float64 from the same deterministic weights that
`gapo_core::model::init::fill_golden` gives the Rust models. The Rust test (tests/golden.rs) recomputes
everything in float32 on burn's CPU backend and must match within 1e-4.

Parameter layout follows burn: a Linear weight is [d_in, d_out] and the layer computes x @ W + b.
"""
import json
import math
import os

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
MASKED = -1.0e9

GEN = dict(vocab_size=23, d_model=8, n_layers=2, n_heads=2, max_seq_len=10, layer_norm_eps=1e-5)
DISC = dict(vocab_size=23, d_model=8, n_layers=2, n_heads=2, max_seq_len=12, layer_norm_eps=1e-5)

GEN_IDS = [[1, 5, 9, 13, 17, 21], [0, 0, 1, 7, 11, 3]]
GEN_MASK = [[1, 1, 1, 1, 1, 1], [0, 0, 1, 1, 1, 1]]
VALUE_TARGETS = [[0.5, -0.25, 1.0, 0.0, 0.75, -1.0], [0.0, 0.0, 0.3, -0.6, 0.9, 0.1]]
DISC_IDS = [[3, 8, 9, 4, 10, 11, 4], [3, 12, 4, 13, 4, 0, 0], [3, 14, 15, 16, 4, 17, 4]]
DISC_SEG = [[0, 0, 0, 0, 1, 1, 1], [0, 0, 0, 1, 1, 0, 0], [0, 0, 0, 0, 0, 1, 1]]
DISC_MASK = [[1, 1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 0, 0], [1, 1, 1, 1, 1, 1, 1]]
DISC_LABELS = [1.0, 0.0, 1.0]


def fnv1a(path):
    h = 0xCBF29CE484222325
    for byte in path.encode():
        h ^= byte
        h = (h * 0x00000100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def golden_values(path, shape):
    """Same formula as init.rs::golden_values, rounded to float32 as the Rust side stores it."""
    n = math.prod(shape)
    phase = (fnv1a(path) % 1000) / 100.0
    gamma = path.endswith("gamma")
    vals = [(1.0 + 0.1 * math.sin(0.7 * i + phase)) if gamma else 0.5 * math.sin(0.7 * i + phase) for i in range(n)]
    t = torch.tensor(vals, dtype=torch.float32).to(torch.float64).reshape(shape)
    return t.requires_grad_(True)


def block_shapes(d):
    return {
        "ln1.gamma": [d], "ln1.beta": [d],
        "attn.qkv.weight": [d, 3 * d], "attn.qkv.bias": [3 * d],
        "attn.out.weight": [d, d], "attn.out.bias": [d],
        "ln2.gamma": [d], "ln2.beta": [d],
        "mlp.fc.weight": [d, 4 * d], "mlp.fc.bias": [4 * d],
        "mlp.proj.weight": [4 * d, d], "mlp.proj.bias": [d],
    }


def generator_params(c):
    d = c["d_model"]
    shapes = {"tok_emb.weight": [c["vocab_size"], d], "pos_emb.weight": [c["max_seq_len"], d]}
    for i in range(c["n_layers"]):
        shapes.update({f"blocks.{i}.{k}": v for k, v in block_shapes(d).items()})
    shapes.update({"ln_f.gamma": [d], "ln_f.beta": [d]})
    return {k: golden_values(k, s) for k, s in shapes.items()}


def discriminator_params(c):
    d = c["d_model"]
    shapes = {
        "tok_emb.weight": [c["vocab_size"], d], "pos_emb.weight": [c["max_seq_len"], d],
        "seg_emb.weight": [2, d], "emb_ln.gamma": [d], "emb_ln.beta": [d],
    }
    for i in range(c["n_layers"]):
        shapes.update({f"blocks.{i}.{k}": v for k, v in block_shapes(d).items()})
    shapes.update({"ln_f.gamma": [d], "ln_f.beta": [d], "head.linear.weight": [d, 1], "head.linear.bias": [1]})
    return {k: golden_values(k, s) for k, s in shapes.items()}


def head_params(d):
    return {k: golden_values(k, s) for k, s in {"linear.weight": [d, 1], "linear.bias": [1]}.items()}


def ln(x, p, name, eps):
    return F.layer_norm(x, (x.shape[-1],), p[name + ".gamma"], p[name + ".beta"], eps)


def lin(x, p, name):
    return x @ p[name + ".weight"] + p[name + ".bias"]


def attention(x, p, name, bias, n_heads):
    b, t, d = x.shape
    dh = d // n_heads
    qkv = lin(x, p, name + ".qkv")
    q, k, v = (qkv[..., i * d:(i + 1) * d].reshape(b, t, n_heads, dh).transpose(1, 2) for i in range(3))
    scores = q @ k.transpose(2, 3) / math.sqrt(dh) + bias
    ctx = torch.softmax(scores, dim=3) @ v
    return lin(ctx.transpose(1, 2).reshape(b, t, d), p, name + ".out")


def block(x, p, name, bias, c, norm_first=True):
    eps, h = c["layer_norm_eps"], c["n_heads"]
    mlp = lambda y: lin(F.gelu(lin(y, p, name + ".mlp.fc")), p, name + ".mlp.proj")
    if norm_first:
        x = x + attention(ln(x, p, name + ".ln1", eps), p, name + ".attn", bias, h)
        return x + mlp(ln(x, p, name + ".ln2", eps))
    x = ln(x + attention(x, p, name + ".attn", bias, h), p, name + ".ln1", eps)
    return ln(x + mlp(x), p, name + ".ln2", eps)


def positions(mask):
    return torch.clamp(torch.cumsum(mask, 1) - 1, min=0).long()


def padding_bias(mask):
    b, s = mask.shape
    return ((1.0 - mask) * MASKED).reshape(b, 1, 1, s)


def generator_hidden(p, c, ids, mask):
    t = ids.shape[1]
    causal = torch.triu(torch.ones(t, t, dtype=torch.bool), diagonal=1)
    bias = padding_bias(mask) + torch.zeros(t, t).masked_fill(causal, MASKED).reshape(1, 1, t, t)
    x = p["tok_emb.weight"][ids] + p["pos_emb.weight"][positions(mask)]
    for i in range(c["n_layers"]):
        x = block(x, p, f"blocks.{i}", bias, c)
    return ln(x, p, "ln_f", c["layer_norm_eps"])


def discriminator_scores(p, c, ids, seg, mask, pooling, norm_first=True):
    x = p["tok_emb.weight"][ids] + p["pos_emb.weight"][positions(mask)] + p["seg_emb.weight"][seg]
    x = ln(x, p, "emb_ln", c["layer_norm_eps"])
    for i in range(c["n_layers"]):
        x = block(x, p, f"blocks.{i}", padding_bias(mask), c, norm_first)
    h = ln(x, p, "ln_f", c["layer_norm_eps"])
    rows = torch.arange(h.shape[0])
    if pooling == "first":
        first = torch.argmax(mask, dim=1)  # first real token
        pooled = h[rows, first]
    elif pooling == "last":
        last = mask.shape[1] - 1 - torch.argmax(torch.flip(mask, [1]), dim=1)
        pooled = h[rows, last]
    else:
        pooled = (h * mask.unsqueeze(2)).sum(1) / mask.sum(1, keepdim=True)
    return (pooled @ p["head.linear.weight"] + p["head.linear.bias"]).reshape(-1)


def flat(t):
    return [round(float(v), 9) for v in t.detach().reshape(-1).tolist()]


def main():
    out = {"generator_config": GEN, "discriminator_config": DISC}
    ids, mask = torch.tensor(GEN_IDS), torch.tensor(GEN_MASK, dtype=torch.float64)

    gp, hp = generator_params(GEN), head_params(GEN["d_model"])
    hidden = generator_hidden(gp, GEN, ids, mask)
    logits = hidden @ gp["tok_emb.weight"].T
    values = (hidden @ hp["linear.weight"] + hp["linear.bias"]).squeeze(2)
    # Next-token cross-entropy where both the token and its successor are real.
    logp = torch.log_softmax(logits[:, :-1], dim=2).gather(2, ids[:, 1:].unsqueeze(2)).squeeze(2)
    w = mask[:, :-1] * mask[:, 1:]
    ce = -(logp * w).sum() / w.sum()
    # Value regression on real tokens (the critic's loss without clipping).
    mse = 0.5 * (((values - torch.tensor(VALUE_TARGETS)) ** 2) * mask).sum() / mask.sum()
    (ce + mse).backward()
    out["generator"] = {
        "ids": GEN_IDS, "mask": GEN_MASK, "value_targets": VALUE_TARGETS,
        "logits": flat(logits), "values": flat(values), "ce": float(ce.detach()), "value_loss": float(mse.detach()),
        "grads": {k: flat(v.grad) for k, v in {**gp, **{"value_head." + k: v for k, v in hp.items()}}.items()},
    }

    dp = discriminator_params(DISC)
    d_ids, d_seg = torch.tensor(DISC_IDS), torch.tensor(DISC_SEG)
    d_mask, labels = torch.tensor(DISC_MASK, dtype=torch.float64), torch.tensor(DISC_LABELS)
    scores = {pool: discriminator_scores(dp, DISC, d_ids, d_seg, d_mask, pool) for pool in ("first", "last", "mean")}
    post_ln = discriminator_scores(dp, DISC, d_ids, d_seg, d_mask, "first", norm_first=False)
    bce = F.binary_cross_entropy_with_logits(scores["first"], labels)
    bce.backward()
    out["discriminator"] = {
        "ids": DISC_IDS, "segments": DISC_SEG, "mask": DISC_MASK, "labels": DISC_LABELS,
        "scores": {k: flat(v) for k, v in scores.items()}, "scores_post_ln_first": flat(post_ln),
        "bce": float(bce.detach()), "grads": {k: flat(v.grad) for k, v in dp.items()},
    }
    out["made_with"] = f"torch {torch.__version__}, float64"
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden.json")
    with open(path, "w") as f:
        json.dump(out, f)
        f.write("\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
