//! Golden test (llm.c style): the generator, the value head and the discriminator, with the deterministic
//! weights of `fill_golden`, must reproduce the outputs and loss gradients that the PyTorch twin
//! (`tests/golden/make_golden.py`, float64) wrote to `tests/golden/golden.json`, within 1e-4.

use burn::tensor::activation::log_softmax;
use burn::tensor::{Device, Int, Tensor, TensorData};
use gapo_core::algo::sft::sft_loss;
use gapo_core::model::init::{Read, collect_params, fill_golden};
use gapo_core::model::{DiscriminatorConfig, GeneratorConfig, Pooling, ScalarHeadConfig};
use serde_json::Value;
use std::collections::HashMap;

const TOL: f32 = 1e-4;

fn golden() -> Value {
    serde_json::from_str(include_str!("golden/golden.json")).expect("golden.json parses")
}

fn floats(v: &Value) -> Vec<f32> {
    v.as_array().expect("array").iter().map(|x| x.as_f64().expect("number") as f32).collect()
}

fn table_i64(v: &Value) -> (Vec<i64>, [usize; 2]) {
    let rows = v.as_array().unwrap();
    let cols = rows[0].as_array().unwrap().len();
    let flat = rows.iter().flat_map(|r| r.as_array().unwrap().iter().map(|x| x.as_i64().unwrap())).collect();
    (flat, [rows.len(), cols])
}

fn int_tensor(v: &Value, device: &Device) -> Tensor<2, Int> {
    let (data, shape) = table_i64(v);
    Tensor::from_data(TensorData::new(data, shape), device)
}

fn float_tensor(v: &Value, device: &Device) -> Tensor<2> {
    let rows = v.as_array().unwrap();
    let cols = rows[0].as_array().unwrap().len();
    let flat: Vec<f32> =
        rows.iter().flat_map(|r| r.as_array().unwrap().iter().map(|x| x.as_f64().unwrap() as f32)).collect();
    Tensor::from_data(TensorData::new(flat, [rows.len(), cols]), device)
}

fn read<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().convert::<f32>().try_into_vec::<f32>().unwrap()
}

fn assert_close(what: &str, ours: &[f32], theirs: &[f32]) {
    assert_eq!(ours.len(), theirs.len(), "{what}: length");
    for (i, (a, b)) in ours.iter().zip(theirs).enumerate() {
        assert!(
            (a - b).abs() <= TOL * b.abs().max(1.0),
            "{what}[{i}]: ours {a} vs PyTorch {b} (|diff| {})",
            (a - b).abs()
        );
    }
}

fn shift_right(mask: Tensor<2>) -> Tensor<2> {
    let [b, t] = mask.dims();
    Tensor::cat(vec![Tensor::zeros([b, 1], &mask.device()), mask.narrow(1, 0, t - 1)], 1)
}

fn gen_config(g: &Value) -> GeneratorConfig {
    let c = &g["generator_config"];
    let u = |k: &str| c[k].as_u64().unwrap() as usize;
    GeneratorConfig::new(u("vocab_size"))
        .with_d_model(u("d_model"))
        .with_n_layers(u("n_layers"))
        .with_n_heads(u("n_heads"))
        .with_max_seq_len(u("max_seq_len"))
}

fn disc_config(g: &Value, pooling: Pooling, norm_first: bool) -> DiscriminatorConfig {
    let c = &g["discriminator_config"];
    let u = |k: &str| c[k].as_u64().unwrap() as usize;
    DiscriminatorConfig::new(u("vocab_size"))
        .with_d_model(u("d_model"))
        .with_n_layers(u("n_layers"))
        .with_n_heads(u("n_heads"))
        .with_max_seq_len(u("max_seq_len"))
        .with_pooling(pooling)
        .with_norm_first(norm_first)
}

fn grads_by_path(list: Vec<(String, Vec<usize>, Vec<f32>)>, prefix: &str) -> HashMap<String, Vec<f32>> {
    list.into_iter().map(|(path, _, values)| (format!("{prefix}{path}"), values)).collect()
}

