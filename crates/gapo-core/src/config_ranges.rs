//! The allowed range of every number in a run config. A run checks its config against this table before
//! any work starts, so that a zero, a negative, a NaN or an absurdly large value is an error that names the
//! field and its range: never a panic deep inside a kernel, never a run that trains nothing. A number the
//! table does not know is an error too, so a new config field cannot slip past it (the unit tests walk the
//! default config with every variant).

use crate::error::{GapoError, Result};
use serde::Serialize;

/// `min ..= max`, or `min < x ..= max` when `open_min` (a learning rate above 0).
#[derive(Clone, Copy, Debug)]
struct Range {
    min: f64,
    open_min: bool,
    max: f64,
}

const fn from(min: f64, max: f64) -> Range {
    Range { min, open_min: false, max }
}

const fn above(min: f64, max: f64) -> Range {
    Range { min, open_min: true, max }
}

/// Far above anything a run here could use, far below where a count overflows a buffer size.
const MANY: f64 = 1e7;
/// Batch sizes and token counts: a batch of 2^16 sequences is already more than any machine here holds.
const BATCH: f64 = 65_536.0;
/// A diverging learning rate is allowed: the run stops at the first NaN loss or wild policy ratio, naming
/// the metric and the step, and keeps its checkpoint (the CLI tests provoke it with 1e9).
const LR: Range = above(0.0, 1e12);
const SHARE: Range = from(0.0, 1.0);

/// Every numeric field of `config.json`, by its dotted path.
const RANGES: &[(&str, Range)] = &[
    // Seeds are TOML integers (config files, --set): at most 2^63 - 1.
    ("seed", from(0.0, i64::MAX as f64)),
    ("task.k_max", from(1.0, 12.0)),
    ("task.held_out_share", from(0.0, 0.9)),
    ("task.n_train", from(1.0, MANY)),
    ("task.n_eval", from(1.0, MANY)),
    // 0: no in-distribution split (a data file's task has none).
    ("task.n_eval_in", from(0.0, MANY)),
    ("task.modify_share", SHARE),
    ("task.seed", from(0.0, i64::MAX as f64)),
    ("sft.steps", from(1.0, MANY)),
    ("sft.batch", from(1.0, BATCH)),
    ("sft.lr", LR),
    ("ppo.rollout_batch", from(1.0, BATCH)),
    ("ppo.max_new_tokens", from(1.0, BATCH)),
    ("ppo.epochs", from(1.0, 1000.0)),
    ("ppo.minibatch", from(1.0, BATCH)),
    // 0: the whole minibatch at once.
    ("ppo.micro_batch", from(0.0, BATCH)),
    ("ppo.actor_lr", LR),
    ("ppo.critic_lr", LR),
    ("ppo.eps_clip", above(0.0, 100.0)),
    ("ppo.value_clip", above(0.0, 1e6)),
    ("ppo.gamma", from(0.0, 1.0)),
    ("ppo.lambda", from(0.0, 1.0)),
    // 0: no KL penalty.
    ("ppo.kl.beta", from(0.0, 1e6)),
    ("ppo.kl.target", above(0.0, 1e6)),
    ("ppo.kl.horizon", from(1.0, 1e12)),
    ("ppo.reward_clip", above(0.0, 1e12)),
    ("ppo.max_grad_norm", above(0.0, 1e12)),
    ("ppo.temperature", above(0.0, 100.0)),
    // 0: no top-k cut.
    ("ppo.top_k", from(0.0, MANY)),
    ("ppo.top_p", above(0.0, 1.0)),
    ("ppo.samples_per_prompt", from(1.0, 1024.0)),
    ("ppo.ptx_coef", from(0.0, 1e6)),
    ("disc.lr", LR),
    ("disc.batch", from(1.0, BATCH)),
    // 0: no warm-up (D starts from its initialisation).
    ("disc.warmup_epochs", from(0.0, 1e5)),
    // 0: D stays as initialised through the warm-up (a control).
    ("disc.warmup_lr", from(0.0, 1e12)),
    // 0: D is never retrained after the warm-up.
    ("disc.epochs_per_stage", from(0.0, 1e5)),
    ("disc.max_grad_norm", above(0.0, 1e12)),
    ("gapo.stages", from(1.0, 1e5)),
    ("gapo.rollouts_per_stage", from(1.0, MANY)),
    ("gapo.fake_share", SHARE),
    ("gapo.probe_prompts", from(1.0, MANY)),
    ("gapo.disc_items_per_stage", from(1.0, MANY)),
    ("gapo.reward_contrast", from(0.0, 1e6)),
    ("gapo.response_pair_share", SHARE),
    ("pref.steps", from(1.0, MANY)),
    ("pref.batch", from(1.0, BATCH)),
    ("pref.lr", LR),
    ("pref.beta", above(0.0, 1e6)),
    ("pref.simpo_beta", above(0.0, 1e6)),
    ("pref.simpo_gamma", from(0.0, 1e6)),
    ("pref.orpo_lambda", from(0.0, 1e6)),
    ("eval.max_new_tokens", from(1.0, BATCH)),
    ("eval.batch", from(1.0, BATCH)),
];

