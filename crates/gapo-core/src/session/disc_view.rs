//! What the discriminator reads, for the page: a held-out response scored under its accepted prompt and
//! under its rejected one (one constraint changed or added, the response fails it), and a fresh generator
//! sample for the same prompt scored under both. A D that checks the response against the prompt scores
//! the first pair apart; one that reads only the prompts, or only the style, does not.

use super::Session;
use crate::algo::discriminator::{evaluate, probability};
use crate::error::Result;
use crate::generation::complete;
use crate::model::sampling::SamplingConfig;
use crate::rng::SplitMix64;
use crate::task::Constraint;
use crate::task::preferential::{Perturbation, reject_prompt};
use crate::task::render::rule_in_prompt;
use burn::module::Module;
use serde::{Deserialize, Serialize};

/// σ(D) of one response under the accepted and the rejected prompt.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ScoredResponse {
    pub response: String,
    pub under_accepted: f64,
    pub under_rejected: f64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DiscView {
    pub accepted_prompt: String,
    pub rejected_prompt: String,
    /// The rule the rejected prompt changed (`before`, `after`) or added (`before` empty).
    pub rule_before: String,
    pub rule_after: String,
    /// The held-out reference response (real).
    pub real: ScoredResponse,
    /// A fresh sample of the current generator for the accepted prompt (a fake).
    pub fake: ScoredResponse,
}

impl Session {
    /// D's view of held-out prompt `item` (modulo their number): `None` for a method without D, or a
    /// prompt no rejected prompt can be built for. The fake is sampled with the same random stream each
    /// time (the backend is reseeded before every training step), so its change between two calls is the
    /// models'.
    pub async fn discriminator_view(&self, item: usize) -> Result<Option<DiscView>> {
        let (Some(disc), false) = (self.discriminator(), self.task.eval.is_empty()) else {
            return Ok(None);
        };
        let e = &self.task.eval[item % self.task.eval.len()];
        let mut rng = SplitMix64::new(self.config.seed ^ 0xD15C ^ item as u64);
        let c = &self.config.task;
        let Some(rejected) = reject_prompt(e, c.modify_share, &c.kinds, &self.hooks, &mut rng) else {
            return Ok(None);
        };
        let phrase = |c: &Constraint| rule_in_prompt(c, e.style);
        let (rule_before, rule_after) = match rejected.how {
            Perturbation::Modified { index } => (phrase(&e.constraints[index]), phrase(&rejected.constraints[index])),
            Perturbation::Inserted { index } => (String::new(), phrase(&rejected.constraints[index])),
        };
        self.device.seed(self.config.seed ^ 0xFA4E);
        let sampling = SamplingConfig::new().with_temperature(self.config.ppo.temperature);
        let prompts = [e.prompt.clone()];
        let max_new = self.config.ppo.max_new_tokens;
        let fake = complete(&self.generator(), &self.tokenizer, &prompts, max_new, &sampling, 1, &self.device).await?;
        let fake = fake.into_iter().next().unwrap_or_default();
        let rows = [
            (e.prompt.clone(), e.response.clone(), 1.0),
            (rejected.prompt.clone(), e.response.clone(), 0.0),
            (e.prompt.clone(), fake.clone(), 0.0),
            (rejected.prompt.clone(), fake.clone(), 0.0),
        ];
        let scores = evaluate(&disc.disc.valid(), &self.tokenizer, &rows, &self.device).await?.logits;
        let sigma = |i: usize| probability(scores[i]);
        Ok(Some(DiscView {
            accepted_prompt: e.prompt.clone(),
            rejected_prompt: rejected.prompt,
            rule_before,
            rule_after,
            real: ScoredResponse { response: e.response.clone(), under_accepted: sigma(0), under_rejected: sigma(1) },
            fake: ScoredResponse { response: fake, under_accepted: sigma(2), under_rejected: sigma(3) },
        }))
    }
}
