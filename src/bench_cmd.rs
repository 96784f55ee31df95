//! `gapo bench`: the speed of the steps GAPO is made of, on the bench preset (vocab 1024, d 128, 4 layers,
//! 4 heads, context 128, batch 16) — an SFT step, a PPO update, a discriminator BCE step, sampling 32 new
//! tokens for 16 prompts with the KV cache — and one whole GAPO stage through the `Session`. Each step is
//! timed `--iters` times after `--warmup` untimed runs and reported as the median in milliseconds, tokens per
//! second and the process's peak resident memory while it ran (Linux: reset through /proc/self/clear_refs).
//! Every timed step ends with a readback, so asynchronous backends are measured to completion.
//! `bench/twin.py` times the same steps in PyTorch.

use anyhow::{Context, Result};
use burn::module::Module;
use burn::optim::{AdamConfig, AdamWConfig, GradientsParams};
use burn::tensor::{Device, Int, Tensor, TensorData};
use clap::Args;
use futures_lite::future::block_on;
use gapo_core::algo::ppo_trainer::{Experience, PpoConfig, PpoLearner, response_logprobs};
use gapo_core::algo::reward::bce_loss;
use gapo_core::algo::sft::sft_loss;
use gapo_core::config::ModelPreset;
use gapo_core::device::{BackendChoice, describe, device_for};
use gapo_core::model::sampling::{SamplingConfig, generate};
use gapo_core::readback::{ints, scalar};
use gapo_core::rng::SplitMix64;
use gapo_core::session::{Inputs, RunConfig, Session};
use std::time::Instant;

#[derive(Args, Debug)]
pub struct BenchArgs {
    /// Timed repetitions of each step.
    #[arg(long, default_value_t = 10)]
    pub iters: usize,
    /// Untimed repetitions first.
    #[arg(long, default_value_t = 2)]
    pub warmup: usize,
    /// Model preset (the design's bench shapes by default).
    #[arg(long, default_value = "bench")]
    pub preset: String,
    /// Skip the whole-stage measurement (it builds a task and a tokenizer first).
    #[arg(long)]
    pub no_stage: bool,
    /// Time only these steps (comma-separated: sft, ppo, disc, sample, stage), e.g. to profile one alone.
    #[arg(long, value_delimiter = ',', value_enum)]
    pub only: Vec<BenchStep>,
    /// Also write the results as JSON to this file.
    #[arg(long)]
    pub json: Option<std::path::PathBuf>,
}

/// The steps `gapo bench` times, in the order it times them.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum BenchStep {
    Sft,
    Ppo,
    Disc,
    Sample,
    Stage,
}

impl BenchArgs {
    /// Whether this step is timed: every step unless `--only` names some (`--no-stage` drops the stage).
    fn runs(&self, step: BenchStep) -> bool {
        (self.only.is_empty() || self.only.contains(&step)) && !(step == BenchStep::Stage && self.no_stage)
    }
}

const BATCH: usize = 16;
const PROMPT: usize = 96;
const NEW: usize = 32;

struct Row {
    name: &'static str,
    median_ms: f64,
    tokens: usize,
    peak_mib: Option<f64>,
}

/// Resets the peak resident set size (Linux 4.0+); false where that is not possible.
fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// The process's peak resident set size in MiB since the last reset (Linux).
fn peak_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn time(name: &'static str, tokens: usize, args: &BenchArgs, mut step: impl FnMut() -> Result<()>) -> Result<Row> {
    let can_reset = reset_peak();
    for _ in 0..args.warmup {
        step()?;
    }
    let mut ms = Vec::with_capacity(args.iters);
    for _ in 0..args.iters.max(1) {
        let t = Instant::now();
        step()?;
        ms.push(t.elapsed().as_secs_f64() * 1e3);
    }
    ms.sort_by(f64::total_cmp);
    let row = Row { name, median_ms: ms[ms.len() / 2], tokens, peak_mib: if can_reset { peak_mib() } else { None } };
    print_row(&row);
    Ok(row)
}

impl Row {
    /// Tokens through the step per second of its median time.
    fn tokens_per_s(&self) -> f64 {
        self.tokens as f64 / (self.median_ms / 1e3)
    }
}

fn print_row(r: &Row) {
    let tps = r.tokens_per_s();
    let peak = r.peak_mib.map(|m| format!("{m:.0}")).unwrap_or_else(|| "n/a".into());
    println!("{:<34} {:>10.1} {:>12.0} {:>10}", r.name, r.median_ms, tps, peak);
}

