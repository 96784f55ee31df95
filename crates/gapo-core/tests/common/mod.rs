//! Helpers shared by the Hugging Face test binaries.

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
