//! Reads a Hugging Face decoder folder with our importer and writes it back with our exporter:
//! `cargo run -p gapo-lab --bin hf_roundtrip -- IN_DIR OUT_DIR`. tools/hf/check_export.py then loads
//! OUT_DIR with transformers and compares its logits with IN_DIR's.

use burn::tensor::Device;
use gapo_core::hf::{self, DecoderSpec, HfDecoder, MemorySource, Weights};
use std::collections::BTreeMap;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (input, output) = (std::path::Path::new(&args[1]), std::path::Path::new(&args[2]));
    let mut files = BTreeMap::new();
    for entry in std::fs::read_dir(input).expect("IN_DIR") {
        let path = entry.unwrap().path();
        if path.is_file() {
            files.insert(path.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&path).unwrap());
        }
    }
    let source = MemorySource { label: input.display().to_string(), files };
    let config = hf::read_config(&source).unwrap();
    let spec = DecoderSpec::from_config(&config).unwrap();
    let model = HfDecoder::load(&spec, &Weights::read(&source).unwrap(), &Device::flex()).unwrap();
    let out =
        futures_lite::future::block_on(hf::export::decoder_folder(&model, &config, &source.files["tokenizer.json"]))
            .unwrap();
    std::fs::create_dir_all(output).unwrap();
    for (name, bytes) in out {
        std::fs::write(output.join(name), bytes).unwrap();
    }
    println!("wrote {}", output.display());
}
