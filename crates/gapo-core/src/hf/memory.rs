//! How much device memory an imported GAPO run needs, before it starts: every copy of the weights (policy,
//! frozen reference, critic — OpenRLHF's layout, a separate backbone copy each — and the discriminator),
//! the gradients and Adam's two moments of what trains, and the largest activations of one micro-batch.
//! The CLI prints it at the start of a run; `docs/full-size.md` shows it for Qwen2.5-0.5B.
//!
//! Activations are an upper estimate of what burn's autodiff keeps for the backward pass of one
//! micro-batch through the policy (the critic's pass is smaller: one value per token instead of
//! vocabulary-wide logits): per layer the block's inputs and intermediate tensors, the attention
//! probabilities, and the logits with their log-softmax.

use super::config::{DecoderSpec, EncoderSpec};

/// The shape of a run that sets its memory.
#[derive(Clone, Debug)]
pub struct RunShape {
    /// Bytes per float: 4 (f32) or 2 (bf16).
    pub float_bytes: usize,
    /// Rows in one forward/backward pass (`ppo.micro_batch`, else `ppo.minibatch`).
    pub micro_batch: usize,
    /// Prompt + response tokens.
    pub seq_len: usize,
    /// LoRA rank on the generator's projections, or full fine-tuning.
    pub lora_rank: Option<usize>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct MemoryPlan {
    /// (what, bytes), in the order printed.
    pub parts: Vec<(String, u64)>,
}

impl MemoryPlan {
    pub fn total(&self) -> u64 {
        self.parts.iter().map(|(_, b)| b).sum()
    }

    /// One line per part and the total, in GiB.
    pub fn describe(&self) -> String {
        let gib = |b: u64| b as f64 / (1u64 << 30) as f64;
        let mut s: String = self.parts.iter().map(|(what, b)| format!("  {what:<48} {:>8.2} GiB\n", gib(*b))).collect();
        s.push_str(&format!("  {:<48} {:>8.2} GiB", "total", gib(self.total())));
        s
    }
}

/// Trainable parameters under LoRA of `rank` on q, k, v, o, gate, up, down: `r·(d_in + d_out)` each.
pub fn lora_params(spec: &DecoderSpec, rank: usize) -> usize {
    let (d, f, dh) = (spec.hidden_size, spec.intermediate_size, spec.head_dim);
    let (q, kv) = (spec.n_heads * dh, spec.n_kv_heads * dh);
    let per_layer = (d + q) + 2 * (d + kv) + (q + d) + 2 * (d + f) + (f + d);
    spec.n_layers * rank * per_layer
}

fn encoder_params(e: &EncoderSpec) -> usize {
    let (d, f) = (e.hidden_size, e.intermediate_size);
    let layer = 4 * (d * d + d) + 2 * (d * f) + f + d + 4 * d;
    (e.vocab_size + e.max_positions + e.type_vocab_size) * d + 2 * d + e.n_layers * layer + d + 1
}

/// The plan for GAPO/PPO with `generator` (policy, reference, critic) and `encoder` (the discriminator).
pub fn plan(generator: &DecoderSpec, encoder: Option<&EncoderSpec>, shape: &RunShape) -> MemoryPlan {
    let fb = shape.float_bytes as u64;
    let n = generator.num_params() as u64;
    let trainable = shape.lora_rank.map(|r| lora_params(generator, r) as u64).unwrap_or(n);
    let mut parts = vec![
        ("policy weights".to_string(), n * fb),
        ("reference weights (frozen copy)".to_string(), n * fb),
        ("critic weights (a copy of the backbone + head)".to_string(), (n + generator.hidden_size as u64 + 1) * fb),
    ];
    if let Some(r) = shape.lora_rank {
        parts.push((format!("LoRA adapters, rank {r} (policy and critic)"), 2 * trainable * fb));
    }
    parts.push(("gradients (policy + critic, what trains)".to_string(), 2 * trainable * fb));
    parts.push(("Adam moments (2 per trained parameter)".to_string(), 2 * 2 * trainable * fb));
    if let Some(e) = encoder {
        let m = encoder_params(e) as u64;
        parts.push(("discriminator weights, gradients, Adam".to_string(), 4 * m * fb));
    }
    let (b, t) = (shape.micro_batch as u64, shape.seq_len as u64);
    let (d, f, v) = (generator.hidden_size as u64, generator.intermediate_size as u64, generator.vocab_size as u64);
    let h = generator.n_heads as u64;
    // Per layer: ~8 tensors of [B, T, D] (norms, q/k/v/o, residuals), 3 of [B, T, F] (gate, up, their
    // product), 2 of [B, H, T, T] (scores, probabilities).
    let per_layer = b * t * (8 * d + 3 * f) + 2 * b * h * t * t;
    parts.push((
        format!("activations, one micro-batch of {b} × {t} tokens"),
        (generator.n_layers as u64 * per_layer + 3 * b * t * v) * fb,
    ));
    MemoryPlan { parts }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn qwen(hidden: usize, inter: usize, layers: usize, heads: usize, kv: usize) -> DecoderSpec {
        DecoderSpec::from_config(&json!({"model_type": "qwen2", "hidden_act": "silu", "vocab_size": 151936,
            "hidden_size": hidden, "intermediate_size": inter, "num_hidden_layers": layers,
            "num_attention_heads": heads, "num_key_value_heads": kv, "max_position_embeddings": 32768,
            "tie_word_embeddings": true}))
        .unwrap()
    }

    fn minilm() -> EncoderSpec {
        EncoderSpec::from_config(&json!({"model_type": "bert", "hidden_act": "gelu", "vocab_size": 30522,
            "hidden_size": 384, "intermediate_size": 1536, "num_hidden_layers": 6, "num_attention_heads": 12,
            "max_position_embeddings": 512, "type_vocab_size": 2}))
        .unwrap()
    }

    const GIB: u64 = 1 << 30;

    #[test]
    fn qwen2_5_0_5b_fits_one_80_gb_gpu_and_7b_needs_lora() {
        let small = qwen(896, 4864, 24, 14, 2); // Qwen2.5-0.5B
        let shape = RunShape { float_bytes: 4, micro_batch: 8, seq_len: 512, lora_rank: None };
        let p = plan(&small, Some(&minilm()), &shape);
        // 494M parameters × 4 bytes × (3 copies + 2 gradients + 4 moments) ≈ 16.6 GiB before activations.
        assert!(p.total() > 16 * GIB && p.total() < 70 * GIB, "{}", p.describe());
        let big = qwen(3584, 18944, 28, 28, 4); // Qwen2.5-7B
        let full = plan(&big, None, &RunShape { float_bytes: 2, ..shape.clone() });
        assert!(full.total() > 80 * GIB, "{}", full.describe());
        let lora = plan(&big, None, &RunShape { float_bytes: 2, lora_rank: Some(16), micro_batch: 2, ..shape });
        assert!(lora.total() < 80 * GIB, "{}", lora.describe());
    }

    #[test]
    fn lora_parameters_are_rank_times_the_sides() {
        let s = qwen(896, 4864, 24, 14, 2);
        // q: 896→896, k,v: 896→128, o: 896→896, gate/up: 896→4864, down: 4864→896.
        let per_layer = (896 + 896) + 2 * (896 + 128) + (896 + 896) + 2 * (896 + 4864) + (4864 + 896);
        assert_eq!(lora_params(&s, 8), 24 * 8 * per_layer);
    }
}
