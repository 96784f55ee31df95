//! Getting token sequences into tensors: padding and masks.

pub mod batch;
pub mod export;
pub mod jsonl;
