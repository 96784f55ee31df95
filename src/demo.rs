//! The default job until the GAPO pipeline lands: it exercises the whole foundation end to end on a
//! built-in corpus of product descriptions. Tokenizer training, the generator learning by SFT, KV-cache
//! sampling, the discriminator scoring (prompt, response) pairs, and atomic checkpoints.

use crate::atomic::write_atomic;
use anyhow::{Context, Result};
use burn::module::Module;
use burn::optim::{AdamWConfig, GradientsParams};
use clap::Args;
use gapo_core::algo::sft::sft_loss;
use gapo_core::checkpoint;
use gapo_core::config::ModelPreset;
use gapo_core::data::batch::{HostBatch, PadSide, int_table};
use gapo_core::device::{BackendChoice, describe, device_for};
use gapo_core::model::sampling::{SamplingConfig, generate};
use gapo_core::rng::SplitMix64;
use gapo_core::tokenizer::GapoTokenizer;
use std::path::PathBuf;
use std::time::Instant;

#[derive(Args, Debug, Clone)]
pub struct RunArgs {
    /// Model sizes: tiny | small | bench.
    #[arg(long, default_value = "tiny")]
    pub preset: String,
    /// SFT optimizer steps.
    #[arg(long, default_value_t = 300)]
    pub steps: usize,
    /// Sequences per step.
    #[arg(long, default_value_t = 16)]
    pub batch: usize,
    #[arg(long, default_value_t = 3e-3)]
    pub lr: f64,
    /// Folder for the run's files.
    #[arg(long, default_value = "runs/latest")]
    pub out: PathBuf,
}

impl Default for RunArgs {
    fn default() -> Self {
        Self {
            preset: "tiny".into(),
            steps: 300,
            batch: 16,
            lr: 3e-3,
            out: "runs/latest".into(),
        }
    }
}

const COLOURS: [&str; 8] = [
    "red", "blue", "green", "amber", "ivory", "black", "teal", "silver",
];
const THINGS: [&str; 8] = [
    "lamp", "chair", "kettle", "backpack", "scarf", "mug", "clock", "jacket",
];
const MATERIALS: [&str; 5] = ["oak", "steel", "wool", "leather", "ceramic"];
const FEATURES: [&str; 5] = ["cozy", "durable", "compact", "elegant", "quiet"];

/// (prompt, response) pairs of a toy product-description world: the response mentions what the prompt asks.
fn corpus(seed: u64, n: usize) -> Vec<(String, String)> {
    let mut rng = SplitMix64::new(seed);
    (0..n)
        .map(|_| {
            let (c, t, m, f) = (
                *rng.pick(&COLOURS),
                *rng.pick(&THINGS),
                *rng.pick(&MATERIALS),
                *rng.pick(&FEATURES),
            );
            let prompt = format!("Describe a {c} {m} {t}. Mention that it is {f}.");
            let response = match rng.below(3) {
                0 => format!("Meet the {c} {t}: {f} {m}, made to last."),
                1 => format!("This {m} {t} in {c} is {f} and easy to love."),
                _ => format!("A {f} {c} {t} of {m} for every day."),
            };
            (prompt, response)
        })
        .collect()
}

