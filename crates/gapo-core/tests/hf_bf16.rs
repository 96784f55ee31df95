//! bf16 where the backend has it: `Device::configure(FloatDType::BF16)` before any tensor makes every
//! float tensor bf16 (weights as read, activations, gradients, optimizer states). Its own test binary: a
//! device's float type is set once per process. The CPU backend (flex) computes in bf16 too, so the path
//! CUDA takes is tested here.

use burn::tensor::{DType, Device, FloatDType, Int, Tensor, TensorData};
use futures_lite::future::block_on;
use gapo_core::hf::{self, DecoderSpec, EncoderSpec, HfDecoder, HfEncoder, Weights};
use gapo_core::model::{CausalLm, Pooling};
use gapo_core::players::HfDiscriminator;
use gapo_core::session::{Algo, ImportedModels, Inputs, RunConfig, Session};
use safetensors::SafeTensors;

mod common;
use common::folder;

fn f32s(view: &safetensors::tensor::TensorView<'_>) -> Vec<f32> {
    view.data().chunks_exact(4).map(|b| f32::from_le_bytes(b.try_into().unwrap())).collect()
}

#[test]
fn a_bf16_device_runs_the_imported_models_close_to_transformers_and_trains() {
    let mut device = Device::flex();
    assert!(device.supports_dtype(FloatDType::BF16));
    device.configure(FloatDType::BF16).unwrap();

    let g = folder("qwen2");
    let model = HfDecoder::load(
        &DecoderSpec::from_config(&hf::read_config(&g).unwrap()).unwrap(),
        &Weights::read(&g).unwrap(),
        &device,
    )
    .unwrap();
    assert_eq!(model.embed.weight.val().dtype(), DType::BF16, "weights are held in bf16");
    let expected = &g.files["expected.safetensors"];
    let st = SafeTensors::deserialize(expected).unwrap();
    let ints = |name: &str| -> Tensor<2, Int> {
        let v = st.tensor(name).unwrap();
        let data: Vec<i64> = v.data().chunks_exact(8).map(|b| i64::from_le_bytes(b.try_into().unwrap())).collect();
        Tensor::from_data(TensorData::new(data, [v.shape()[0], v.shape()[1]]), &device)
    };
    let mask = ints("attention_mask");
    let logits = CausalLm::forward(&model, ints("input_ids"), mask.clone().float());
    assert_eq!(logits.dtype(), DType::BF16, "activations are bf16");
    let ours = logits.into_data().convert::<f32>().try_into_vec::<f32>().unwrap();
    let theirs = f32s(&st.tensor("logits").unwrap());
    let mask: Vec<i64> = mask.into_data().convert::<i64>().try_into_vec::<i64>().unwrap();
    let v = 300;
    let (mut worst, mut scale) = (0.0f32, 0.0f32);
    for (pos, &m) in mask.iter().enumerate() {
        if m == 1 {
            for j in 0..v {
                worst = worst.max((ours[pos * v + j] - theirs[pos * v + j]).abs());
                scale = scale.max(theirs[pos * v + j].abs());
            }
        }
    }
    eprintln!("bf16 vs transformers f32: max |Δlogit| {worst:.2e} (largest logit {scale:.2e})");
    // bf16 keeps 8 bits of mantissa: a few parts in a hundred of the largest logit, not 1e-4.
    assert!(worst < 0.05 * scale.max(1e-2), "max |Δ| {worst} against logits up to {scale}");

    // A short GAPO run with both imported models, all in bf16.
    let d = folder("bert");
    let d_config = hf::read_config(&d).unwrap();
    let encoder =
        HfEncoder::load(&EncoderSpec::from_config(&d_config).unwrap(), &Weights::read(&d).unwrap(), &device).unwrap();
    let discriminator =
        HfDiscriminator::new(encoder, hf::tokenize::encoder_tokenizer(&d, &d_config).unwrap(), Pooling::First, &device);
    let tokenizer = hf::tokenize::decoder_tokenizer(&g, &hf::read_config(&g).unwrap()).unwrap();
    let mut c = RunConfig { algo: Algo::Gapo, ..RunConfig::default() };
    (c.task.n_train, c.task.n_eval, c.sft.steps, c.sft.batch) = (16, 4, 2, 4);
    (c.ppo.rollout_batch, c.ppo.minibatch, c.ppo.max_new_tokens, c.eval.max_new_tokens) = (4, 2, 6, 6);
    (c.disc.warmup_epochs, c.disc.batch, c.gapo.stages, c.gapo.rollouts_per_stage) = (1, 8, 1, 1);
    (c.gapo.disc_items_per_stage, c.gapo.probe_prompts) = (8, 4);
    let models = ImportedModels { generator: model, tokenizer, discriminator: Some(discriminator), lora: None };
    let mut s = Session::new(c, Inputs { models: Some(models), ..Inputs::default() }, device).unwrap();
    loop {
        let r = block_on(s.step()).unwrap();
        for (k, v) in &r.metrics {
            assert!(v.is_finite(), "step {} ({}): {k} = {v}", r.step, r.phase);
        }
        if r.done {
            break;
        }
    }
    let gapo_core::players::LanguageModel::Hf(tuned) = s.generator() else { unreachable!() };
    assert_eq!(tuned.layers[0].q.weight.val().dtype(), DType::BF16, "training kept bf16 weights");
}
