//! Model weights to and from bytes, as safetensors (the format Hugging Face tools read). The core never
//! touches the file system: the CLI writes these bytes atomically, the browser offers them as a download.
//!
//! Each blob records what it holds in its safetensors metadata (`gapo.kind`, e.g. `generator`, and
//! `gapo.config`, the model config as JSON), so loading a discriminator into a generator is a clear error
//! rather than a shape mismatch deep in burn.

use crate::error::{GapoError, Result};
use burn::module::Module;
use burn::store::{ModuleSnapshot, SafetensorsStore};
use std::collections::HashMap;

const KIND_KEY: &str = "gapo.kind";
const CONFIG_KEY: &str = "gapo.config";

/// What a checkpoint blob says about itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckpointInfo {
    pub kind: String,
    pub config_json: String,
}

/// Serialises `module` (tagged `kind`, with its config as JSON) to safetensors bytes.
pub fn to_bytes<M: Module + ModuleSnapshot>(module: &M, kind: &str, config_json: &str) -> Result<Vec<u8>> {
    let err = |message: String| GapoError::Checkpoint { source_name: format!("<{kind}>"), message };
    let mut store = SafetensorsStore::from_bytes(None).metadata(KIND_KEY, kind).metadata(CONFIG_KEY, config_json);
    module.save_into(&mut store).map_err(|e| err(format!("cannot serialise: {e}")))?;
    let bytes = store.get_bytes().map_err(|e| err(format!("cannot serialise: {e}")))?;
    Ok(with_sorted_header(bytes))
}

/// The same safetensors bytes with the header's entries in one fixed order: `__metadata__` first with its
/// keys sorted, then the tensors by name. burn keeps the metadata in a `HashMap`, whose order changes from
/// process to process, so two runs of the same seed wrote files that differed in the header alone. The
/// header keeps its length (the same entries, compact JSON, padded with spaces), so no data offset moves.
fn with_sorted_header(mut bytes: Vec<u8>) -> Vec<u8> {
    let Some(n) = bytes.get(..8).map(|b| u64::from_le_bytes(b.try_into().expect("8 bytes")) as usize) else {
        return bytes;
    };
    let Some(Ok(serde_json::Value::Object(header))) = bytes.get(8..8 + n).map(serde_json::from_slice) else {
        return bytes;
    };
    let mut entries: Vec<(&String, &serde_json::Value)> = header.iter().collect();
    entries.sort_by(|a, b| (a.0 != "__metadata__", a.0).cmp(&(b.0 != "__metadata__", b.0)));
    let value = |v: &serde_json::Value| match v {
        serde_json::Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let fields: Vec<String> = keys.iter().map(|k| format!("{}:{}", json(*k), json(&m[*k]))).collect();
            format!("{{{}}}", fields.join(","))
        }
        other => json(other),
    };
    let text = format!(
        "{{{}}}",
        entries.iter().map(|(k, v)| format!("{}:{}", json(*k), value(v))).collect::<Vec<_>>().join(",")
    );
    if text.len() <= n {
        bytes[8..8 + n].copy_from_slice(format!("{text:<n$}").as_bytes());
    }
    bytes
}

fn json<T: serde::Serialize + ?Sized>(v: &T) -> String {
    serde_json::to_string(v).expect("a JSON value serialises")
}

/// Reads the metadata of a blob without loading its tensors.
pub fn read_info(bytes: &[u8], source_name: &str) -> Result<CheckpointInfo> {
    let err = |message: String| GapoError::Checkpoint { source_name: source_name.into(), message };
    let (_, metadata) =
        safetensors::SafeTensors::read_metadata(bytes).map_err(|e| err(format!("not a safetensors file ({e:?})")))?;
    let empty = HashMap::new();
    let map = metadata.metadata().as_ref().unwrap_or(&empty);
    let get = |key: &str| {
        map.get(key).cloned().ok_or_else(|| err(format!("has no `{key}` entry: it was not written by gapo")))
    };
    Ok(CheckpointInfo { kind: get(KIND_KEY)?, config_json: get(CONFIG_KEY)? })
}

/// Loads `bytes` into `module` (built from the same config) after checking that the blob holds a `kind`.
/// Every tensor must be present with the right shape; nothing is applied partially.
pub fn load_bytes<M: Module + ModuleSnapshot>(
    mut module: M,
    bytes: Vec<u8>,
    kind: &str,
    source_name: &str,
) -> Result<M> {
    let err = |message: String| GapoError::Checkpoint { source_name: source_name.into(), message };
    let info = read_info(&bytes, source_name)?;
    if info.kind != kind {
        return Err(err(format!("holds a {}, not a {kind}", info.kind)));
    }
    let mut store = SafetensorsStore::from_bytes(Some(bytes)).validate(true).allow_partial(false);
    let result = module.load_from(&mut store).map_err(|e| err(format!("does not fit the model: {e}")))?;
    if !result.is_success() || !result.unused.is_empty() {
        let mut problems = Vec::new();
        problems.extend(result.missing.iter().map(|(path, _)| format!("missing {path}")));
        problems.extend(result.unused.iter().map(|path| format!("unexpected {path}")));
        problems.extend(result.errors.iter().map(|e| e.to_string()));
        return Err(err(format!("does not fit the model: {}", problems.join("; "))));
    }
    Ok(module)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::GeneratorConfig;
    use burn::tensor::Device;

    #[test]
    fn the_same_model_serialises_to_the_same_bytes_and_reads_back() {
        let device = Device::flex();
        let cfg = GeneratorConfig::new(32).with_d_model(8).with_n_layers(1).with_n_heads(2).with_max_seq_len(8);
        let model = cfg.init(&device);
        let config_json = serde_json::to_string(&cfg).unwrap();
        // Each serialisation builds a new metadata map with its own hash order; the bytes must not follow it.
        let first = to_bytes(&model, "generator", &config_json).unwrap();
        for _ in 0..8 {
            assert_eq!(to_bytes(&model, "generator", &config_json).unwrap(), first);
        }
        let header_len = u64::from_le_bytes(first[..8].try_into().unwrap()) as usize;
        let header = std::str::from_utf8(&first[8..8 + header_len]).unwrap();
        assert!(header.starts_with(r#"{"__metadata__":{"format":"#), "{header}");
        let info = read_info(&first, "test").unwrap();
        assert_eq!((info.kind.as_str(), info.config_json.as_str()), ("generator", config_json.as_str()));
        let back = load_bytes(cfg.init(&device), first.clone(), "generator", "test").unwrap();
        assert_eq!(to_bytes(&back, "generator", &config_json).unwrap(), first);
    }
}
