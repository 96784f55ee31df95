//! The discriminator a session holds: our tiny encoder ([`Discriminator`]) or an imported BERT/RoBERTa
//! encoder with a scalar head ([`HfDiscriminator`]). Both read `[CLS] prompt [SEP] response [SEP]` in
//! their own tokenizer's ids and return one logit per row.

use crate::hf::HfEncoder;
use crate::model::encoder::{Discriminator, Pooling, pool};
use crate::model::heads::{ScalarHead, ScalarHeadConfig};
use crate::tokenizer::GapoTokenizer;
use burn::module::Module;
use burn::tensor::{Device, Int, Tensor};

/// An imported encoder with a fresh scalar head on its pooled state, and the encoder's own tokenizer.
#[derive(Module, Debug)]
pub struct HfDiscriminator {
    pub encoder: HfEncoder,
    pub head: ScalarHead,
    #[module(skip)]
    pub pooling: Pooling,
    /// The encoder's tokenizer: generated text is decoded by the generator's tokenizer and re-encoded by
    /// this one, never passed on as ids.
    #[module(skip)]
    pub tokenizer: GapoTokenizer,
}

impl HfDiscriminator {
    pub fn new(encoder: HfEncoder, tokenizer: GapoTokenizer, pooling: Pooling, device: &Device) -> Self {
        let head = ScalarHeadConfig::new(pooling.width(encoder.spec.hidden_size)).init(device);
        Self { encoder, head, pooling, tokenizer }
    }

    /// `ids`, `segments`: `[B, T]` Int, right-padded; `mask`: `[B, T]`. Returns logits `[B]`.
    pub fn forward(&self, ids: Tensor<2, Int>, segments: Tensor<2, Int>, mask: Tensor<2>) -> Tensor<1> {
        // RoBERTa-style checkpoints have one token type: every token is type 0.
        // (`Pair` pooling still splits the row by the real segments.)
        let types =
            if self.encoder.spec.type_vocab_size < 2 { segments.clone().zeros_like() } else { segments.clone() };
        let hidden = self.encoder.forward(ids, types, mask.clone()); // [B, T, D]
        self.head.pooled(pool(self.pooling, hidden, segments, mask))
    }
}

#[derive(Module, Debug)]
pub enum DiscriminatorModel {
    Tiny(Discriminator),
    Hf(HfDiscriminator),
}

impl From<Discriminator> for DiscriminatorModel {
    fn from(d: Discriminator) -> Self {
        Self::Tiny(d)
    }
}

impl From<HfDiscriminator> for DiscriminatorModel {
    fn from(d: HfDiscriminator) -> Self {
        Self::Hf(d)
    }
}

impl DiscriminatorModel {
    /// One logit per row. `ids`, `segments`: `[B, T]` Int; `mask`: `[B, T]`. Returns `[B]`.
    pub fn forward(&self, ids: Tensor<2, Int>, segments: Tensor<2, Int>, mask: Tensor<2>) -> Tensor<1> {
        match self {
            Self::Tiny(d) => d.forward(ids, segments, mask),
            Self::Hf(d) => d.forward(ids, segments, mask),
        }
    }

    /// The model's own tokenizer, when it is not the session's (an imported encoder).
    pub fn tokenizer(&self) -> Option<&GapoTokenizer> {
        match self {
            Self::Tiny(_) => None,
            Self::Hf(d) => Some(&d.tokenizer),
        }
    }

    /// Longest `[CLS] prompt [SEP] response [SEP]` row the model reads.
    pub fn max_len(&self) -> usize {
        match self {
            Self::Tiny(d) => d.max_seq_len,
            Self::Hf(d) => d.encoder.max_len(),
        }
    }
}
