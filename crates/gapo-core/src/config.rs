//! Model presets: small TOML files compiled into the crate (nanoGPT style). Every key is required and an
//! unknown key fails loudly with its name and line, so a typo never silently falls back to a default.

use crate::error::{GapoError, Result};
use crate::model::{DiscriminatorConfig, GeneratorConfig, Pooling};
use serde::{Deserialize, Serialize};

/// The presets shipped with the crate, by name.
pub const PRESETS: [(&str, &str); 3] = [
    ("tiny", include_str!("../presets/tiny.toml")),
    ("small", include_str!("../presets/small.toml")),
    ("bench", include_str!("../presets/bench.toml")),
];

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenizerSpec {
    pub vocab_size: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GeneratorSpec {
    pub d_model: usize,
    pub n_layers: usize,
    pub n_heads: usize,
    pub max_seq_len: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PoolingSpec {
    First,
    Last,
    Mean,
    Pair,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiscriminatorSpec {
    pub d_model: usize,
    pub n_layers: usize,
    pub n_heads: usize,
    pub max_seq_len: usize,
    pub pooling: PoolingSpec,
    pub norm_first: bool,
}

/// Model sizes for one run: the tokenizer, the generator and the discriminator.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelPreset {
    pub tokenizer: TokenizerSpec,
    pub generator: GeneratorSpec,
    pub discriminator: DiscriminatorSpec,
}

impl ModelPreset {
    /// A shipped preset by name.
    pub fn named(name: &str) -> Result<Self> {
        let (_, text) = PRESETS.iter().find(|(n, _)| *n == name).ok_or_else(|| GapoError::Config {
            field: "preset".into(),
            message: format!(
                "unknown preset `{name}`; known: {}",
                PRESETS.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
            ),
        })?;
        Self::parse(text, &format!("preset {name}"))
    }

    /// Parses preset TOML; errors name `source_name`, the line and the offending key.
    pub fn parse(text: &str, source_name: &str) -> Result<Self> {
        let preset: Self = toml::from_str(text).map_err(|e| GapoError::Config {
            field: source_name.into(),
            message: e.to_string().trim_end().to_string(),
        })?;
        preset.generator_config(preset.tokenizer.vocab_size).validate()?;
        preset.discriminator_config(preset.tokenizer.vocab_size).validate()?;
        Ok(preset)
    }

    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("a preset always serialises")
    }

    /// The generator config for a tokenizer of `vocab_size` entries.
    pub fn generator_config(&self, vocab_size: usize) -> GeneratorConfig {
        let g = &self.generator;
        GeneratorConfig::new(vocab_size)
            .with_d_model(g.d_model)
            .with_n_layers(g.n_layers)
            .with_n_heads(g.n_heads)
            .with_max_seq_len(g.max_seq_len)
    }

    /// The discriminator config for a tokenizer of `vocab_size` entries.
    pub fn discriminator_config(&self, vocab_size: usize) -> DiscriminatorConfig {
        let d = &self.discriminator;
        let pooling = match d.pooling {
            PoolingSpec::First => Pooling::First,
            PoolingSpec::Last => Pooling::Last,
            PoolingSpec::Mean => Pooling::Mean,
            PoolingSpec::Pair => Pooling::Pair,
        };
        DiscriminatorConfig::new(vocab_size)
            .with_d_model(d.d_model)
            .with_n_layers(d.n_layers)
            .with_n_heads(d.n_heads)
            .with_max_seq_len(d.max_seq_len)
            .with_pooling(pooling)
            .with_norm_first(d.norm_first)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_preset_parses_and_round_trips() {
        for (name, _) in PRESETS {
            let p = ModelPreset::named(name).unwrap();
            assert_eq!(ModelPreset::parse(&p.to_toml(), name).unwrap(), p);
        }
        let bench = ModelPreset::named("bench").unwrap();
        assert_eq!(
            (
                bench.tokenizer.vocab_size,
                bench.generator.d_model,
                bench.generator.n_layers,
                bench.generator.max_seq_len
            ),
            (1024, 128, 4, 128)
        );
    }

    #[test]
    fn an_unknown_key_fails_loudly_with_its_name_and_line() {
        let text = PRESETS[0].1.replace("n_layers = 2\nn_heads", "n_layers = 2\nn_layrs = 3\nn_heads");
        let err = ModelPreset::parse(&text, "my.toml").unwrap_err().to_string();
        assert!(err.contains("my.toml") && err.contains("n_layrs") && err.contains("line"), "{err}");
    }

    #[test]
    fn an_ill_typed_or_impossible_value_is_an_error() {
        let text = PRESETS[0].1.replace(
            "d_model = 64\nn_layers = 2\nn_heads = 4\nmax_seq_len = 160",
            "d_model = \"big\"\nn_layers = 2\nn_heads = 4\nmax_seq_len = 96",
        );
        let err = ModelPreset::parse(&text, "t.toml").unwrap_err().to_string();
        assert!(err.contains("d_model"), "{err}");
        let text = PRESETS[0].1.replace("n_heads = 4\nmax_seq_len = 160", "n_heads = 5\nmax_seq_len = 160");
        let err = ModelPreset::parse(&text, "t.toml").unwrap_err().to_string();
        assert!(err.contains("generator.n_heads"), "{err}");
        assert!(ModelPreset::named("huge").unwrap_err().to_string().contains("tiny, small, bench"));
    }
}
