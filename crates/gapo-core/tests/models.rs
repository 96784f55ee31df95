//! Behaviour of the models that must hold whatever the weights: the KV cache changes nothing, padding
//! changes nothing, sampling draws from the right distribution, checkpoints round-trip.

use burn::tensor::{Device, Int, Tensor, TensorData};
use gapo_core::checkpoint;
use gapo_core::data::batch::{HostBatch, PadSide, int_table};
use gapo_core::model::sampling::{SamplingConfig, filter_top_k, filter_top_p, generate, sample_next};
use gapo_core::model::{DiscriminatorConfig, Generator, GeneratorConfig, KvCache, Pooling};

const VOCAB: usize = 40;

fn device() -> Device {
    let d = Device::flex();
    d.seed(7);
    d
}

fn small_generator(device: &Device) -> (GeneratorConfig, Generator) {
    let cfg = GeneratorConfig::new(VOCAB).with_d_model(16).with_n_layers(2).with_n_heads(4).with_max_seq_len(24);
    let model = cfg.init(device);
    (cfg, model)
}

fn read<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().convert::<f32>().try_into_vec::<f32>().unwrap()
}

fn read_int<const D: usize>(t: Tensor<D, Int>) -> Vec<i64> {
    t.into_data().convert::<i64>().try_into_vec::<i64>().unwrap()
}

fn max_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max)
}

#[test]
fn kv_cache_decoding_gives_the_same_logits_as_a_full_forward_pass() {
    let device = device();
    let (_, model) = small_generator(&device);
    // Two prompts of different lengths, left-padded, then five continuation tokens each.
    let prompts = vec![vec![1, 5, 9, 11, 3], vec![1, 7, 2]];
    let continuation = [[12u32, 30, 4, 4, 17], [8, 8, 21, 39, 6]];
    let full_rows: Vec<Vec<u32>> =
        prompts.iter().zip(&continuation).map(|(p, c)| p.iter().chain(c.iter()).copied().collect()).collect();
    let full = HostBatch::pad(&full_rows, 0, PadSide::Left).unwrap();
    let (ids, mask) = full.to_device(&device);
    let full_logits = model.forward(ids, mask); // [2, 10, V]

    let prompt = HostBatch::pad(&prompts, 0, PadSide::Left).unwrap();
    let p = prompt.len;
    let (p_ids, p_mask) = prompt.to_device(&device);
    let mut cache = KvCache::new(model.n_layers());
    let positions = gapo_core::model::mask::positions_from_mask(p_mask.clone());
    let logits = model.forward_cached(p_ids, positions.clone(), p_mask.clone(), &mut cache);
    // Outputs at padding positions are never read; compare the real ones.
    let real = p_mask.clone().reshape([2, p, 1]);
    let diff = max_diff(&read(logits * real.clone()), &read(full_logits.clone().narrow(1, 0, p) * real));
    assert!(diff < 1e-4, "prompt logits differ by {diff}");

    let mut key_mask = p_mask;
    let mut pos = positions.narrow(1, p - 1, 1);
    for step in 0..5 {
        let token: Vec<i64> = continuation.iter().map(|c| c[step] as i64).collect();
        let token = Tensor::<2, Int>::from_data(TensorData::new(token, [2, 1]), &device);
        pos = pos.add_scalar(1);
        key_mask = Tensor::cat(vec![key_mask, Tensor::ones([2, 1], &device)], 1);
        let step_logits = model.forward_cached(token, pos.clone(), key_mask.clone(), &mut cache);
        let diff = max_diff(&read(step_logits), &read(full_logits.clone().narrow(1, p + step, 1)));
        assert!(diff < 1e-4, "decode step {step}: logits differ by {diff}");
    }
    assert_eq!(cache.len, p + 5);
}

#[test]
fn generator_padding_does_not_change_a_rows_logits() {
    let device = device();
    let (_, model) = small_generator(&device);
    let row = vec![1u32, 5, 9, 11];
    let alone = HostBatch::pad(std::slice::from_ref(&row), 0, PadSide::Left).unwrap();
    let (ids, mask) = alone.to_device(&device);
    let alone_logits = read(model.forward(ids, mask));
    let batch = HostBatch::pad(&[vec![1, 2, 3, 4, 5, 6, 7], row], 0, PadSide::Left).unwrap();
    let (ids, mask) = batch.to_device(&device);
    let padded = model.forward(ids, mask).narrow(0, 1, 1).narrow(1, 3, 4);
    let diff = max_diff(&alone_logits, &read(padded));
    assert!(diff < 1e-4, "left padding changed logits by {diff}");
}