fn random_ids(rng: &mut SplitMix64, b: usize, t: usize, vocab: usize, device: &Device) -> Tensor<2, Int> {
    let v: Vec<i64> = (0..b * t).map(|_| 5 + rng.below(vocab - 5) as i64).collect();
    Tensor::from_data(TensorData::new(v, [b, t]), device)
}

pub fn run(args: BenchArgs, choice: BackendChoice, seed: u64) -> Result<()> {
    let device = device_for(choice)?;
    device.seed(seed);
    let train_device = device.clone().autodiff();
    let preset = ModelPreset::named(&args.preset)?;
    let vocab = preset.tokenizer.vocab_size;
    let gen_cfg = preset.generator_config(vocab);
    let disc_cfg = preset.discriminator_config(vocab);
    let seq = PROMPT + NEW;
    anyhow::ensure!(seq <= gen_cfg.max_seq_len, "preset {}: context {} < {seq}", args.preset, gen_cfg.max_seq_len);
    println!("device: {}", describe(choice, &device));
    println!(
        "preset {}: vocab {vocab}, generator d {} × {} layers × {} heads, discriminator d {} × {} layers; batch {BATCH}, sequence {PROMPT} + {NEW}",
        args.preset, gen_cfg.d_model, gen_cfg.n_layers, gen_cfg.n_heads, disc_cfg.d_model, disc_cfg.n_layers
    );
    println!("{:<34} {:>10} {:>12} {:>10}", "step", "median ms", "tokens/s", "peak MiB");
    let mut rng = SplitMix64::new(seed);
    let mut rows = Vec::new();

    // SFT: forward, backward and AdamW over [16, 128].
    let mut generator = gen_cfg.init(&train_device);
    let mut optim = AdamWConfig::new().with_epsilon(1e-8).with_weight_decay(0.0).init();
    let ids = random_ids(&mut rng, BATCH, seq, vocab, &train_device);
    let ones = Tensor::<2>::ones([BATCH, seq], &train_device);
    if args.runs(BenchStep::Sft) {
        rows.push(time("sft step (fwd+bwd+AdamW)", BATCH * seq, &args, || {
            let loss = sft_loss(&generator, ids.clone(), ones.clone(), ones.clone());
            let grads = GradientsParams::from_grads(loss.backward(), &generator);
            generator = optim.step(1e-4, generator.clone(), grads);
            block_on(scalar(generator.tok_emb.weight.val().narrow(0, 0, 1).sum()))?;
            Ok(())
        })?);
    }

    // PPO: one minibatch update of policy and critic on a [16, 96 + 32] experience.
    let ppo = PpoConfig { epochs: 1, minibatch: BATCH, ..PpoConfig::default() };
    let mut learner = PpoLearner::new(ppo, generator.clone(), &train_device);
    let ids = random_ids(&mut rng, BATCH, seq, vocab, &device);
    let mask = Tensor::<2>::ones([BATCH, seq], &device);
    let action_mask = Tensor::<2>::ones([BATCH, NEW], &device);
    let (old_logp, _) = response_logprobs(&learner.policy.valid(), ids.clone(), mask.clone(), PROMPT, NEW);
    let normal = |rng: &mut SplitMix64| -> Tensor<2> {
        let v: Vec<f32> = (0..BATCH * NEW).map(|_| (rng.unit() as f32 - 0.5) * 2.0).collect();
        Tensor::from_data(TensorData::new(v, [BATCH, NEW]), &device)
    };
    let exp = Experience {
        ids,
        mask,
        prompt_len: PROMPT,
        action_mask,
        old_logp,
        old_values: Tensor::zeros([BATCH, NEW], &device),
        advantages: normal(&mut rng),
        returns: normal(&mut rng),
        responses: vec![String::new(); BATCH],
        scores: vec![0.0; BATCH],
    };
    let mut metrics = Default::default();
    let mut ppo_rng = SplitMix64::new(seed);
    if args.runs(BenchStep::Ppo) {
        rows.push(time("ppo update (policy + critic)", BATCH * seq, &args, || {
            block_on(learner.learn(&exp, &mut ppo_rng, &mut metrics)).context("ppo update")?;
            Ok(())
        })?);
    }

    // Discriminator: BCE forward, backward and Adam over [16, 128] pairs.
    let mut disc = disc_cfg.init(&train_device);
    let mut d_optim = AdamConfig::new().with_epsilon(1e-8).init();
    let ids = random_ids(&mut rng, BATCH, seq, vocab, &train_device);
    let segs: Vec<i64> = (0..BATCH * seq).map(|i| i64::from(i % seq >= PROMPT)).collect();
    let segs = Tensor::<2, Int>::from_data(TensorData::new(segs, [BATCH, seq]), &train_device);
    let labels: Vec<f32> = (0..BATCH).map(|i| (i % 2) as f32).collect();
    let labels = Tensor::<1>::from_data(TensorData::new(labels, [BATCH]), &train_device);
    let ones = Tensor::<2>::ones([BATCH, seq], &train_device);
    if args.runs(BenchStep::Disc) {
        rows.push(time("discriminator BCE step", BATCH * seq, &args, || {
            let loss = bce_loss(disc.forward(ids.clone(), segs.clone(), ones.clone()), labels.clone());
            let grads = GradientsParams::from_grads(loss.backward(), &disc);
            disc = d_optim.step(1e-4, disc.clone(), grads);
            block_on(scalar(disc.tok_emb.weight.val().narrow(0, 0, 1).sum()))?;
            Ok(())
        })?);
    }

    // Sampling 32 new tokens for 16 prompts of 96 with the KV cache; one readback at the end.
    let policy = learner.policy.valid();
    let prompts = random_ids(&mut rng, BATCH, PROMPT, vocab, &device);
    let prompt_mask = Tensor::<2>::ones([BATCH, PROMPT], &device);
    let sampling = SamplingConfig::new().with_temperature(1.0);
    if args.runs(BenchStep::Sample) {
        rows.push(time("sample 32 tokens × 16 (KV cache)", BATCH * NEW, &args, || {
            // EOS id beyond the vocabulary: every row generates all 32 tokens.
            let r = generate(&policy, prompts.clone(), prompt_mask.clone(), NEW, &sampling, vocab as u32, 0)?;
            block_on(ints(r.tokens))?;
            Ok(())
        })?);
    }

    if args.runs(BenchStep::Stage) {
        rows.push(gapo_stage(&args, &device, seed)?);
    }
    if let Some(path) = &args.json {
        let json: Vec<_> = rows
            .iter()
            .map(|r| {
                serde_json::json!({
                    "step": r.name, "median_ms": r.median_ms, "tokens": r.tokens,
                    "tokens_per_s": r.tokens_per_s(), "peak_mib": r.peak_mib,
                })
            })
            .collect();
        crate::atomic::write_atomic(path, serde_json::to_string_pretty(&json)?.as_bytes())?;
    }
    Ok(())
}

