//! Writing a decoder back as a Hugging Face folder: model.safetensors under transformers' names (weights
//! `[out, in]`, f32), the config.json it was read from (with `torch_dtype`/`dtype` set to float32), and the
//! tokenizer.json it came with. The files come back as bytes; the shell writes them.

use super::decoder::{HfDecoder, layer_names};
use crate::readback;
use burn::nn::{Linear, RmsNorm};
use burn::tensor::Tensor;
use safetensors::{Dtype, View};
use std::borrow::Cow;
use std::collections::BTreeMap;

struct F32View {
    shape: Vec<usize>,
    bytes: Vec<u8>,
}

impl View for F32View {
    fn dtype(&self) -> Dtype {
        Dtype::F32
    }
    fn shape(&self) -> &[usize] {
        &self.shape
    }
    fn data(&self) -> Cow<'_, [u8]> {
        Cow::Borrowed(&self.bytes)
    }
    fn data_len(&self) -> usize {
        self.bytes.len()
    }
}

async fn view<const D: usize>(t: Tensor<D>) -> crate::Result<F32View> {
    let shape = t.dims().to_vec();
    let values = readback::floats(t).await?;
    Ok(F32View { shape, bytes: values.iter().flat_map(|v| v.to_le_bytes()).collect() })
}

async fn push_linear(out: &mut Vec<(String, F32View)>, name: &str, l: &Linear) -> crate::Result<()> {
    out.push((format!("{name}.weight"), view(l.weight.val().transpose()).await?)); // burn [in, out] → HF [out, in]
    if let Some(b) = &l.bias {
        out.push((format!("{name}.bias"), view(b.val()).await?));
    }
    Ok(())
}

async fn push_norm(out: &mut Vec<(String, F32View)>, name: &str, n: &RmsNorm) -> crate::Result<()> {
    out.push((name.to_string(), view(n.gamma.val()).await?));
    Ok(())
}

/// `model.safetensors` of a decoder, under Hugging Face's names.
pub async fn decoder_safetensors(model: &HfDecoder) -> crate::Result<Vec<u8>> {
    let mut tensors = Vec::new();
    tensors.push(("model.embed_tokens.weight".to_string(), view(model.embed.weight.val()).await?));
    for (i, layer) in model.layers.iter().enumerate() {
        let [(_, input_norm), (_, q), (_, k), (_, v), (_, o), (_, post_norm), (_, gate), (_, up), (_, down)] =
            layer_names(i);
        push_norm(&mut tensors, &input_norm, &layer.input_norm).await?;
        push_linear(&mut tensors, &q, &layer.q).await?;
        push_linear(&mut tensors, &k, &layer.k).await?;
        push_linear(&mut tensors, &v, &layer.v).await?;
        push_linear(&mut tensors, &o, &layer.o).await?;
        push_norm(&mut tensors, &post_norm, &layer.post_norm).await?;
        push_linear(&mut tensors, &gate, &layer.gate).await?;
        push_linear(&mut tensors, &up, &layer.up).await?;
        push_linear(&mut tensors, &down, &layer.down).await?;
    }
    push_norm(&mut tensors, "model.norm.weight", &model.norm).await?;
    if let Some(head) = &model.lm_head {
        push_linear(&mut tensors, "lm_head", head).await?;
    }
    let metadata = std::collections::HashMap::from([("format".to_string(), "pt".to_string())]);
    safetensors::serialize(tensors, Some(metadata))
        .map_err(|e| crate::GapoError::Checkpoint { source_name: "model.safetensors".into(), message: e.to_string() })
}

/// The whole folder: file name → bytes. `config` is the config.json the model was read from.
pub async fn decoder_folder(
    model: &HfDecoder,
    config: &serde_json::Value,
    tokenizer_json: &[u8],
) -> crate::Result<BTreeMap<String, Vec<u8>>> {
    let mut config = config.clone();
    if let Some(obj) = config.as_object_mut() {
        for key in ["torch_dtype", "dtype"] {
            if obj.contains_key(key) {
                obj.insert(key.into(), "float32".into());
            }
        }
    }
    let mut files = BTreeMap::new();
    files.insert("model.safetensors".to_string(), decoder_safetensors(model).await?);
    files.insert("config.json".to_string(), serde_json::to_vec_pretty(&config).expect("a JSON value serialises"));
    files.insert("tokenizer.json".to_string(), tokenizer_json.to_vec());
    Ok(files)
}