#[test]
fn padding_does_not_change_the_discriminators_score() {
    let device = device();
    let rows: Vec<Vec<u32>> =
        vec![vec![3, 8, 9, 4, 10, 11, 4], vec![3, 12, 4, 13, 4], vec![3, 14, 4, 15, 16, 17, 18, 19, 4]];
    let segs: Vec<Vec<u32>> = vec![vec![0, 0, 0, 0, 1, 1, 1], vec![0, 0, 0, 1, 1], vec![0, 0, 0, 1, 1, 1, 1, 1, 1]];
    for pooling in [Pooling::First, Pooling::Last, Pooling::Mean] {
        let d = DiscriminatorConfig::new(VOCAB)
            .with_d_model(16)
            .with_n_layers(2)
            .with_n_heads(2)
            .with_max_seq_len(16)
            .with_pooling(pooling)
            .init(&device);
        let alone: Vec<f32> = rows
            .iter()
            .zip(&segs)
            .map(|(r, s)| {
                let b = HostBatch::pad(std::slice::from_ref(r), 0, PadSide::Right).unwrap();
                let (ids, mask) = b.to_device(&device);
                let seg = int_table(std::slice::from_ref(s), 0, PadSide::Right, &device).unwrap();
                read(d.forward(ids, seg, mask))[0]
            })
            .collect();
        for side in [PadSide::Right, PadSide::Left] {
            let b = HostBatch::pad(&rows, 0, side).unwrap();
            let (ids, mask) = b.to_device(&device);
            let seg = int_table(&segs, 0, side, &device).unwrap();
            let batched = read(d.forward(ids, seg, mask));
            let diff = max_diff(&alone, &batched);
            assert!(diff < 1e-4, "{pooling:?} with {side:?} padding changed scores by {diff}");
        }
    }
}

#[test]
fn greedy_and_top_k_1_pick_the_argmax() {
    let device = device();
    let logits =
        Tensor::<2>::from_data(TensorData::new(vec![0.1f32, 2.0, -1.0, 0.5, 3.0, 1.0, 0.0, -2.0], [2, 4]), &device);
    let greedy = SamplingConfig::new().with_greedy(true);
    assert_eq!(read_int(sample_next(logits.clone(), &greedy)), vec![1, 0]);
    let top1 = SamplingConfig::new().with_top_k(1).with_temperature(5.0);
    for _ in 0..20 {
        assert_eq!(read_int(sample_next(logits.clone(), &top1)), vec![1, 0]);
    }
}

#[test]
fn top_k_and_top_p_keep_the_right_tokens() {
    let device = device();
    let probs = [0.5f32, 0.3, 0.15, 0.05];
    let logits: Vec<f32> = probs.iter().map(|p| p.ln()).collect();
    let logits = Tensor::<2>::from_data(TensorData::new(logits, [1, 4]), &device);
    let kept = |t: Tensor<2>| read(t).iter().map(|&x| x > -1e8).collect::<Vec<_>>();
    assert_eq!(kept(filter_top_k(logits.clone(), 2)), vec![true, true, false, false]);
    assert_eq!(kept(filter_top_p(logits.clone(), 0.45)), vec![true, false, false, false]);
    assert_eq!(kept(filter_top_p(logits.clone(), 0.75)), vec![true, true, false, false]);
    assert_eq!(kept(filter_top_p(logits.clone(), 0.85)), vec![true, true, true, false]);
    assert_eq!(kept(filter_top_p(logits, 1.0)), vec![true, true, true, true]);
}

#[test]
fn sampling_draws_from_softmax_at_the_temperature() {
    let device = device();
    let n = 6000;
    let row = [0.7f32.ln(), 0.2f32.ln(), 0.1f32.ln()];
    let logits: Vec<f32> = (0..n).flat_map(|_| row).collect();
    let logits = Tensor::<2>::from_data(TensorData::new(logits, [n, 3]), &device);
    let cfg = SamplingConfig::new();
    let a = read_int(sample_next(logits.clone(), &cfg));
    let freq: Vec<f64> = (0..3).map(|k| a.iter().filter(|&&t| t == k).count() as f64 / n as f64).collect();
    for (f, p) in freq.iter().zip([0.7, 0.2, 0.1]) {
        assert!((f - p).abs() < 0.03, "frequencies {freq:?}");
    }
    // Temperature 0.25 sharpens: the mode takes almost everything.
    let sharp = read_int(sample_next(logits.clone(), &SamplingConfig::new().with_temperature(0.25)));
    assert!(sharp.iter().filter(|&&t| t == 0).count() as f64 / n as f64 > 0.95);
}

#[test]
fn cached_greedy_generation_matches_greedy_by_full_forward_passes() {
    let device = device();
    let (_, model) = small_generator(&device);
    let prompts = vec![vec![1u32, 5, 9, 11, 3], vec![1, 7, 2]];
    let batch = HostBatch::pad(&prompts, 0, PadSide::Left).unwrap();
    let (ids, mask) = batch.to_device(&device);
    let greedy = SamplingConfig::new().with_greedy(true);
    // eos_id out of the way (VOCAB + 1 is never sampled) so every row runs 6 steps.
    let rollout = generate(&model, ids, mask, 6, &greedy, VOCAB as u32 + 1, 0).unwrap();
    let tokens = read_int(rollout.tokens);
    for (r, prompt) in prompts.iter().enumerate() {
        let mut seq: Vec<u32> = prompt.clone();
        for step in 0..6 {
            let b = HostBatch::pad(std::slice::from_ref(&seq), 0, PadSide::Left).unwrap();
            let (ids, mask) = b.to_device(&device);
            let logits = model.forward(ids, mask).narrow(1, seq.len() - 1, 1).reshape([1, VOCAB]);
            let next = read_int(logits.argmax(1))[0];
            assert_eq!(tokens[r * 6 + step], next, "row {r} step {step}");
            seq.push(next as u32);
        }
    }
}

