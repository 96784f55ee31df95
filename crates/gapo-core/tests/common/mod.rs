//! Helpers shared by test binaries: Hugging Face fixtures, and the tiny run every Session test drives.

use gapo_core::hf::MemorySource;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A committed fixture folder under tests/fixtures/hf.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hf").join(name)
}

/// Every file of a folder, in memory.
pub fn folder_at(dir: &Path) -> MemorySource {
    let mut files = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            files.insert(path.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&path).unwrap());
        }
    }
    MemorySource { label: dir.display().to_string(), files }
}

/// A fixture folder, in memory.
#[allow(dead_code)]
pub fn folder(name: &str) -> MemorySource {
    folder_at(&fixture(name))
}

/// A GAPO-shaped run small enough for a test: a few items, steps and stages of every phase.
#[allow(dead_code)]
pub fn tiny_run(algo: gapo_core::session::Algo) -> gapo_core::session::RunConfig {
    let mut c = gapo_core::session::RunConfig { algo, ..gapo_core::session::RunConfig::default() };
    c.task.n_train = 48;
    c.task.n_eval = 8;
    c.task.n_eval_in = 8;
    c.sft.steps = 4;
    c.sft.batch = 8;
    c.ppo.rollout_batch = 8;
    c.ppo.minibatch = 4;
    c.ppo.max_new_tokens = 12;
    c.eval.max_new_tokens = 12;
    c.disc.warmup_epochs = 1;
    c.disc.batch = 16;
    c.gapo.stages = 2;
    c.gapo.rollouts_per_stage = 2;
    c.gapo.disc_items_per_stage = 16;
    c.gapo.probe_prompts = 8;
    c.pref.steps = 3;
    c.pref.batch = 4;
    c
}
