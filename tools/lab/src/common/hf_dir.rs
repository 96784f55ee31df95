//! A Hugging Face model folder read into memory for the examples (the core itself never touches files).
use gapo_core::hf::MemorySource;

pub fn read_folder(dir: &str) -> MemorySource {
    let files = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()))
        .collect();
    MemorySource { label: dir.to_string(), files }
}