#[test]
fn generation_stops_a_row_at_eos_and_pads_after_it() {
    let device = device();
    let (_, model) = small_generator(&device);
    let prompts = vec![vec![1u32, 5, 9], vec![1, 7, 2, 2]];
    let batch = HostBatch::pad(&prompts, 0, PadSide::Left).unwrap();
    let greedy = SamplingConfig::new().with_greedy(true);
    let (ids, mask) = batch.to_device(&device);
    let first = read_int(generate(&model, ids, mask, 1, &greedy, 999, 0).unwrap().tokens);
    let eos = first[0] as u32; // row 0's first greedy token: make it the end of sequence
    let (ids, mask) = batch.to_device(&device);
    let rollout = generate(&model, ids, mask, 5, &greedy, eos, 0).unwrap();
    let (tokens, m) = (read_int(rollout.tokens), read(rollout.mask));
    for r in 0..2 {
        let row = &tokens[r * 5..r * 5 + 5];
        let mrow = &m[r * 5..r * 5 + 5];
        match row.iter().position(|&t| t == eos as i64) {
            Some(e) => {
                assert!(mrow[..=e].iter().all(|&x| x == 1.0), "row {r}: mask before EOS {mrow:?}");
                assert!(row[e + 1..].iter().all(|&t| t == 0), "row {r}: tokens after EOS {row:?}");
                assert!(mrow[e + 1..].iter().all(|&x| x == 0.0), "row {r}: mask after EOS {mrow:?}");
            }
            None => assert!(mrow.iter().all(|&x| x == 1.0)),
        }
    }
    assert_eq!(tokens[0], eos as i64);
    assert!(generate(&model, batch.to_device(&device).0, batch.to_device(&device).1, 40, &greedy, eos, 0).is_err());
}

#[test]
fn checkpoints_round_trip_and_refuse_what_does_not_fit() {
    let device = device();
    let (cfg, model) = small_generator(&device);
    let config_json = serde_json::to_string(&cfg).unwrap();
    let bytes = checkpoint::to_bytes(&model, "generator", &config_json).unwrap();
    let info = checkpoint::read_info(&bytes, "mem").unwrap();
    assert_eq!(info.kind, "generator");
    assert_eq!(info.config_json, config_json);

    let fresh = cfg.init(&device); // different random weights
    let loaded = checkpoint::load_bytes(fresh, bytes.clone(), "generator", "gen.safetensors").unwrap();
    let b = HostBatch::pad(&[vec![1, 2, 3]], 0, PadSide::Left).unwrap();
    let (ids, mask) = b.to_device(&device);
    let diff = max_diff(&read(model.forward(ids.clone(), mask.clone())), &read(loaded.forward(ids, mask)));
    assert_eq!(diff, 0.0);

    let err = checkpoint::load_bytes(cfg.init(&device), bytes.clone(), "discriminator", "gen.safetensors");
    let err = err.unwrap_err().to_string();
    assert!(err.contains("gen.safetensors") && err.contains("holds a generator, not a discriminator"), "{err}");

    let wider = cfg.clone().with_d_model(32).init(&device);
    let err = checkpoint::load_bytes(wider, bytes.clone(), "generator", "gen.safetensors").unwrap_err().to_string();
    assert!(err.contains("does not fit"), "{err}");

    let truncated = bytes[..bytes.len() / 2].to_vec();
    let err = checkpoint::load_bytes(cfg.init(&device), truncated, "generator", "cut.safetensors").unwrap_err();
    assert!(err.to_string().contains("cut.safetensors"), "{err}");
    let err = checkpoint::load_bytes(cfg.init(&device), b"garbage".to_vec(), "generator", "junk.bin").unwrap_err();
    assert!(err.to_string().contains("not a safetensors file"), "{err}");
}

#[test]
fn configs_that_cannot_work_name_their_field() {
    let err = GeneratorConfig::new(VOCAB).with_d_model(30).with_n_heads(4).validate().unwrap_err().to_string();
    assert!(err.contains("generator.n_heads"), "{err}");
    let err = DiscriminatorConfig::new(0).validate().unwrap_err().to_string();
    assert!(err.contains("discriminator.vocab_size"), "{err}");
    let err = SamplingConfig::new().with_top_p(0.0).validate().unwrap_err().to_string();
    assert!(err.contains("sampling.top_p"), "{err}");
}
