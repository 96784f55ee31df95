//! Training objectives, one file each with its math in the doc comment.

pub mod sft;
