//! Supervised fine-tuning: next-token cross-entropy on the response tokens only.
//!
//! For a sequence `x_1..x_T` with loss mask `m_t` (1 on response tokens, 0 on prompt and padding):
//!
//! ```text
//! L = − Σ_t m_{t+1} · log π(x_{t+1} | x_{≤t})  /  Σ_t m_{t+1}
//! ```
//!
//! i.e. the mean negative log-likelihood of the tokens the model should learn to write (TRL's
//! `completion_only_loss`). The prompt is context, never a target.

use crate::data::batch::{PadSide, example_batch, int_table};
use crate::error::Result;
use crate::model::CausalLm;
use crate::tokenizer::GapoTokenizer;
use burn::tensor::activation::log_softmax;
use burn::tensor::{Device, Int, Tensor};

/// (prompt, reference response) rows ready for [`sft_loss`]: ids and attention mask `[B, T]`, and the
/// loss mask `[B, T]`, 1 on the response tokens.
#[derive(Clone, Debug)]
pub struct ReferenceBatch {
    pub ids: Tensor<2, Int>,
    pub mask: Tensor<2>,
    pub loss_mask: Tensor<2>,
}

impl ReferenceBatch {
    /// Encodes `rows` (prompt, response) right-padded to at most `max_len` tokens on `device`.
    pub fn new(tokenizer: &GapoTokenizer, rows: &[(&str, &str)], max_len: usize, device: &Device) -> Result<Self> {
        let (batch, masks) = example_batch(tokenizer, rows, max_len)?;
        let (ids, mask) = batch.to_device(device);
        let loss_mask = int_table(&masks, 0, PadSide::Right, device)?.float();
        Ok(Self { ids, mask, loss_mask })
    }

    /// The rows at `idx` (`[R]`), in that order.
    pub fn select(&self, idx: Tensor<1, Int>) -> Self {
        Self {
            ids: self.ids.clone().select(0, idx.clone()),
            mask: self.mask.clone().select(0, idx.clone()),
            loss_mask: self.loss_mask.clone().select(0, idx),
        }
    }

    pub fn rows(&self) -> usize {
        self.ids.dims()[0]
    }
}

/// Log-probability the model gives each next token: `[B, T-1]`, entry `t` is `log π(x_{t+1} | x_{≤t})`.
/// `ids`, `mask`: `[B, T]`.
pub fn next_token_logprobs(model: &impl CausalLm, ids: Tensor<2, Int>, mask: Tensor<2>) -> Tensor<2> {
    let [b, t] = ids.dims();
    let logits = model.forward_positions(ids.clone(), mask, 0, t - 1); // [B, T-1, V]
    let logp = log_softmax(logits, 2); // [B, T-1, V]
    logp.gather(2, ids.narrow(1, 1, t - 1).reshape([b, t - 1, 1])).reshape([b, t - 1])
}

/// The SFT loss above. `loss_mask`: `[B, T]`, 1 on the tokens to learn. Returns a scalar `[1]`.
pub fn sft_loss(model: &impl CausalLm, ids: Tensor<2, Int>, mask: Tensor<2>, loss_mask: Tensor<2>) -> Tensor<1> {
    let [_, t] = ids.dims();
    let logp = next_token_logprobs(model, ids, mask); // [B, T-1]
    let targets = loss_mask.narrow(1, 1, t - 1); // which next tokens count
    let count = targets.clone().sum().clamp_min(1.0);
    (logp * targets).sum().neg() / count
}
