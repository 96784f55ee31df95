//! An imported model's tokenizer.json as a [`GapoTokenizer`]: which of its tokens play the parts of gapo's
//! `[BOS] prompt [SEP] response [EOS]` (the generator's layout) and `[CLS] prompt [SEP] response [SEP]`
//! (the discriminator's), found by name in the vocabulary and config.json, never guessed silently.

use super::HfSource;
use crate::error::GapoError;
use crate::tokenizer::{GapoTokenizer, SpecialIds};
use serde_json::Value;

fn token_id(tok: &tokenizers::Tokenizer, names: &[&str]) -> Option<u32> {
    names.iter().find_map(|n| tok.token_to_id(n))
}

fn config_id(config: &Value, field: &str) -> Option<u32> {
    match config.get(field) {
        Some(Value::Number(n)) => n.as_u64().map(|v| v as u32),
        Some(Value::Array(a)) => a.first().and_then(|v| v.as_u64()).map(|v| v as u32),
        _ => None,
    }
}

/// A decoder's tokenizer. End of text: config.json's `eos_token_id`, else `<|endoftext|>` / `</s>`; it
/// also starts each prompt (config's `bos_token_id` when there is one) and pads. The prompt and the
/// response are separated by a newline, as plain text would be.
pub fn decoder_tokenizer(source: &dyn HfSource, config: &Value) -> crate::Result<GapoTokenizer> {
    let tok = super::read_tokenizer(source)?;
    let name = format!("{}/tokenizer.json", source.label());
    let err = |message: String| GapoError::Tokenizer { source_name: name.clone(), message };
    let eos = config_id(config, "eos_token_id")
        .or_else(|| token_id(&tok, &["<|endoftext|>", "</s>", "<|end_of_text|>"]))
        .ok_or_else(|| {
            err("no end-of-text token (config.json has no eos_token_id, the vocabulary no <|endoftext|> or </s>)"
                .into())
        })?;
    let bos = config_id(config, "bos_token_id").unwrap_or(eos);
    let newline = tok.encode("\n", false).map_err(|e| err(e.to_string()))?;
    let &[sep] = newline.get_ids() else {
        return Err(err(format!(
            "a newline is {} tokens, not one; gapo separates prompt and response with it",
            newline.get_ids().len()
        )));
    };
    let pad = config_id(config, "pad_token_id").unwrap_or(eos);
    Ok(GapoTokenizer::from_parts(tok, SpecialIds { pad, bos, eos, cls: bos, sep }, &name))
}

/// An encoder's tokenizer: `[CLS]`/`[SEP]`/`[PAD]` (BERT) or `<s>`/`</s>`/`<pad>` (RoBERTa).
pub fn encoder_tokenizer(source: &dyn HfSource, config: &Value) -> crate::Result<GapoTokenizer> {
    let tok = super::read_tokenizer(source)?;
    let name = format!("{}/tokenizer.json", source.label());
    let missing =
        |what: &str| GapoError::Tokenizer { source_name: name.clone(), message: format!("has no {what} token") };
    let cls = token_id(&tok, &["[CLS]", "<s>"]).ok_or_else(|| missing("[CLS] or <s>"))?;
    let sep = token_id(&tok, &["[SEP]", "</s>"]).ok_or_else(|| missing("[SEP] or </s>"))?;
    let pad = config_id(config, "pad_token_id")
        .or_else(|| token_id(&tok, &["[PAD]", "<pad>"]))
        .ok_or_else(|| missing("[PAD] or <pad>"))?;
    Ok(GapoTokenizer::from_parts(tok, SpecialIds { pad, bos: cls, eos: sep, cls, sep }, &name))
}
