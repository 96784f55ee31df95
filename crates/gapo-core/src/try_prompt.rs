//! One prompt in; the generator's answer, the discriminator's score of it and the exact checker's verdict
//! on each constraint out. The CLI's `generate` and the page's try-it box both call this.

use crate::algo::discriminator::{Labelled, logits, probability};
use crate::error::Result;
use crate::generation::complete;
use crate::model::CausalLm;
use crate::model::sampling::SamplingConfig;
use crate::players::DiscriminatorModel;
use crate::readback::floats;
use crate::task::{Constraint, Verdict, parse_prompt};
use crate::tokenizer::GapoTokenizer;
use burn::tensor::Device;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tried {
    pub prompt: String,
    pub response: String,
    /// σ(D(prompt, response)), when a discriminator was given.
    pub disc_score: Option<f64>,
    /// Each constraint the prompt states, with its verdict on the response.
    pub verdicts: Vec<(Constraint, Verdict)>,
}

impl Tried {
    pub fn passed(&self) -> usize {
        self.verdicts.iter().filter(|(_, v)| v.pass).count()
    }
}

/// Samples `samples` answers to `prompt` (a prompt of the built-in task, typed or picked; an unreadable one
/// is an error naming the part) and scores each.
pub async fn try_prompt(
    generator: &impl CausalLm,
    disc: Option<&DiscriminatorModel>,
    tokenizer: &GapoTokenizer,
    prompt: &str,
    sampling: &SamplingConfig,
    max_new_tokens: usize,
    samples: usize,
    device: &Device,
) -> Result<Vec<Tried>> {
    let (product, constraints) = parse_prompt(prompt)?;
    let prompts = vec![prompt.to_string(); samples.max(1)];
    let responses = complete(generator, tokenizer, &prompts, max_new_tokens, sampling, 64, device).await?;
    let scores = match disc {
        Some(d) => {
            let rows: Vec<Labelled> = responses.iter().map(|r| (prompt.to_string(), r.clone(), 0.0)).collect();
            let refs: Vec<&Labelled> = rows.iter().collect();
            let logits = floats(logits(d, tokenizer, &refs, device)?).await?;
            logits.into_iter().map(|s| Some(probability(s))).collect()
        }
        None => vec![None; responses.len()],
    };
    Ok(responses
        .into_iter()
        .zip(scores)
        .map(|(response, disc_score)| Tried {
            prompt: prompt.to_string(),
            verdicts: constraints.iter().map(|c| (c.clone(), c.check(&product, &response))).collect(),
            response,
            disc_score,
        })
        .collect())
}
