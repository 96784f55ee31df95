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
    store.get_bytes().map_err(|e| err(format!("cannot serialise: {e}")))
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