/// Checks every number of `config` against [`RANGES`]; the error names the field, its value and its range.
/// The config is read as TOML, which, unlike JSON, spells NaN and infinity (an unset optional field is
/// simply absent).
pub fn check(config: &impl Serialize) -> Result<()> {
    let tree = toml::Value::try_from(config)
        .map_err(|e| GapoError::Config { field: "config".into(), message: e.to_string() })?;
    walk(&tree, "")
}

fn walk(value: &toml::Value, path: &str) -> Result<()> {
    let x = match value {
        toml::Value::Table(fields) => {
            for (key, v) in fields {
                walk(v, &if path.is_empty() { key.clone() } else { format!("{path}.{key}") })?;
            }
            return Ok(());
        }
        toml::Value::Integer(i) => *i as f64,
        toml::Value::Float(f) => *f,
        _ => return Ok(()),
    };
    let range = range_of(path).ok_or_else(|| GapoError::Config {
        field: path.into(),
        message: "has no allowed range in config_ranges.rs; add one".into(),
    })?;
    let low_ok = if range.open_min { x > range.min } else { x >= range.min };
    if low_ok && x <= range.max {
        Ok(())
    } else if x.is_finite() {
        Err(out_of_range(path, &value.to_string(), range))
    } else {
        Err(out_of_range(path, "NaN or infinite", range))
    }
}

fn range_of(path: &str) -> Option<Range> {
    RANGES.iter().find(|(p, _)| *p == path).map(|(_, r)| *r)
}

fn out_of_range(field: &str, value: &str, r: Range) -> GapoError {
    let low = if r.open_min { format!("above {}", show(r.min)) } else { format!("at least {}", show(r.min)) };
    GapoError::Config {
        field: field.into(),
        message: format!("is {value}; it must be {low} and at most {}", show(r.max)),
    }
}

/// 65536 as `65536`, 1e12 as `1e12`.
fn show(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e7 { format!("{}", x as i64) } else { format!("{x:e}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(text: &str) -> toml::Value {
        toml::from_str(text).unwrap()
    }

    #[test]
    fn in_range_passes_and_each_kind_of_bad_number_names_the_field() {
        assert!(walk(&tree("[sft]\nlr = 1e-3\nsteps = 10\n[ppo.kl]\nbeta = 0.0"), "").is_ok());
        for (bad, field, says) in [
            ("[sft]\nlr = 0.0", "sft.lr", "above 0"),
            ("[sft]\nsteps = 0", "sft.steps", "at least 1"),
            ("[ppo.kl]\nbeta = -3.0", "ppo.kl.beta", "is -3"),
            ("[sft]\nlr = nan", "sft.lr", "NaN or infinite"),
            ("[disc]\nwarmup_lr = inf", "disc.warmup_lr", "NaN or infinite"),
            ("[disc]\nwarmup_lr = -1.0", "disc.warmup_lr", "at least 0"),
            ("[ppo]\nrollout_batch = 1000000000", "ppo.rollout_batch", "at most 65536"),
            ("[sft]\nnew_number = 1", "sft.new_number", "no allowed range"),
        ] {
            let message = walk(&tree(bad), "").unwrap_err().to_string();
            assert!(message.contains(field) && message.contains(says), "{message}");
        }
    }

    #[test]
    fn every_range_is_well_formed() {
        for (path, r) in RANGES {
            assert!(r.min <= r.max, "{path}");
        }
    }
}
