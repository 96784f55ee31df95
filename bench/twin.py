"""PyTorch twin of `gapo bench`: the same steps with the same shapes, written as a PyTorch user would
(nn.Module, scaled_dot_product_attention, torch.optim), on the CPU with a fixed number of threads, or on
a CUDA GPU.

    python bench/twin.py --threads 2 --iters 10 [--json out.json]
    python bench/twin.py --device cuda --warmup 5 --iters 20

Steps (batch 16, prompt 96 + response 32 = 128 tokens, vocab 1024, d 128, 4 layers, 4 heads):
  sft step           forward, next-token cross-entropy, backward, AdamW
  ppo update         policy log-probs of the 32 response tokens, clipped policy loss; critic (a copy of the
                     backbone with a value head), clipped value loss; global grad-norm clip 1.0; AdamW both
  discriminator      encoder over [CLS] prompt [SEP] response [SEP], first-token pooling, BCE, backward, Adam
  sample             32 new tokens for 16 prompts of 96 with a KV cache, temperature 1
The whole GAPO stage of `gapo bench` has no twin here (it includes tokenising and the task's checkers).
Optional: needs `pip install torch`; CI does not run it.
"""
import argparse
import json
import math
import resource
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

B, P, N = 16, 96, 32
T = P + N


class Block(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.h = h
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.qkv, self.out = nn.Linear(d, 3 * d), nn.Linear(d, d)
        self.fc, self.proj = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)

    def attn(self, x, causal, cache=None):
        b, t, d = x.shape
        q, k, v = self.qkv(x).split(d, dim=2)
        q, k, v = (y.view(b, t, self.h, d // self.h).transpose(1, 2) for y in (q, k, v))
        if cache is not None:
            if "k" in cache:
                k, v = torch.cat([cache["k"], k], 2), torch.cat([cache["v"], v], 2)
            cache["k"], cache["v"] = k, v
        y = F.scaled_dot_product_attention(q, k, v, is_causal=causal and t > 1)
        return self.out(y.transpose(1, 2).reshape(b, t, d))

    def forward(self, x, causal, cache=None):
        x = x + self.attn(self.ln1(x), causal, cache)
        return x + self.proj(F.gelu(self.fc(self.ln2(x))))


class Generator(nn.Module):
    def __init__(self, v, d, layers, h, ctx):
        super().__init__()
        self.tok, self.pos = nn.Embedding(v, d), nn.Embedding(ctx, d)
        self.blocks = nn.ModuleList(Block(d, h) for _ in range(layers))
        self.ln_f = nn.LayerNorm(d)

    def hidden(self, ids, start=0, caches=None):
        pos = torch.arange(start, start + ids.shape[1])
        x = self.tok(ids) + self.pos(pos)
        for i, blk in enumerate(self.blocks):
            x = blk(x, True, None if caches is None else caches[i])
        return self.ln_f(x)

    def forward(self, ids, start=0, caches=None):
        return self.hidden(ids, start, caches) @ self.tok.weight.T  # tied


class Critic(nn.Module):
    def __init__(self, gen, d):
        super().__init__()
        self.body, self.head = gen, nn.Linear(d, 1)

    def forward(self, ids):
        return self.head(self.body.hidden(ids)).squeeze(-1)


class Discriminator(nn.Module):
    def __init__(self, v, d, layers, h, ctx):
        super().__init__()
        self.tok, self.pos, self.seg = nn.Embedding(v, d), nn.Embedding(ctx, d), nn.Embedding(2, d)
        self.emb_ln, self.ln_f = nn.LayerNorm(d), nn.LayerNorm(d)
        self.blocks = nn.ModuleList(Block(d, h) for _ in range(layers))
        self.head = nn.Linear(d, 1)

    def forward(self, ids, seg):
        x = self.emb_ln(self.tok(ids) + self.pos(torch.arange(ids.shape[1])) + self.seg(seg))
        for blk in self.blocks:
            x = blk(x, False)
        return self.head(self.ln_f(x)[:, 0]).squeeze(-1)


def sync():
    # CUDA runs asynchronously: a step is timed to its completion, as `gapo bench` ends each with a readback.
    if torch.cuda.is_available() and torch.get_default_device().type == "cuda":
        torch.cuda.synchronize()


def peak_mib():
    # On CUDA the allocator's peak of device memory; on the CPU the process's peak resident set.
    if torch.get_default_device().type == "cuda":
        return torch.cuda.max_memory_allocated() / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(name, tokens, iters, warmup, fn, rows):
    for _ in range(warmup):
        fn()
    sync()
    ms = []
    for _ in range(iters):
        t0 = time.perf_counter()
        fn()
        sync()
        ms.append((time.perf_counter() - t0) * 1e3)
    med = statistics.median(ms)
    peak = peak_mib()
    print(f"{name:<34} {med:>10.1f} {tokens / (med / 1e3):>12.0f} {peak:>10.0f}")
    rows.append({"step": name, "median_ms": med, "tokens": tokens, "peak_mib": peak})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--iters", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--device", default="cpu", help="cpu or cuda")
    ap.add_argument("--json")
    ap.add_argument("--head-on-read-positions", action="store_true",
                    help="project only the positions a step reads (as `gapo bench` does since "
                         "523a66f) instead of every position then slicing the logits (as TRL does)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    # Every tensor and module below is made on this device (torch >= 2.0).
    torch.set_default_device(a.device)
    torch.manual_seed(0)
    V, D, L, H = 1024, 128, 4, 4
    where = torch.cuda.get_device_name() if a.device == "cuda" else f"{torch.get_num_threads()} threads"
    print(f"torch {torch.__version__}, {a.device}: {where}")
    print(f"{'step':<34} {'median ms':>10} {'tokens/s':>12} {'peak MiB':>10}")
    rows = []

    gen = Generator(V, D, L, H, T)
    opt = torch.optim.AdamW(gen.parameters(), lr=1e-4, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)
    ids = torch.randint(5, V, (B, T))

    def logits_at(model, x, start, stop):
        # [B, stop - start, V]: the output projection of positions start..stop.
        if a.head_on_read_positions:
            return model.hidden(x)[:, start:stop] @ model.tok.weight.T
        return model(x)[:, start:stop]

    def sft():
        logits = logits_at(gen, ids, 0, T - 1)
        loss = F.cross_entropy(logits.reshape(-1, V), ids[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    timed("sft step (fwd+bwd+AdamW)", B * T, a.iters, a.warmup, sft, rows)

    import copy
    critic = Critic(copy.deepcopy(gen), D)
    a_opt = torch.optim.AdamW(gen.parameters(), lr=1e-4, betas=(0.9, 0.95), eps=1e-8, weight_decay=0.0)
    c_opt = torch.optim.AdamW(critic.parameters(), lr=1e-4, betas=(0.9, 0.95), eps=1e-8, weight_decay=0.0)
    with torch.no_grad():
        old_logp = torch.log_softmax(logits_at(gen, ids, P - 1, T - 1), -1).gather(2, ids[:, P:, None]).squeeze(2)
    adv, ret = torch.randn(B, N), torch.randn(B, N)
    old_v = torch.zeros(B, N)

    def ppo():
        logp = torch.log_softmax(logits_at(gen, ids, P - 1, T - 1), -1).gather(2, ids[:, P:, None]).squeeze(2)
        ratio = (logp - old_logp).exp()
        pl = -torch.min(ratio * adv, ratio.clamp(0.8, 1.2) * adv).mean()
        a_opt.zero_grad(set_to_none=True)
        pl.backward()
        torch.nn.utils.clip_grad_norm_(gen.parameters(), 1.0)
        a_opt.step()
        v = critic(ids)[:, P - 1:-1]
        vc = old_v + (v - old_v).clamp(-0.2, 0.2)
        vl = 0.5 * torch.max((v - ret) ** 2, (vc - ret) ** 2).mean()
        c_opt.zero_grad(set_to_none=True)
        vl.backward()
        torch.nn.utils.clip_grad_norm_(critic.parameters(), 1.0)
        c_opt.step()

    timed("ppo update (policy + critic)", B * T, a.iters, a.warmup, ppo, rows)

    disc = Discriminator(V, D, L, H, T)
    d_opt = torch.optim.Adam(disc.parameters(), lr=1e-4, eps=1e-8)
    seg = (torch.arange(T) >= P).long().expand(B, T)
    labels = (torch.arange(B) % 2).float()

    def d_step():
        loss = F.binary_cross_entropy_with_logits(disc(ids, seg), labels)
        d_opt.zero_grad(set_to_none=True)
        loss.backward()
        d_opt.step()

    timed("discriminator BCE step", B * T, a.iters, a.warmup, d_step, rows)

    prompts = torch.randint(5, V, (B, P))

    @torch.no_grad()
    def sample():
        caches = [{} for _ in range(L)]
        logits = gen(prompts, 0, caches)[:, -1]
        out = []
        for i in range(N):
            nxt = torch.multinomial(torch.softmax(logits, -1), 1)
            out.append(nxt)
            if i + 1 < N:
                logits = gen(nxt, P + i, caches)[:, -1]
        return torch.cat(out, 1)

    timed("sample 32 tokens × 16 (KV cache)", B * N, a.iters, a.warmup, sample, rows)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(rows, f, indent=2)


if __name__ == "__main__":
    main()
