//! Training objectives, one file each with its math in the doc comment.

pub mod decoder_rm;
pub mod discriminator;
pub mod dpo;
pub mod gapo;
pub mod grad_clip;
pub mod kl_control;
pub mod kto;
pub mod logprob;
pub mod orpo;
pub mod phase;
pub mod ppo;
pub mod ppo_trainer;
pub mod preference;
pub mod reward;
pub mod sft;
pub mod simpo;
