//! Difficulty and the train / held-out split.
//!
//! Difficulty is k, the number of constraints in a prompt (1..=k_max). The split is by constraint
//! *combination* (the sorted set of kinds): a combination is held out when it has the largest k, or when
//! its hash falls in the held-out share. Training draws only from the other combinations, so evaluation
//! measures generalisation to unseen combinations and to more constraints than ever seen together.

use super::constraint::{Constraint, Kind};
use super::example::{Example, sample_example, signature};
use super::preferential::{RejectedPrompt, RejectedResponse, reject_prompt, reject_response};
use crate::error::{GapoError, Result};
use crate::hooks::Hooks;
use crate::model::init::fnv1a;
use crate::rng::SplitMix64;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TaskConfig {
    /// The largest number of constraints in a prompt; prompts with this many are all held out.
    pub k_max: usize,
    /// Share of the smaller combinations held out, by hash (0 ≤ share < 1).
    pub held_out_share: f64,
    /// Training examples (each with its preference pairs).
    pub n_train: usize,
    /// Held-out evaluation prompts (unseen constraint combinations and k = k_max: out of distribution).
    pub n_eval: usize,
    /// In-distribution evaluation prompts: unseen prompts of the training combinations (k < k_max).
    pub n_eval_in: usize,
    /// Share of rejected prompts made by modifying a constraint (the rest insert one).
    pub modify_share: f64,
    pub seed: u64,
    /// The constraint kinds prompts are drawn from (and rejected prompts insert), by name; all 12 by
    /// default. A subset makes an easier task, e.g. the form kinds a tiny discriminator can learn to check.
    pub kinds: Vec<Kind>,
}

impl Default for TaskConfig {
    fn default() -> Self {
        Self {
            k_max: 4,
            held_out_share: 0.25,
            n_train: 2000,
            n_eval: 200,
            n_eval_in: 200,
            modify_share: 0.5,
            seed: 1,
            kinds: Kind::ALL.to_vec(),
        }
    }
}

impl TaskConfig {
    pub fn validate(&self) -> Result<()> {
        let bad =
            |field: &str, message: &str| GapoError::Config { field: format!("task.{field}"), message: message.into() };
        if !(2..=8).contains(&self.k_max) {
            return Err(bad("k_max", "must be between 2 and 8"));
        }
        if !(0.0..1.0).contains(&self.held_out_share) {
            return Err(bad("held_out_share", "must be in [0, 1)"));
        }
        if !(0.0..=1.0).contains(&self.modify_share) {
            return Err(bad("modify_share", "must be in [0, 1]"));
        }
        if self.kinds.len() < 2 {
            return Err(bad("kinds", "needs at least two constraint kinds"));
        }
        if let Some(k) = self.kinds.iter().enumerate().find_map(|(i, k)| self.kinds[..i].contains(k).then_some(k)) {
            return Err(bad("kinds", &format!("names `{}` twice", k.name())));
        }
        if self.k_max > self.kinds.len() {
            return Err(bad("k_max", &format!("is more than the {} kinds in task.kinds", self.kinds.len())));
        }
        Ok(())
    }

    /// Whether a combination of constraints belongs to the held-out side.
    pub fn held_out(&self, constraints: &[Constraint]) -> bool {
        constraints.len() >= self.k_max
            || (fnv1a(&signature(constraints)) % 10_000) as f64 / 10_000.0 < self.held_out_share
    }
}

/// A training example with its two kinds of rejected counterparts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainItem {
    pub example: Example,
    pub rejected_prompt: RejectedPrompt,
    pub rejected_response: RejectedResponse,
}

/// The built-in task: training items and two evaluation sets.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaskData {
    pub config: TaskConfig,
    pub train: Vec<TrainItem>,
    /// Out of distribution: prompts of the held-out combinations, half of them with k = k_max.
    pub eval: Vec<Example>,
    /// In distribution: prompts of the training combinations that no training item has. Empty for a task
    /// built from data rows.
    #[serde(default)]
    pub eval_in: Vec<Example>,
    /// Text the checkers do not read (`TaskData::text_only`): SFT trains on it, nothing else.
    #[serde(default)]
    pub text_only: bool,
}

impl TaskData {
    /// The generated task of `config`, with the built-in pieces.
    pub fn build(config: &TaskConfig) -> Result<Self> {
        Self::build_with(config, &Hooks::default())
    }

    /// As [`TaskData::build`], with the classroom's word-limit builder when `hooks` has one.
    pub fn build_with(config: &TaskConfig, hooks: &Hooks) -> Result<Self> {
        config.validate()?;
        let mut rng = SplitMix64::new(config.seed);
        let cfg = config.clone();
        let train_side = move |cs: &[Constraint]| !cfg.held_out(cs);
        let mut train = Vec::with_capacity(config.n_train);
        let mut attempts = 0;
        while train.len() < config.n_train {
            attempts += 1;
            if attempts > 100 * config.n_train.max(1) {
                return Err(GapoError::Config {
                    field: "task.kinds".into(),
                    message: "could not draw enough training prompts from these kinds and this split".into(),
                });
            }
            let k = 1 + rng.below(config.k_max - 1);
            let Some(example) = sample_example(k, &config.kinds, &mut rng, &train_side) else {
                continue;
            };
            let Some(rejected_prompt) = reject_prompt(&example, config.modify_share, &config.kinds, hooks, &mut rng)
            else {
                continue;
            };
            let Some(rejected_response) = reject_response(&example, &mut rng) else {
                continue;
            };
            train.push(TrainItem { example, rejected_prompt, rejected_response });
        }
        let cfg = config.clone();
        let eval_side = move |cs: &[Constraint]| cfg.held_out(cs);
        let mut eval = Vec::with_capacity(config.n_eval);
        let mut attempts = 0;
        while eval.len() < config.n_eval {
            attempts += 1;
            if attempts > 100 * config.n_eval.max(1) {
                return Err(GapoError::Config {
                    field: "task.held_out_share".into(),
                    message: "could not draw enough held-out prompts".into(),
                });
            }
            // Half at the largest k, half over the held-out smaller combinations.
            let k = if rng.below(2) == 0 { config.k_max } else { 1 + rng.below(config.k_max) };
            if let Some(example) = sample_example(k, &config.kinds, &mut rng, &eval_side) {
                eval.push(example);
            }
        }
        // Drawn after everything else, so the training items and held-out prompts of a seed do not change
        // with `n_eval_in`.
        let seen: std::collections::HashSet<&str> = train.iter().map(|t| t.example.prompt.as_str()).collect();
        let cfg = config.clone();
        let train_side = move |cs: &[Constraint]| !cfg.held_out(cs);
        let mut eval_in = Vec::with_capacity(config.n_eval_in);
        let mut attempts = 0;
        while eval_in.len() < config.n_eval_in && attempts < 100 * config.n_eval_in.max(1) {
            attempts += 1;
            let k = 1 + rng.below(config.k_max - 1);
            if let Some(example) = sample_example(k, &config.kinds, &mut rng, &train_side)
                && !seen.contains(example.prompt.as_str())
            {
                eval_in.push(example);
            }
        }
        if eval_in.len() < config.n_eval_in {
            return Err(GapoError::Config {
                field: "task.n_eval_in".into(),
                message: format!("could draw only {} unseen in-distribution prompts", eval_in.len()),
            });
        }
        Ok(Self { config: config.clone(), train, eval, eval_in, text_only: false })
    }
}
