//! gapo-core: the part of gapo-playground that runs everywhere (native CPU, CUDA, wgpu, and wasm32 in a
//! browser tab). It holds the burn models, the tokenizer, checkpoints as bytes and the run-time choice of
//! backend. It has no UI, no `std::fs`, no threads of its own and no synchronous GPU readback: shells (the
//! CLI in `src/`, the page in `web/`) hand it values and bytes and get values and bytes back.

pub mod algo;
pub mod buffers;
pub mod checkpoint;
pub mod config;
mod config_ranges;
pub mod cpu_pool;
pub mod data;
pub mod device;
pub mod error;
pub mod generation;
pub mod hf;
pub mod hooks;
pub mod host_memory;
pub mod model;
pub mod players;
pub mod readback;
pub mod rng;
mod rollout_stats;
pub mod run_config;
pub mod schedule;
pub mod session;
pub mod snapshot;
pub mod task;
pub mod tokenizer;
pub mod try_prompt;

pub use error::{GapoError, Result};

/// The burn version this crate is written against (pinned exactly in the workspace manifest).
pub const BURN_VERSION: &str = "0.22.1";
