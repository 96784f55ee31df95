#!/usr/bin/env python3
"""Reference values for the training objectives, written the way TRL and OpenRLHF write them.

Run by hand (`pip install torch`), never by CI:  python3 crates/gapo-core/tests/golden/make_loss_golden.py
Writes loss_golden.json beside itself; tests/losses.rs recomputes everything with gapo-core and compares.

Sources followed (function by function):
- DPO sigmoid / IPO: trl DPOTrainer.dpo_loss (label_smoothing 0); IPO uses per-token mean log-probs.
- KTO: trl KTOTrainer.kto_loss (kl = clamp(mean, min=0), detached).
- SimPO: trl CPOTrainer.cpo_loss with loss_type="simpo" (gamma_beta_ratio = gamma / beta).
- ORPO: trl ORPOTrainer.odds_ratio_loss; loss = nll - mean(beta * logsigmoid(log_odds)).
- BCE: torch binary_cross_entropy_with_logits; Bradley-Terry: OpenRLHF PairWiseLoss.
- PPO: OpenRLHF compute_approx_kl (k1, k3), compute_reward, get_advantages_and_returns (GAE),
  PolicyLoss, ValueLoss, masked_mean.
"""
import json
import math
import os

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)

# Fixed inputs shared with tests/losses.rs.
PC = [-12.0, -20.5, -7.25, -30.0]   # policy log p(chosen), sums
PR = [-14.0, -19.0, -9.5, -28.0]    # policy log p(rejected)
RC = [-12.5, -20.0, -8.0, -29.0]    # reference log p(chosen)
RR = [-13.0, -19.5, -9.0, -29.5]    # reference log p(rejected)
LC = [6, 9, 4, 12]                  # chosen lengths
LR = [7, 8, 5, 11]                  # rejected lengths
BETA = 0.1
KTO_LOGRATIO = [0.3, -0.2, 0.5, -0.7, 0.1]
KTO_DESIRABLE = [1, 0, 1, 0, 0]
KTO_KL = [0.05, 0.2, -0.1, 0.15]
SIMPO_GAMMA = 0.5
ORPO_LAMBDA = 0.2
ORPO_NLL = 1.7
BCE_LOGITS = [2.0, -1.0, 0.5, -3.0, 0.0]
BCE_LABELS = [1, 0, 0, 1, 1]
# PPO: 2 rollouts, 5 response positions, second rollout ends after 3 tokens.
LOGP = [[-1.0, -0.5, -2.0, -0.3, -1.2], [-0.7, -1.5, -0.2, 0.0, 0.0]]
OLD_LOGP = [[-1.1, -0.4, -2.3, -0.3, -1.0], [-0.6, -1.6, -0.25, 0.0, 0.0]]
REF_LOGP = [[-1.2, -0.6, -1.9, -0.5, -1.1], [-0.9, -1.4, -0.3, 0.0, 0.0]]
VALUES = [[0.1, 0.2, -0.1, 0.4, 0.3], [0.5, -0.2, 0.1, 0.0, 0.0]]
OLD_VALUES = [[0.0, 0.3, 0.0, 0.2, 0.5], [0.4, 0.0, 0.3, 0.0, 0.0]]
MASK = [[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]]
SCORES = [1.5, -12.0]
KL_COEF, CLIP_REWARD, GAMMA, LAMBDA, EPS, VCLIP = 0.05, 10.0, 1.0, 0.95, 0.2, 0.2


def t(x):
    return torch.tensor(x, dtype=torch.float64)


def masked_mean(x, mask, dim=None):
    if dim is None:
        return (x * mask).sum() / mask.sum()
    return (x * mask).sum(dim) / mask.sum(dim)


