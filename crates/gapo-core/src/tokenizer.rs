//! Tokenization through Hugging Face `tokenizers`: a byte-level BPE trained on a corpus (any UTF-8 text
//! round-trips exactly), saved to and loaded from `tokenizer.json`, plus the discriminator's layout
//! `[CLS] prompt [SEP] response [SEP]` with segment ids. The same code compiles into the wasm build
//! (tokenizers with `fancy-regex` instead of the C `onig`).

use crate::error::{GapoError, Result};
use tokenizers::models::bpe::{BPE, BpeTrainerBuilder};
use tokenizers::pre_tokenizers::byte_level::ByteLevel;
use tokenizers::{AddedToken, Tokenizer};
use tokenizers::{DecoderWrapper, NormalizerWrapper, PostProcessorWrapper, PreTokenizerWrapper, TokenizerImpl};

/// Special tokens, in id order (the trainer gives them ids 0..5).
pub const PAD: &str = "[PAD]";
pub const BOS: &str = "[BOS]";
pub const EOS: &str = "[EOS]";
pub const CLS: &str = "[CLS]";
pub const SEP: &str = "[SEP]";
pub const SPECIAL_TOKENS: [&str; 5] = [PAD, BOS, EOS, CLS, SEP];

/// Ids of the special tokens in one tokenizer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpecialIds {
    pub pad: u32,
    pub bos: u32,
    pub eos: u32,
    pub cls: u32,
    pub sep: u32,
}

/// `[CLS] prompt [SEP] response [SEP]` and which segment each token belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PairEncoding {
    pub ids: Vec<u32>,
    /// 0 for `[CLS] prompt [SEP]`, 1 for `response [SEP]`.
    pub segments: Vec<u32>,
}

#[derive(Clone)]
pub struct GapoTokenizer {
    inner: Tokenizer,
    special: SpecialIds,
    /// Where this tokenizer came from (a file name, "trained", "built-in"), for error messages.
    source_name: String,
}

impl std::fmt::Debug for GapoTokenizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GapoTokenizer")
            .field("source", &self.source_name)
            .field("vocab_size", &self.vocab_size())
            .field("special", &self.special)
            .finish()
    }
}

impl GapoTokenizer {
    /// Trains a byte-level BPE with `vocab_size` entries (special tokens and the 256 byte symbols included)
    /// on `corpus`, one text per item.
    pub fn train<S: AsRef<str> + Sync>(corpus: &[S], vocab_size: usize) -> Result<Self> {
        let err = |message: String| GapoError::Tokenizer { source_name: "training".into(), message };
        let min = SPECIAL_TOKENS.len() + ByteLevel::alphabet().len();
        if vocab_size < min {
            return Err(GapoError::Config {
                field: "tokenizer.vocab_size".into(),
                message: format!(
                    "{vocab_size} is too small: byte-level BPE needs at least {min} (5 special + 256 bytes)"
                ),
            });
        }
        if corpus.is_empty() {
            return Err(err("the corpus is empty".into()));
        }
        // Trained as a `TokenizerImpl<BPE, ..>` with the BPE trainer itself rather than through the
        // `TrainerWrapper` enum, which would link every trainer (Unigram with its suffix arrays, WordPiece,
        // WordLevel) into the page's wasm for nothing (README, "Size"). Same training, same result.
        let mut bpe =
            TokenizerImpl::<BPE, NormalizerWrapper, PreTokenizerWrapper, PostProcessorWrapper, DecoderWrapper>::new(
                BPE::default(),
            );
        bpe.with_pre_tokenizer(Some(ByteLevel::new(false, true, true)));
        bpe.with_decoder(Some(ByteLevel::new(false, true, true)));
        let mut trainer = BpeTrainerBuilder::new()
            .vocab_size(vocab_size)
            .min_frequency(2)
            .show_progress(false)
            .special_tokens(SPECIAL_TOKENS.iter().map(|t| AddedToken::from(*t, true)).collect())
            .initial_alphabet(ByteLevel::alphabet().into_iter().collect())
            .build();
        bpe.train(&mut trainer, corpus.iter().map(|s| s.as_ref().to_string())).map_err(|e| err(e.to_string()))?;
        Self::wrap(Tokenizer::from(bpe), "trained")
    }

    /// Loads a `tokenizer.json`; `source_name` (a path, say) is quoted in errors.
    pub fn from_json(bytes: &[u8], source_name: &str) -> Result<Self> {
        let tokenizer = Tokenizer::from_bytes(bytes).map_err(|e| GapoError::Tokenizer {
            source_name: source_name.into(),
            message: format!("not a valid tokenizer.json: {e}"),
        })?;
        Self::wrap(tokenizer, source_name)
    }