pub fn run(args: RunArgs, choice: BackendChoice, seed: u64) -> Result<()> {
    let started = Instant::now();
    let preset = ModelPreset::named(&args.preset)?;
    let device = device_for(choice)?;
    device.seed(seed);
    println!("device: {}", describe(choice, &device));
    let pairs = corpus(seed, 2000);

    // 1. Tokenizer.
    let texts: Vec<String> = pairs
        .iter()
        .flat_map(|(p, r)| [p.clone(), r.clone()])
        .collect();
    let tokenizer = GapoTokenizer::train(&texts, preset.tokenizer.vocab_size)?;
    let special = tokenizer.special();
    println!(
        "tokenizer: byte-level BPE, {} entries, trained on {} texts",
        tokenizer.vocab_size(),
        texts.len()
    );

    // 2. Models.
    let gen_cfg = preset.generator_config(tokenizer.vocab_size());
    let disc_cfg = preset.discriminator_config(tokenizer.vocab_size());
    let train_device = device.clone().autodiff();
    let mut generator = gen_cfg.init(&train_device);
    let discriminator = disc_cfg.init(&device);
    println!(
        "generator: {} parameters; preset {}",
        gen_cfg.num_params(),
        args.preset
    );

    let probes: Vec<&(String, String)> = pairs.iter().take(3).collect();
    let show = |label: &str, generator: &gapo_core::model::Generator| -> Result<Vec<String>> {
        let prompts: Vec<Vec<u32>> = probes
            .iter()
            .map(|(p, _)| {
                tokenizer.encode_prompt(p).map(|mut ids| {
                    ids.push(special.sep);
                    ids
                })
            })
            .collect::<gapo_core::Result<_>>()?;
        let batch = HostBatch::pad(&prompts, special.pad, PadSide::Left)?;
        let (ids, mask) = batch.to_device(&device);
        let model = generator.clone().valid();
        let max_new = (gen_cfg.max_seq_len - batch.len).min(24);
        let rollout = generate(
            &model,
            ids,
            mask,
            max_new,
            &SamplingConfig::new().with_greedy(true),
            special.eos,
            special.pad,
        )?;
        // One readback for the whole rollout.
        let tokens = rollout
            .tokens
            .into_data()
            .convert::<i64>()
            .try_into_vec::<i64>()
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        println!("{label}:");
        let mut out = Vec::new();
        for (i, (prompt, _)) in probes.iter().enumerate() {
            let ids: Vec<u32> = tokens[i * max_new..(i + 1) * max_new]
                .iter()
                .map(|&t| t as u32)
                .collect();
            let text = tokenizer.decode(&ids)?;
            println!("  {prompt}\n    -> {text}");
            out.push(text);
        }
        Ok(out)
    };
    show("samples before training (greedy)", &generator.clone())?;

    // 3. SFT on the responses.
    let mut optim = AdamWConfig::new().with_weight_decay(0.0).init();
    let mut rng = SplitMix64::new(seed ^ 0x5EED);
    let mut losses = Vec::new();
    for step in 0..args.steps {
        let mut rows = Vec::with_capacity(args.batch);
        let mut loss_rows = Vec::with_capacity(args.batch);
        for _ in 0..args.batch {
            let (p, r) = rng.pick(&pairs);
            let mut ids = tokenizer.encode_prompt(p)?;
            ids.push(special.sep);
            let prompt_len = ids.len();
            ids.extend(tokenizer.encode(r)?);
            ids.push(special.eos);
            ids.truncate(gen_cfg.max_seq_len);
            loss_rows.push(
                (0..ids.len())
                    .map(|i| u32::from(i >= prompt_len))
                    .collect::<Vec<_>>(),
            );
            rows.push(ids);
        }
        let batch = HostBatch::pad(&rows, special.pad, PadSide::Right)?;
        let (ids, mask) = batch.to_device(&train_device);
        let loss_mask = int_table(&loss_rows, 0, PadSide::Right, &train_device)?.float();
        let loss = sft_loss(&generator, ids, mask, loss_mask);
        let grads = GradientsParams::from_grads(loss.backward(), &generator);
        let value = loss.into_scalar::<f32>();
        anyhow::ensure!(
            value.is_finite(),
            "SFT loss became {value} at step {step}; stopping before saving"
        );
        generator = optim.step(args.lr, generator, grads);
        losses.push(value);
        if step % 50 == 0 || step + 1 == args.steps {
            println!("sft step {step:>4}/{}  loss {value:.4}", args.steps);
        }
    }
    let after = show("samples after training (greedy)", &generator.clone())?;

    // 4. The (untrained) discriminator reads (prompt, response) pairs.
    let pairs_enc: Vec<_> = probes
        .iter()
        .zip(&after)
        .map(|((p, _), r)| tokenizer.encode_pair(p, r, disc_cfg.max_seq_len))
        .collect::<gapo_core::Result<_>>()?;
    let ids: Vec<Vec<u32>> = pairs_enc.iter().map(|e| e.ids.clone()).collect();
    let segs: Vec<Vec<u32>> = pairs_enc.iter().map(|e| e.segments.clone()).collect();
    let batch = HostBatch::pad(&ids, special.pad, PadSide::Right)?;
    let (ids, mask) = batch.to_device(&device);
    let segments = int_table(&segs, 0, PadSide::Right, &device)?;
    let scores = discriminator
        .forward(ids, segments, mask)
        .into_data()
        .convert::<f32>()
        .try_into_vec::<f32>()
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    println!("discriminator logits (untrained; GAPO trains it): {scores:?}");

    // 5. Files, each written atomically.
    let generator = generator.valid();
    let out = &args.out;
    let save = |name: &str, bytes: &[u8]| {
        write_atomic(&out.join(name), bytes).with_context(|| format!("saving {name}"))
    };
    save("tokenizer.json", tokenizer.to_json()?.as_bytes())?;
    save("preset.toml", preset.to_toml().as_bytes())?;
    save(
        "generator.safetensors",
        &checkpoint::to_bytes(&generator, "generator", &serde_json::to_string(&gen_cfg)?)?,
    )?;
    save(
        "discriminator.safetensors",
        &checkpoint::to_bytes(
            &discriminator,
            "discriminator",
            &serde_json::to_string(&disc_cfg)?,
        )?,
    )?;
    let curve: String = losses
        .iter()
        .enumerate()
        .map(|(i, l)| format!("{{\"step\":{i},\"loss/sft\":{l}}}\n"))
        .collect();
    save("metrics.jsonl", curve.as_bytes())?;
    let first = losses.first().copied().unwrap_or(f32::NAN);
    let last = losses.last().copied().unwrap_or(f32::NAN);
    println!(
        "\nSFT loss {first:.3} -> {last:.3} in {} steps ({:.1}s)",
        losses.len(),
        started.elapsed().as_secs_f64()
    );
    println!(
        "files: {}/{{tokenizer.json, preset.toml, generator.safetensors, discriminator.safetensors, metrics.jsonl}}",
        out.display()
    );
    Ok(())
}
