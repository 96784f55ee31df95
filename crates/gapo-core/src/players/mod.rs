//! The models a session holds, each either built in (`crate::model`) or imported (`crate::hf`): the
//! generator, the critic or decoder reward model on its backbone, and the discriminator.

pub mod discriminator;
pub mod generator;
pub mod scored;

pub use discriminator::{DiscriminatorModel, HfDiscriminator};
pub use generator::LanguageModel;
pub use scored::ScoredDecoder;
