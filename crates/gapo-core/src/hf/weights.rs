//! Reading the tensors of a Hugging Face checkpoint: one `model.safetensors`, or shards listed by
//! `model.safetensors.index.json`. F32, F16 and BF16 tensors are read as f32; every error names the file and
//! the tensor.

use super::HfSource;
use crate::error::GapoError;
use burn::tensor::{Device, Tensor, TensorData};
use safetensors::{Dtype, SafeTensors};
use std::collections::BTreeMap;

/// The raw bytes of every shard, and which shard holds each tensor.
pub struct Weights {
    source: String,
    shards: Vec<(String, Vec<u8>)>,
    /// tensor name → index into `shards`.
    index: BTreeMap<String, usize>,
}

impl Weights {
    /// Reads `model.safetensors`, or the shards that `model.safetensors.index.json` lists.
    pub fn read(source: &dyn HfSource) -> crate::Result<Self> {
        let mut names = Vec::new();
        if let Some(index) = source.read("model.safetensors.index.json")? {
            let json: serde_json::Value = serde_json::from_slice(&index)
                .map_err(|e| source.error("model.safetensors.index.json", format!("not JSON: {e}")))?;
            let map = json
                .get("weight_map")
                .and_then(|m| m.as_object())
                .ok_or_else(|| source.error("model.safetensors.index.json", "no `weight_map` object".into()))?;
            for file in map.values().filter_map(|v| v.as_str()) {
                if !names.iter().any(|n: &String| n == file) {
                    names.push(file.to_string());
                }
            }
        } else {
            names.push("model.safetensors".to_string());
        }
        let mut shards = Vec::new();
        let mut index = BTreeMap::new();
        for name in names {
            let bytes = source
                .read(&name)?
                .ok_or_else(|| source.error(&name, "missing (a Hugging Face folder needs its weights)".into()))?;
            let parsed = SafeTensors::deserialize(&bytes)
                .map_err(|e| source.error(&name, format!("not a safetensors file: {e}")))?;
            for tensor in parsed.names() {
                index.insert(tensor.to_string(), shards.len());
            }
            shards.push((name, bytes));
        }
        Ok(Self { source: source.label(), shards, index })
    }

    /// Every tensor name, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.index.keys().map(String::as_str)
    }

    pub fn contains(&self, name: &str) -> bool {
        self.index.contains_key(name)
    }

    fn error(&self, file: &str, message: String) -> GapoError {
        GapoError::Checkpoint { source_name: format!("{}/{file}", self.source), message }
    }

    /// The tensor `name` as f32 values with its shape, checked against `shape`.
    pub fn data(&self, name: &str, shape: &[usize]) -> crate::Result<TensorData> {
        let &shard = self.index.get(name).ok_or_else(|| {
            self.error(
                self.shards.first().map(|s| s.0.as_str()).unwrap_or("model.safetensors"),
                format!("no tensor `{name}`"),
            )
        })?;
        let (file, bytes) = &self.shards[shard];
        let parsed = SafeTensors::deserialize(bytes).map_err(|e| self.error(file, e.to_string()))?;
        let view = parsed.tensor(name).map_err(|e| self.error(file, e.to_string()))?;
        if view.shape() != shape {
            return Err(
                self.error(file, format!("tensor `{name}` has shape {:?}, the config implies {shape:?}", view.shape()))
            );
        }
        let raw = view.data();
        let values: Vec<f32> = match view.dtype() {
            Dtype::F32 => raw.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect(),
            Dtype::BF16 => raw.chunks_exact(2).map(|b| half::bf16::from_le_bytes([b[0], b[1]]).to_f32()).collect(),
            Dtype::F16 => raw.chunks_exact(2).map(|b| half::f16::from_le_bytes([b[0], b[1]]).to_f32()).collect(),
            other => {
                return Err(self.error(file, format!("tensor `{name}` is {other:?}; only F32, F16 and BF16 are read")));
            }
        };
        Ok(TensorData::new(values, shape.to_vec()))
    }

    /// The tensor `name` on `device`, checked against `shape`.
    pub fn tensor<const D: usize>(&self, name: &str, shape: [usize; D], device: &Device) -> crate::Result<Tensor<D>> {
        Ok(Tensor::from_data(self.data(name, &shape)?, device))
    }
}
