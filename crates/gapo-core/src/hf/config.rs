//! The parts of a Hugging Face config.json that our models implement. A field we need and cannot find, or
//! a feature we do not implement (RoPE scaling, sliding windows, another activation), is an error that
//! names the field, never a silently different model.

use crate::error::GapoError;
use serde_json::Value;

/// Which decoder family: the same layer; Qwen2 adds biases to q, k and v.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum DecoderFamily {
    Llama,
    Qwen2,
}

/// A Qwen2/Llama decoder's shape.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DecoderSpec {
    pub family: DecoderFamily,
    pub vocab_size: usize,
    pub hidden_size: usize,
    pub intermediate_size: usize,
    pub n_layers: usize,
    pub n_heads: usize,
    pub n_kv_heads: usize,
    pub head_dim: usize,
    pub max_positions: usize,
    pub rms_norm_eps: f64,
    pub rope_theta: f64,
    pub tie_word_embeddings: bool,
    pub attention_bias: bool,
}

/// Which encoder family: RoBERTa counts positions from `pad_token_id + 1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum EncoderFamily {
    Bert,
    Roberta,
}

/// A BERT/RoBERTa encoder's shape.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EncoderSpec {
    pub family: EncoderFamily,
    pub vocab_size: usize,
    pub hidden_size: usize,
    pub intermediate_size: usize,
    pub n_layers: usize,
    pub n_heads: usize,
    pub max_positions: usize,
    pub type_vocab_size: usize,
    pub layer_norm_eps: f64,
    pub pad_token_id: usize,
}

fn field_error(field: &str, message: impl Into<String>) -> GapoError {
    GapoError::Config { field: format!("config.json: {field}"), message: message.into() }
}

fn usize_field(json: &Value, field: &str) -> crate::Result<usize> {
    match json.get(field) {
        Some(v) => v
            .as_u64()
            .map(|n| n as usize)
            .filter(|&n| n > 0)
            .ok_or_else(|| field_error(field, format!("{v} is not a positive integer"))),
        None => Err(field_error(field, "missing")),
    }
}

fn f64_field(json: &Value, field: &str) -> crate::Result<Option<f64>> {
    match json.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v.as_f64().map(Some).ok_or_else(|| field_error(field, format!("{v} is not a number"))),
    }
}

fn bool_field(json: &Value, field: &str, default: bool) -> crate::Result<bool> {
    match json.get(field) {
        None | Some(Value::Null) => Ok(default),
        Some(v) => v.as_bool().ok_or_else(|| field_error(field, format!("{v} is not true or false"))),
    }
}

fn require_activation(json: &Value, field: &str, allowed: &[&str]) -> crate::Result<()> {
    match json.get(field).and_then(|v| v.as_str()) {
        Some(act) if allowed.contains(&act) => Ok(()),
        Some(act) => Err(field_error(field, format!("`{act}` is not implemented (only {})", allowed.join(", ")))),
        None => Err(field_error(field, "missing")),
    }
}

impl DecoderSpec {
    pub fn from_config(json: &Value) -> crate::Result<Self> {
        let family = match json.get("model_type").and_then(|v| v.as_str()) {
            Some("llama") => DecoderFamily::Llama,
            Some("qwen2") => DecoderFamily::Qwen2,
            Some(other) => {
                return Err(field_error("model_type", format!("`{other}` is not a decoder we import (llama, qwen2)")));
            }
            None => return Err(field_error("model_type", "missing")),
        };
        require_activation(json, "hidden_act", &["silu"])?;
        // transformers ≥ 5 writes rope_parameters {rope_theta, rope_type}; older files have rope_theta and
        // rope_scaling at the top level.
        let rope_params = json.get("rope_parameters").filter(|v| !v.is_null());
        let rope_type = rope_params.and_then(|p| p.get("rope_type")).or_else(|| {
            json.get("rope_scaling").filter(|v| !v.is_null()).and_then(|s| s.get("rope_type").or(s.get("type")))
        });
        if let Some(t) = rope_type.and_then(|t| t.as_str()).filter(|t| *t != "default") {
            return Err(field_error("rope_scaling", format!("RoPE type `{t}` is not implemented (only the default)")));
        }
        let rope_theta = match rope_params.map(|p| f64_field(p, "rope_theta")).transpose()?.flatten() {
            Some(theta) => theta,
            None => f64_field(json, "rope_theta")?.unwrap_or(10_000.0),
        };
        if bool_field(json, "use_sliding_window", false)? {
            return Err(field_error("use_sliding_window", "sliding-window attention is not implemented"));
        }
        let hidden_size = usize_field(json, "hidden_size")?;
        let n_heads = usize_field(json, "num_attention_heads")?;
        let n_kv_heads = if json.get("num_key_value_heads").is_some_and(|v| !v.is_null()) {
            usize_field(json, "num_key_value_heads")?
        } else {
            n_heads
        };
        if n_heads % n_kv_heads != 0 {
            return Err(field_error(
                "num_key_value_heads",
                format!("{n_kv_heads} does not divide num_attention_heads {n_heads}"),
            ));
        }
        let head_dim = if json.get("head_dim").is_some_and(|v| !v.is_null()) {
            usize_field(json, "head_dim")?
        } else if hidden_size % n_heads == 0 {
            hidden_size / n_heads
        } else {
            return Err(field_error(
                "num_attention_heads",
                format!("{n_heads} does not divide hidden_size {hidden_size}"),
            ));
        };
        if head_dim % 2 != 0 {
            return Err(field_error("head_dim", format!("{head_dim} is odd; RoPE rotates pairs")));
        }
        Ok(Self {
            family,
            vocab_size: usize_field(json, "vocab_size")?,
            hidden_size,
            intermediate_size: usize_field(json, "intermediate_size")?,
            n_layers: usize_field(json, "num_hidden_layers")?,
            n_heads,
            n_kv_heads,
            head_dim,
            max_positions: usize_field(json, "max_position_embeddings")?,
            rms_norm_eps: f64_field(json, "rms_norm_eps")?.unwrap_or(1e-6),
            rope_theta,
            tie_word_embeddings: bool_field(json, "tie_word_embeddings", false)?,
            attention_bias: bool_field(json, "attention_bias", family == DecoderFamily::Qwen2)?,
        })
    }