/// One whole GAPO stage through the `Session`: probe, 4 rollouts of 16 × 32 with their PPO updates, the
/// discriminator phase on 64 items with fresh fakes, probes after each phase. Timed once, after a stage
/// that warms up.
fn gapo_stage(args: &BenchArgs, device: &Device, seed: u64) -> Result<Row> {
    let mut c = RunConfig { preset: args.preset.clone(), seed, ..RunConfig::default() };
    c.task.n_train = 256;
    c.task.n_eval = 16;
    c.task.n_eval_in = 16;
    c.sft.steps = 1;
    c.disc.warmup_epochs = 1;
    c.disc.epochs_per_stage = 1;
    c.gapo.stages = 2;
    c.gapo.rollouts_per_stage = 4;
    c.gapo.disc_items_per_stage = 64;
    c.gapo.probe_prompts = 16;
    c.ppo.rollout_batch = BATCH;
    c.ppo.max_new_tokens = NEW;
    c.ppo.minibatch = BATCH;
    c.eval.max_new_tokens = NEW;
    let mut s = Session::new(c, Inputs::default(), device.clone())?;
    let can_reset = reset_peak();
    // When each step ended, with its stage.
    let mut ends: Vec<(Option<usize>, Instant)> = Vec::new();
    while !s.is_done() {
        let r = block_on(s.step())?;
        ends.push((r.stage, Instant::now()));
    }
    // Stage 1 (the second; stage 0 warms up): from the end of stage 0's last step to the end of stage 1's.
    let last_of = |stage: usize| ends.iter().rev().find(|(s, _)| *s == Some(stage)).map(|e| e.1);
    let (Some(a), Some(b)) = (last_of(0), last_of(1)) else { anyhow::bail!("the stage run did not reach stage 1") };
    let ms = (b - a).as_secs_f64() * 1e3;
    let row = Row {
        name: "one GAPO stage (4 rollouts + D phase)",
        median_ms: ms,
        tokens: 4 * BATCH * NEW,
        peak_mib: if can_reset { peak_mib() } else { None },
    };
    print_row(&row);
    Ok(row)
}
