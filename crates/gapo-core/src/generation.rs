//! Text in, text out: complete many prompts with the generator in batches. The tokens of a whole batch are
//! read back once, after the rollout (async, so the same code runs in a browser tab).

use crate::data::batch::prompt_batch;
use crate::error::{GapoError, Result};
use crate::model::CausalLm;
use crate::model::sampling::{SamplingConfig, generate};
use crate::tokenizer::GapoTokenizer;
use burn::tensor::Device;

/// Completes each prompt (`[BOS] prompt [SEP]` → response up to `[EOS]`), `batch_size` prompts at a time.
/// Prompts longer than the model allows are cut from the left, keeping their end.
pub async fn complete(
    model: &impl CausalLm,
    tokenizer: &GapoTokenizer,
    prompts: &[String],
    max_new: usize,
    sampling: &SamplingConfig,
    batch_size: usize,
    device: &Device,
) -> Result<Vec<String>> {
    let special = tokenizer.special();
    let budget = model.max_len().checked_sub(max_new).filter(|b| *b >= 2).ok_or_else(|| {
        GapoError::Input(format!("max_new {max_new} leaves no room for a prompt in max_seq_len {}", model.max_len()))
    })?;
    let mut out = Vec::with_capacity(prompts.len());
    for chunk in prompts.chunks(batch_size.max(1)) {
        let batch = prompt_batch(tokenizer, chunk, budget)?;
        let (ids, mask) = batch.to_device(device);
        let rollout = generate(model, ids, mask, max_new, sampling, special.eos, special.pad)?;
        let tokens = rollout
            .tokens
            .into_data_async()
            .await
            .map_err(|e| GapoError::Input(format!("reading tokens back: {e:?}")))?
            .convert::<i64>()
            .try_into_vec::<i64>()
            .map_err(|e| GapoError::Input(format!("reading tokens back: {e:?}")))?;
        for row in tokens.chunks(max_new) {
            let ids: Vec<u32> = row.iter().take_while(|&&t| t != special.eos as i64).map(|&t| t as u32).collect();
            out.push(tokenizer.decode(&ids)?);
        }
    }
    Ok(out)
}