def main():
    out = {}
    pc, pr, rc, rr = t(PC), t(PR), t(RC), t(RR)
    logits = (pc - pr) - (rc - rr)
    out["dpo_sigmoid"] = float((-F.logsigmoid(BETA * logits)).mean())
    out["dpo_rewards_chosen"] = (BETA * (pc - rc)).tolist()
    out["dpo_rewards_rejected"] = (BETA * (pr - rr)).tolist()
    lc, lr = t(LC), t(LR)
    ipo_logits = (pc / lc - pr / lr) - (rc / lc - rr / lr)
    out["dpo_ipo"] = float(((ipo_logits - 1 / (2 * BETA)) ** 2).mean())

    r, des, kl = t(KTO_LOGRATIO), t(KTO_DESIRABLE), t(KTO_KL)
    z0 = kl.mean().clamp(min=0)
    chosen = 1 - torch.sigmoid(BETA * (r - z0))
    rejected = 1 - torch.sigmoid(BETA * (z0 - r))
    out["kto"] = float(torch.cat([chosen[des == 1], rejected[des == 0]]).mean())
    out["kto_z0"] = float(z0)

    pi_logratios = pc / lc - pr / lr
    out["simpo"] = float((-F.logsigmoid(BETA * (pi_logratios - SIMPO_GAMMA / BETA))).mean())

    cm, rm = pc / lc, pr / lr
    log_odds = (cm - rm) - (torch.log1p(-torch.exp(cm)) - torch.log1p(-torch.exp(rm)))
    out["orpo"] = float(ORPO_NLL - (ORPO_LAMBDA * F.logsigmoid(log_odds)).mean())
    out["orpo_log_odds"] = float(log_odds.mean())

    out["bce"] = float(F.binary_cross_entropy_with_logits(t(BCE_LOGITS), t(BCE_LABELS)))
    out["bradley_terry"] = float(-F.logsigmoid(pc - pr).mean())

    logp, old, ref, mask = t(LOGP), t(OLD_LOGP), t(REF_LOGP), t(MASK)
    values, old_values = t(VALUES), t(OLD_VALUES)
    k1 = (old - ref) * mask
    lr_ = -(old - ref)
    k3 = (lr_.exp() - 1 - lr_) * mask
    out["kl_k1"] = k1.tolist()
    out["kl_k3"] = k3.tolist()
    # compute_reward: -kl_coef * kl, plus the clipped score at the eos (last action) position.
    reward = -KL_COEF * k1
    eos = mask.sum(1).long() - 1
    last_reward = torch.zeros_like(k1).scatter_(1, eos.unsqueeze(1), t(SCORES).clamp(-CLIP_REWARD, CLIP_REWARD).unsqueeze(1))
    rewards = reward + last_reward
    out["rewards"] = rewards.tolist()
    # get_advantages_and_returns (OpenRLHF).
    v = old_values * mask
    rw = rewards * mask
    lastgaelam = 0
    adv_rev = []
    n = rw.size(1)
    for step in reversed(range(n)):
        nextvalues = v[:, step + 1] if step < n - 1 else 0.0
        delta = rw[:, step] + GAMMA * nextvalues - v[:, step]
        lastgaelam = delta + GAMMA * LAMBDA * lastgaelam
        adv_rev.append(lastgaelam)
    adv = torch.stack(adv_rev[::-1], dim=1)
    returns = adv + v
    out["advantages"] = adv.tolist()
    out["returns"] = returns.tolist()
    mean = masked_mean(adv, mask)
    var = masked_mean((adv - mean) ** 2, mask)
    white = (adv - mean) * torch.rsqrt(var.clamp(min=1e-8))
    out["whitened"] = (white * mask).tolist()
    ratio = (logp - old).exp()
    surr1 = ratio * white
    surr2 = ratio.clamp(1 - EPS, 1 + EPS) * white
    out["policy_loss"] = float(masked_mean(-torch.min(surr1, surr2), mask, dim=-1).mean())
    values_clipped = old_values + (values - old_values).clamp(-VCLIP, VCLIP)
    surr1 = (values_clipped - returns) ** 2
    surr2 = (values - returns) ** 2
    out["value_loss"] = float(0.5 * masked_mean(torch.max(surr1, surr2), mask, dim=-1).mean())

    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "loss_golden.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