#[test]
fn generator_and_value_head_match_the_pytorch_twin() {
    let g = golden();
    let gg = &g["generator"];
    let device = Device::flex().autodiff();
    let generator = fill_golden(gen_config(&g).init(&device));
    let head = fill_golden(ScalarHeadConfig::new(gen_config(&g).d_model).init(&device));

    let ids = int_tensor(&gg["ids"], &device);
    let mask = float_tensor(&gg["mask"], &device);
    let [b, t] = ids.dims();
    let hidden = generator.hidden(ids.clone(), mask.clone());
    let logits = generator.logits(hidden.clone()); // [B, T, V]
    let values = head.per_token(hidden); // [B, T]
    // Outputs at padded positions are never read (and attend to nothing real), so compare real ones only.
    let real: Vec<bool> = read(mask.clone()).iter().map(|&m| m == 1.0).collect();
    let v = logits.dims()[2];
    let keep = |x: Vec<f32>, width: usize| -> Vec<f32> {
        x.chunks(width).zip(&real).filter(|(_, r)| **r).flat_map(|(c, _)| c.to_vec()).collect()
    };
    assert_close("logits", &keep(read(logits.clone()), v), &keep(floats(&gg["logits"]), v));
    assert_close("values", &keep(read(values.clone()), 1), &keep(floats(&gg["values"]), 1));

    // The same losses as the twin: next-token CE on real pairs, and 0.5·MSE of the values on real tokens.
    let logp = log_softmax(logits.narrow(1, 0, t - 1), 2)
        .gather(2, ids.clone().narrow(1, 1, t - 1).reshape([b, t - 1, 1]))
        .reshape([b, t - 1]);
    let w = mask.clone().narrow(1, 0, t - 1) * mask.clone().narrow(1, 1, t - 1);
    let ce = (logp * w.clone()).sum().neg() / w.sum();
    let targets = float_tensor(&gg["value_targets"], &device);
    let mse = ((values - targets).powf_scalar(2.0) * mask.clone()).sum().mul_scalar(0.5) / mask.clone().sum();
    assert_close("ce", &read(ce.clone()), &[gg["ce"].as_f64().unwrap() as f32]);
    assert_close("value_loss", &read(mse.clone()), &[gg["value_loss"].as_f64().unwrap() as f32]);
    // algo::sft computes the same CE when every token after each row's first is a target.
    let first_real = (mask.clone() - shift_right(mask.clone())).clamp_min(0.0);
    let sft = sft_loss(&generator, ids.clone(), mask.clone(), mask.clone() - first_real);
    assert_close("sft_loss", &read(sft), &[gg["ce"].as_f64().unwrap() as f32]);

    let grads = (ce + mse).backward();
    let mut ours = grads_by_path(collect_params(&generator, Read::Gradients(&grads)), "");
    ours.extend(grads_by_path(collect_params(&head, Read::Gradients(&grads)), "value_head."));
    let theirs = gg["grads"].as_object().unwrap();
    assert_eq!(ours.len(), theirs.len(), "same set of parameters: ours {:?}", ours.keys().collect::<Vec<_>>());
    for (path, expected) in theirs {
        let got = ours.get(path).unwrap_or_else(|| panic!("no gradient for {path}"));
        assert_close(&format!("grad {path}"), got, &floats(expected));
    }
}

#[test]
fn discriminator_matches_the_pytorch_twin_for_every_pooling() {
    let g = golden();
    let gd = &g["discriminator"];
    let device = Device::flex().autodiff();
    let ids = int_tensor(&gd["ids"], &device);
    let segments = int_tensor(&gd["segments"], &device);
    let mask = float_tensor(&gd["mask"], &device);

    for (pooling, key) in [(Pooling::Last, "last"), (Pooling::Mean, "mean")] {
        let d = fill_golden(disc_config(&g, pooling, true).init(&device));
        let scores = d.forward(ids.clone(), segments.clone(), mask.clone());
        assert_close(&format!("scores {key}"), &read(scores), &floats(&gd["scores"][key]));
    }
    let post_ln = fill_golden(disc_config(&g, Pooling::First, false).init(&device));
    let scores = post_ln.forward(ids.clone(), segments.clone(), mask.clone());
    assert_close("scores post-LN", &read(scores), &floats(&gd["scores_post_ln_first"]));

    let d = fill_golden(disc_config(&g, Pooling::First, true).init(&device));
    let scores = d.forward(ids, segments, mask); // [B]
    assert_close("scores first", &read(scores.clone()), &floats(&gd["scores"]["first"]));
    // BCE with logits, written out: mean(softplus(s) - y·s).
    let labels = Tensor::<1>::from_data(TensorData::new(floats(&gd["labels"]), [3]), &device);
    let softplus = scores.clone().exp().add_scalar(1.0).log();
    let bce = (softplus - labels * scores).mean();
    assert_close("bce", &read(bce.clone()), &[gd["bce"].as_f64().unwrap() as f32]);
    let grads = bce.backward();
    let ours = grads_by_path(collect_params(&d, Read::Gradients(&grads)), "");
    let theirs = gd["grads"].as_object().unwrap();
    assert_eq!(ours.len(), theirs.len(), "same set of parameters: ours {:?}", ours.keys().collect::<Vec<_>>());
    for (path, expected) in theirs {
        let got = ours.get(path).unwrap_or_else(|| panic!("no gradient for {path}"));
        assert_close(&format!("grad {path}"), got, &floats(expected));
    }
}
