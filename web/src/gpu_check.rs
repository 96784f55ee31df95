//! `?check=webgpu`: the same tiny generator (deterministic weights, `model::init::fill_golden`) run once on
//! the CPU backend and once on WebGPU; the page shows the largest difference of the logits
//! (`#webgpu-check`, `data-max-diff`). The browser test runs it on SwiftShader and wants it below 1e-4.

use burn::tensor::{Device, Int, Tensor, TensorData};
use gapo_core::model::GeneratorConfig;
use gapo_core::model::init::fill_golden;
use gapo_core::readback::floats;

/// Largest |logit(WebGPU) − logit(CPU)| over a [2, 12] batch with left padding in the second row.
pub async fn max_logit_difference(gpu: &Device) -> Result<f64, String> {
    let config = GeneratorConfig::new(96).with_d_model(32).with_n_layers(2).with_n_heads(4).with_max_seq_len(16);
    let (b, t) = (2usize, 12usize);
    let ids: Vec<i64> = (0..b * t).map(|i| ((i * 37 + 11) % 96) as i64).collect();
    let mask: Vec<f32> = (0..b * t).map(|i| if i >= t && i < t + 3 { 0.0 } else { 1.0 }).collect();
    let logits = |device: &Device| {
        let model = fill_golden(config.init(device));
        let ids = Tensor::<2, Int>::from_data(TensorData::new(ids.clone(), [b, t]), device);
        let mask = Tensor::<2>::from_data(TensorData::new(mask.clone(), [b, t]), device);
        model.forward(ids, mask) // [B, T, V]
    };
    let cpu = floats(logits(&Device::flex())).await.map_err(|e| e.to_string())?;
    let gpu = floats(logits(gpu)).await.map_err(|e| e.to_string())?;
    if cpu.len() != gpu.len() {
        return Err(format!("{} logits on the CPU, {} on WebGPU", cpu.len(), gpu.len()));
    }
    // Only real tokens: padded query rows are never read.
    let v = 96;
    let mut worst = 0.0f64;
    for (pos, &m) in mask.iter().enumerate() {
        if m == 1.0 {
            for j in 0..v {
                worst = worst.max((cpu[pos * v + j] as f64 - gpu[pos * v + j] as f64).abs());
            }
        }
    }
    Ok(worst)
}