    /// The `tokenizer.json` text.
    pub fn to_json(&self) -> Result<String> {
        self.inner.to_string(false).map_err(|e| self.error(e.to_string()))
    }

    /// An imported model's tokenizer, with the ids that stand in gapo's layouts for `[BOS]`, `[EOS]`, ...
    /// (see `hf::tokenize`).
    pub fn from_parts(inner: Tokenizer, special: SpecialIds, source_name: &str) -> Self {
        Self { inner, special, source_name: source_name.into() }
    }

    fn wrap(inner: Tokenizer, source_name: &str) -> Result<Self> {
        let id = |token: &str| {
            inner.token_to_id(token).ok_or_else(|| GapoError::Tokenizer {
                source_name: source_name.into(),
                message: format!("has no special token {token}; gapo needs {}", SPECIAL_TOKENS.join(", ")),
            })
        };
        let special = SpecialIds { pad: id(PAD)?, bos: id(BOS)?, eos: id(EOS)?, cls: id(CLS)?, sep: id(SEP)? };
        Ok(Self { inner, special, source_name: source_name.into() })
    }

    fn error(&self, message: String) -> GapoError {
        GapoError::Tokenizer { source_name: self.source_name.clone(), message }
    }

    pub fn special(&self) -> SpecialIds {
        self.special
    }

    pub fn vocab_size(&self) -> usize {
        self.inner.get_vocab_size(true)
    }

    /// Token ids of `text`, without special tokens.
    pub fn encode(&self, text: &str) -> Result<Vec<u32>> {
        let encoding = self.inner.encode(text, false).map_err(|e| self.error(e.to_string()))?;
        Ok(encoding.get_ids().to_vec())
    }

    /// Text of `ids`; special tokens are dropped.
    pub fn decode(&self, ids: &[u32]) -> Result<String> {
        self.inner.decode(ids, true).map_err(|e| self.error(e.to_string()))
    }

    /// The generator's view of a prompt: `[BOS] prompt`.
    pub fn encode_prompt(&self, prompt: &str) -> Result<Vec<u32>> {
        let mut ids = vec![self.special.bos];
        ids.extend(self.encode(prompt)?);
        Ok(ids)
    }

    /// The generator's context for a prompt: `[BOS] prompt [SEP]`; the response follows the `[SEP]`.
    pub fn generator_prompt(&self, prompt: &str) -> Result<Vec<u32>> {
        let mut ids = self.encode_prompt(prompt)?;
        ids.push(self.special.sep);
        Ok(ids)
    }

    /// A training sequence `[BOS] prompt [SEP] response [EOS]` and its loss mask (1 on the response and
    /// `[EOS]`, the tokens SFT learns to write).
    pub fn generator_example(&self, prompt: &str, response: &str) -> Result<(Vec<u32>, Vec<u32>)> {
        let mut ids = self.generator_prompt(prompt)?;
        let prompt_len = ids.len();
        ids.extend(self.encode(response)?);
        ids.push(self.special.eos);
        let loss_mask = (0..ids.len()).map(|i| u32::from(i >= prompt_len)).collect();
        Ok((ids, loss_mask))
    }

    /// The discriminator's input `[CLS] prompt [SEP] response [SEP]`, at most `max_len` tokens. When too
    /// long, the prompt loses tokens from its start (its task line) and the response from its end, each
    /// down to half the budget at most, so both sides stay visible.
    pub fn encode_pair(&self, prompt: &str, response: &str, max_len: usize) -> Result<PairEncoding> {
        if max_len < 5 {
            return Err(self.error(format!("max_len {max_len} cannot hold [CLS] x [SEP] y [SEP]")));
        }
        self.pair_from_ids(&self.encode(prompt)?, &self.encode(response)?, max_len)
    }

