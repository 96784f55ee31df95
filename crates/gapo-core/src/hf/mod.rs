//! Hugging Face models in and out: a Qwen2/Llama-family decoder as the generator, a BERT/RoBERTa-family
//! encoder as the discriminator's backbone, each read from a Hugging Face folder (config.json,
//! model.safetensors or its shards, tokenizer.json), and the decoder written back as such a folder.
//!
//! - [`config`]: what we read from config.json; anything we do not implement is refused by name.
//! - [`weights`]: the safetensors reader (F32, F16, BF16 → f32).
//! - [`decoder`]: RMSNorm, RoPE, grouped-query attention, SwiGLU; KV cache for sampling.
//! - [`encoder`]: BERT's post-LN encoder with absolute positions (RoBERTa's offset positions).
//! - [`export`]: the decoder's weights back under Hugging Face's names.
//! - [`memory`]: the memory a run needs, printed before it starts.
//! - [`tokenize`]: an imported tokenizer.json with the ids that play gapo's special tokens.
//!
//! Like the rest of the core this module does not touch the file system: a shell hands it an [`HfSource`]
//! that reads a file of the folder by name (the CLI reads a directory; tests read the committed fixtures).
//!
//! Each model keeps its own tokenizer: text is the only thing that crosses from the generator to the
//! discriminator (the authors' code fed one model's token ids to the other).

pub mod config;
pub mod decoder;
pub mod encoder;
pub mod export;
pub mod memory;
pub mod rope;
#[cfg(not(target_family = "wasm"))]
pub mod tokenize;
pub mod weights;

pub use config::{DecoderSpec, EncoderSpec};
pub use decoder::HfDecoder;
pub use encoder::HfEncoder;
pub use weights::Weights;

use crate::error::GapoError;
use std::collections::BTreeMap;

/// A Hugging Face folder, file by file.
pub trait HfSource {
    /// Where the files come from, for error messages (a directory path, say).
    fn label(&self) -> String;
    /// The bytes of `name`, or `None` when the folder has no such file.
    fn read(&self, name: &str) -> crate::Result<Option<Vec<u8>>>;
    /// An error about one file of the folder.
    fn error(&self, file: &str, message: String) -> GapoError {
        GapoError::Checkpoint { source_name: format!("{}/{file}", self.label()), message }
    }
}

/// A folder held in memory (the page, tests, and anything that already has the bytes).
#[derive(Clone, Debug)]
pub struct MemorySource {
    pub label: String,
    pub files: BTreeMap<String, Vec<u8>>,
}

impl HfSource for MemorySource {
    fn label(&self) -> String {
        self.label.clone()
    }
    fn read(&self, name: &str) -> crate::Result<Option<Vec<u8>>> {
        Ok(self.files.get(name).cloned())
    }
}

/// Reads and parses `config.json`.
pub fn read_config(source: &dyn HfSource) -> crate::Result<serde_json::Value> {
    let bytes = source
        .read("config.json")?
        .ok_or_else(|| source.error("config.json", "missing (is this a Hugging Face model folder?)".into()))?;
    serde_json::from_slice(&bytes).map_err(|e| source.error("config.json", format!("not JSON: {e}")))
}

/// Reads `tokenizer.json` (the `tokenizers` library's format, which every recent model folder has).
#[cfg(not(target_family = "wasm"))]
pub fn read_tokenizer(source: &dyn HfSource) -> crate::Result<tokenizers::Tokenizer> {
    let bytes = source.read("tokenizer.json")?.ok_or_else(|| {
        source.error("tokenizer.json", "missing (only the fast-tokenizer file tokenizer.json is read)".into())
    })?;
    let mut tokenizer = tokenizers::Tokenizer::from_bytes(&bytes).map_err(|e| GapoError::Tokenizer {
        source_name: format!("{}/tokenizer.json", source.label()),
        message: e.to_string(),
    })?;
    // Batches are padded by our own code (left for prompts, right for the encoder); a padding rule in the
    // file (all-MiniLM-L6-v2 pads every row to 128) would add tokens the masks do not know about.
    tokenizer.with_padding(None);
    Ok(tokenizer)
}