    /// Parameters, counting a tied embedding once.
    pub fn num_params(&self) -> usize {
        let (d, f, dh) = (self.hidden_size, self.intermediate_size, self.head_dim);
        let (q, kv) = (self.n_heads * dh, self.n_kv_heads * dh);
        let bias = if self.attention_bias { q + 2 * kv } else { 0 };
        let layer = d * q + 2 * d * kv + q * d + bias + 3 * d * f + 2 * d;
        let head = if self.tie_word_embeddings { 0 } else { self.vocab_size * d };
        self.vocab_size * d + self.n_layers * layer + d + head
    }
}

impl EncoderSpec {
    pub fn from_config(json: &Value) -> crate::Result<Self> {
        let family = match json.get("model_type").and_then(|v| v.as_str()) {
            Some("bert") => EncoderFamily::Bert,
            Some("roberta") | Some("xlm-roberta") => EncoderFamily::Roberta,
            Some(other) => {
                return Err(field_error(
                    "model_type",
                    format!("`{other}` is not an encoder we import (bert, roberta)"),
                ));
            }
            None => return Err(field_error("model_type", "missing")),
        };
        require_activation(json, "hidden_act", &["gelu"])?;
        if let Some(kind) = json.get("position_embedding_type").and_then(|v| v.as_str()).filter(|k| *k != "absolute") {
            return Err(field_error("position_embedding_type", format!("`{kind}` is not implemented (only absolute)")));
        }
        let hidden_size = usize_field(json, "hidden_size")?;
        let n_heads = usize_field(json, "num_attention_heads")?;
        if hidden_size % n_heads != 0 {
            return Err(field_error(
                "num_attention_heads",
                format!("{n_heads} does not divide hidden_size {hidden_size}"),
            ));
        }
        let pad_token_id = json.get("pad_token_id").and_then(|v| v.as_u64()).unwrap_or(0) as usize;
        Ok(Self {
            family,
            vocab_size: usize_field(json, "vocab_size")?,
            hidden_size,
            intermediate_size: usize_field(json, "intermediate_size")?,
            n_layers: usize_field(json, "num_hidden_layers")?,
            n_heads,
            max_positions: usize_field(json, "max_position_embeddings")?,
            type_vocab_size: usize_field(json, "type_vocab_size")?,
            layer_norm_eps: f64_field(json, "layer_norm_eps")?.unwrap_or(1e-12),
            pad_token_id,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn qwen() -> Value {
        json!({"model_type": "qwen2", "hidden_act": "silu", "vocab_size": 151936, "hidden_size": 896,
               "intermediate_size": 4864, "num_hidden_layers": 24, "num_attention_heads": 14,
               "num_key_value_heads": 2, "max_position_embeddings": 32768, "rms_norm_eps": 1e-6,
               "rope_theta": 1000000.0, "tie_word_embeddings": true, "use_sliding_window": false})
    }

    #[test]
    fn reads_qwen2_5_0_5b_and_counts_its_parameters() {
        let spec = DecoderSpec::from_config(&qwen()).unwrap();
        assert_eq!((spec.head_dim, spec.n_kv_heads, spec.rope_theta), (64, 2, 1e6));
        assert!(spec.attention_bias && spec.tie_word_embeddings);
        // Qwen2.5-0.5B has 494,032,768 parameters (its model card says 0.49B).
        assert_eq!(spec.num_params(), 494_032_768);
    }

    #[test]
    fn refuses_what_it_does_not_implement_by_field() {
        let mut j = qwen();
        j["rope_scaling"] = json!({"rope_type": "llama3", "factor": 8.0});
        assert!(DecoderSpec::from_config(&j).unwrap_err().to_string().contains("rope_scaling"));
        let mut j = qwen();
        j["hidden_act"] = json!("gelu");
        assert!(DecoderSpec::from_config(&j).unwrap_err().to_string().contains("hidden_act"));
        let mut j = qwen();
        j["num_key_value_heads"] = json!(3);
        assert!(DecoderSpec::from_config(&j).unwrap_err().to_string().contains("num_key_value_heads"));
        let mut j = qwen();
        j["model_type"] = json!("gpt2");
        assert!(DecoderSpec::from_config(&j).unwrap_err().to_string().contains("gpt2"));
        let mut j = qwen();
        j.as_object_mut().unwrap().remove("hidden_size");
        assert!(DecoderSpec::from_config(&j).unwrap_err().to_string().contains("hidden_size"));
    }
}