    /// As [`GapoTokenizer::encode_pair`], from token ids already encoded with this tokenizer.
    pub fn pair_from_ids(&self, prompt: &[u32], response: &[u32], max_len: usize) -> Result<PairEncoding> {
        let budget = max_len.saturating_sub(3);
        let (mut p, mut r) = (prompt.len(), response.len());
        while p + r > budget {
            if p >= r { p -= 1 } else { r -= 1 }
        }
        let prompt = &prompt[prompt.len() - p..];
        let response = &response[..r];
        let s = self.special;
        let mut ids = Vec::with_capacity(p + r + 3);
        ids.push(s.cls);
        ids.extend_from_slice(prompt);
        ids.push(s.sep);
        let first = ids.len();
        ids.extend_from_slice(response);
        ids.push(s.sep);
        let segments = (0..ids.len()).map(|i| u32::from(i >= first)).collect();
        Ok(PairEncoding { ids, segments })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokenizers::models::ModelWrapper;

    fn corpus() -> Vec<String> {
        let colours = ["red", "blue", "green", "amber", "ivory"];
        let things = ["lamp", "chair", "kettle", "backpack", "scarf"];
        let mut lines = Vec::new();
        for (i, c) in colours.iter().enumerate() {
            for t in things {
                lines.push(format!("Write a short description of a {c} {t}. Mention the colour."));
                lines.push(format!("Meet the {c} {t}: sturdy, light and {} cozy!", i + 1));
            }
        }
        lines
    }

    #[test]
    fn trains_to_the_requested_size_with_the_special_tokens_first() {
        let tok = GapoTokenizer::train(&corpus(), 300).unwrap();
        assert!(tok.vocab_size() <= 300 && tok.vocab_size() > 261, "{}", tok.vocab_size());
        let s = tok.special();
        assert_eq!([s.pad, s.bos, s.eos, s.cls, s.sep], [0, 1, 2, 3, 4]);
    }

    #[test]
    fn encode_decode_round_trips_any_text() {
        let tok = GapoTokenizer::train(&corpus(), 300).unwrap();
        for text in ["Meet the red lamp!", "unseen wörds, ünïcode ✓ and 123", "  two  spaces\nnewline", ""] {
            let ids = tok.encode(text).unwrap();
            assert_eq!(tok.decode(&ids).unwrap(), text);
        }
        // Merges were learned: a frequent word is shorter than its bytes.
        assert!(tok.encode("description").unwrap().len() < "description".len());
    }

    #[test]
    fn json_save_and_load_gives_the_same_ids() {
        let tok = GapoTokenizer::train(&corpus(), 300).unwrap();
        let json = tok.to_json().unwrap();
        let back = GapoTokenizer::from_json(json.as_bytes(), "mem").unwrap();
        let text = "Meet the ivory kettle: light!";
        assert_eq!(tok.encode(text).unwrap(), back.encode(text).unwrap());
        assert_eq!(tok.special(), back.special());
    }

    #[test]
    fn a_broken_or_foreign_tokenizer_json_is_a_clear_error() {
        let err = GapoTokenizer::from_json(b"{not json", "bad/tokenizer.json").unwrap_err().to_string();
        assert!(err.contains("bad/tokenizer.json") && err.contains("not a valid"), "{err}");
        // A valid tokenizer.json without our special tokens.
        let mut plain = Tokenizer::new(ModelWrapper::BPE(BPE::default()));
        plain.with_pre_tokenizer(Some(ByteLevel::default()));
        let json = plain.to_string(false).unwrap();
        let err = GapoTokenizer::from_json(json.as_bytes(), "foreign.json").unwrap_err().to_string();
        assert!(err.contains("foreign.json") && err.contains("[PAD]"), "{err}");
    }

    #[test]
    fn pair_layout_has_cls_sep_and_segments() {
        let tok = GapoTokenizer::train(&corpus(), 300).unwrap();
        let pair = tok.encode_pair("Mention the colour.", "A red lamp.", 64).unwrap();
        let s = tok.special();
        let p = tok.encode("Mention the colour.").unwrap();
        let r = tok.encode("A red lamp.").unwrap();
        let mut expect = vec![s.cls];
        expect.extend(&p);
        expect.push(s.sep);
        expect.extend(&r);
        expect.push(s.sep);
        assert_eq!(pair.ids, expect);
        let first_response = p.len() + 2;
        assert!(pair.segments[..first_response].iter().all(|&g| g == 0));
        assert!(pair.segments[first_response..].iter().all(|&g| g == 1));
    }

    #[test]
    fn long_pairs_are_cut_to_max_len_keeping_both_sides() {
        let tok = GapoTokenizer::train(&corpus(), 300).unwrap();
        let long = "Mention the colour. ".repeat(20);
        let pair = tok.encode_pair(&long, &long, 20).unwrap();
        assert_eq!(pair.ids.len(), 20);
        // 17 content tokens: the prompt keeps 8 of its last, the response 9 of its first, plus its [SEP].
        assert_eq!(pair.segments.iter().filter(|&&g| g == 1).count(), 10);
        assert!(tok.encode_pair("a", "b", 4).is_err());
    }

    #[test]
    fn too_small_a_vocabulary_names_the_field() {
        let err = GapoTokenizer::train(&corpus(), 100).unwrap_err().to_string();
        assert!(err.contains("tokenizer.vocab_size"), "{err}");
    }
}
