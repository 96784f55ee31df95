//! How good a reward was, measured on a rollout with the exact checkers (the `rollout/…` metrics of every
//! PPO step): the checker's pass rate, its correlation with the reward, and both per constraint kind.

use crate::task::Example;
use std::collections::BTreeMap;

/// One constraint kind over the rollouts whose prompt holds it.
#[derive(Debug, PartialEq)]
pub(crate) struct KindStats {
    pub kind: &'static str,
    /// The share of those rollouts that meet it.
    pub pass: f64,
    /// The reward's mean on the rollouts that meet it less its mean on those that miss it; `None` when all
    /// meet it or all miss it. A gap near 0 is a constraint the reward does not defend, a negative one a
    /// constraint it steers the policy away from (README, "What we found").
    pub score_gap: Option<f64>,
}

/// [`KindStats`] for every kind the rollouts' prompts hold, in name order.
pub(crate) fn rollouts_by_kind(examples: &[Example], responses: &[String], scores: &[f32]) -> Vec<KindStats> {
    // kind → (sum of scores, count) of the responses that miss it [0] and of those that meet it [1]
    let mut sums: BTreeMap<&'static str, [(f64, usize); 2]> = BTreeMap::new();
    for ((e, r), &s) in examples.iter().zip(responses).zip(scores) {
        for c in &e.constraints {
            let met = c.check(&e.product, r).pass;
            let slot = &mut sums.entry(c.kind().name()).or_default()[usize::from(met)];
            slot.0 += s as f64;
            slot.1 += 1;
        }
    }
    sums.into_iter()
        .map(|(kind, [missed, met])| KindStats {
            kind,
            pass: met.1 as f64 / (met.1 + missed.1) as f64,
            score_gap: (missed.1 > 0 && met.1 > 0).then(|| met.0 / met.1 as f64 - missed.0 / missed.1 as f64),
        })
        .collect()
}

/// The share of an example's constraints that `response` satisfies (instruction-level, by the checkers).
pub(crate) fn checker_pass(example: &Example, response: &str) -> f32 {
    let passed = example.constraints.iter().filter(|c| c.check(&example.product, response).pass).count();
    passed as f32 / example.constraints.len().max(1) as f32
}

/// Pearson's correlation of two equally long series; 0 when either is constant.
pub(crate) fn pearson(a: &[f32], b: &[f32]) -> f64 {
    let n = a.len().min(b.len()) as f64;
    if n < 2.0 {
        return 0.0;
    }
    let mean = |v: &[f32]| v.iter().map(|&x| x as f64).sum::<f64>() / n;
    let (ma, mb) = (mean(a), mean(b));
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (&x, &y) in a.iter().zip(b) {
        let (dx, dy) = (x as f64 - ma, y as f64 - mb);
        sab += dx * dy;
        saa += dx * dx;
        sbb += dy * dy;
    }
    if saa == 0.0 || sbb == 0.0 { 0.0 } else { sab / (saa * sbb).sqrt() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::task::{Kind, TaskConfig, TaskData};

    /// References score 1 and empty responses 0: every kind an empty response misses has a gap of exactly 1;
    /// with the scores swapped, −1; the pass rate is the share of the kind's rows whose response meets it.
    #[test]
    fn a_kinds_rollout_stats_are_its_pass_rate_and_the_reward_gap_between_meeting_and_missing_it() {
        let kinds = vec![Kind::EndsWith, Kind::StartsWith, Kind::Lowercase];
        let task =
            TaskData::build(&TaskConfig { n_train: 40, n_eval: 4, k_max: 2, kinds, ..TaskConfig::default() }).unwrap();
        let examples: Vec<Example> = task.train.iter().map(|t| t.example.clone()).collect();
        let responses: Vec<String> = examples
            .iter()
            .enumerate()
            .map(|(i, e)| if i % 2 == 0 { e.response.clone() } else { String::new() })
            .collect();
        let scores: Vec<f32> = (0..examples.len()).map(|i| if i % 2 == 0 { 1.0 } else { 0.0 }).collect();
        let stats = rollouts_by_kind(&examples, &responses, &scores);
        let of = |stats: &[KindStats], kind: &str| stats.iter().find(|k| k.kind == kind).map(|k| (k.pass, k.score_gap));
        for kind in ["ends_with", "starts_with"] {
            // Rows holding this kind, and those of them answered by their reference (the even rows).
            let rows: Vec<usize> = (0..examples.len())
                .filter(|&i| examples[i].constraints.iter().any(|c| c.kind().name() == kind))
                .collect();
            let met = rows.iter().filter(|&&i| i % 2 == 0).count();
            assert_eq!(of(&stats, kind), Some((met as f64 / rows.len() as f64, Some(1.0))), "{kind}: {stats:?}");
        }
        let swapped: Vec<f32> = scores.iter().map(|s| 1.0 - s).collect();
        let stats = rollouts_by_kind(&examples, &responses, &swapped);
        assert_eq!(of(&stats, "ends_with").unwrap().1, Some(-1.0), "{stats:?}");
        // References meet every constraint of their prompts: every kind passes and none has a gap.
        let references: Vec<String> = examples.iter().map(|e| e.response.clone()).collect();
        let stats = rollouts_by_kind(&examples, &references, &scores);
        assert_eq!(stats.len(), 3, "{stats:?}");
        assert!(stats.iter().all(|k| k.pass == 1.0 && k.score_gap.is_none()), "{stats:?}");
    }
}
