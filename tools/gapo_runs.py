#!/usr/bin/env python3
"""Summarise `gapo run` output folders (their metrics.jsonl): the held-out gain over the SFT start, the
adversarial dynamics at D's probes, and per stage the rollouts' checker pass rate, the reward's correlation
with the checker, the KL, and each constraint kind's pass rate / score gap (the reward's mean on rollouts
that meet the kind less its mean on those that miss it).

    python3 tools/gapo_runs.py RUN_DIR [RUN_DIR ...]    # e.g. runs/form-42 runs/form-43

This is how the README's "What we found" tables at c54ccb0 were read off the runs.
"""
import json
import sys
from pathlib import Path


def summarise(run: Path) -> None:
    path = run / "metrics.jsonl"
    try:
        rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    except (OSError, json.JSONDecodeError) as e:
        sys.exit(f"{path}: {e}")
    evals = {r["phase"]: r["metrics"] for r in rows if r["phase"] in ("eval_sft", "eval")}
    print(f"== {run}")
    if "eval_sft" in evals and "eval" in evals:
        s, g = evals["eval_sft"], evals["eval"]
        print(
            "held-out prompt / instruction strict: "
            f"{s['eval/prompt_strict']:.3f} / {s['eval/instruction_strict']:.3f} (SFT) -> "
            f"{g['eval/prompt_strict']:.3f} / {g['eval/instruction_strict']:.3f}  "
            f"gain {100 * (g['eval/prompt_strict'] - s['eval/prompt_strict']):+.1f} / "
            f"{100 * (g['eval/instruction_strict'] - s['eval/instruction_strict']):+.1f} points"
        )
    probes = {}
    for r in rows:
        if r["phase"] == "probe":
            probes.setdefault(r["stage"], {})[r["probe"]] = r["metrics"]["disc/fake_score"]
    right = total = 0
    for p in probes.values():
        if {"stage_start", "after_generator", "after_discriminator"} <= p.keys():
            total += 2
            right += (p["after_generator"] > p["stage_start"]) + (p["after_discriminator"] < p["after_generator"])
    if total:
        print(f"phases that moved D's score of the samples the adversarial way: {right} / {total}")
    generator = [r for r in rows if r["phase"] == "generator"]
    for stage in sorted({r["stage"] for r in generator}):
        ms = [r["metrics"] for r in generator if r["stage"] == stage]

        def mean(key: str) -> float:
            # Over the steps that logged it: a kind absent from a step's prompts logs no pass rate, and one
            # that all or none of its rollouts meet logs no score gap.
            values = [m[key] for m in ms if key in m]
            return sum(values) / len(values) if values else float("nan")

        kinds = sorted({k.split("/")[1] for m in ms for k in m if k.startswith("rollout/") and k.count("/") == 2})
        per_kind = " ".join(
            f"{k} {mean(f'rollout/{k}/checker_pass'):.2f}/{mean(f'rollout/{k}/score_gap'):+.2f}" for k in kinds
        )
        print(
            f"  stage {stage}: pass {mean('rollout/checker_pass'):.3f} corr {mean('rollout/score_checker_corr'):+.2f}"
            f" kl {mean('objective/kl'):.2f}  {per_kind}"
        )
    if "eval_sft" in evals and "eval" in evals:
        kinds = sorted({k.split("/")[1] for k in evals["eval"] if k.count("/") == 2})
        for k in kinds:
            key = f"eval/{k}/instruction_strict"
            print(f"  held-out {k}: {evals['eval_sft'][key]:.2f} -> {evals['eval'][key]:.2f}")


if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] in ("-h", "--help"):
        sys.exit(__doc__)
    for arg in sys.argv[1:]:
        summarise(Path(arg))
