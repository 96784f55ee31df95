//! `gapo train`: `--resume DIR` continues a killed run exactly; `--data FILE` trains on a user's jsonl file
//! in any supported format: SFT on the preferred side of every row (any text), or any other method on the
//! rows as a task, whose prompts must be ones the checkers read (`TaskData::from_rows`);
//! `--generator DIR [--discriminator DIR]` runs with Hugging Face models (`hf_cmd.rs`; what a run was started from: `sources.rs`); with none of
//! these it is `gapo run`.

use crate::atomic::write_atomic;
use crate::run::RunArgs;
use crate::sft_train::{SftSettings, train_sft};
use crate::sources::{DataArgs, HfArgs, RunSources, data_rows, task_from_file};
use anyhow::{Context, Result};
use burn::module::Module;
use clap::Args;
use gapo_core::checkpoint;
use gapo_core::data::jsonl::{Format, GAPO_SEPARATOR, Row, read_jsonl};
use gapo_core::device::{BackendChoice, describe, device_for};
use gapo_core::session::{Algo, Inputs};
use gapo_core::tokenizer::GapoTokenizer;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct TrainArgs {
    /// Continue the run in this folder from its last checkpoint (resume.bin) to the end.
    #[arg(long, value_name = "DIR", conflicts_with = "data")]
    pub resume: Option<PathBuf>,
    /// A jsonl file (trl-pref, kto, pointwise or gapo rows) to train on instead of the built-in task.
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Expect this format instead of detecting it from the first row.
    #[arg(long)]
    pub format: Option<String>,
    /// Separator between prompt and response in gapo rows.
    #[arg(long, default_value = GAPO_SEPARATOR)]
    pub separator: String,
    /// A Hugging Face decoder folder (Qwen2/Llama: config.json, *.safetensors, tokenizer.json) to tune
    /// instead of the preset's generator; it is written back to OUT/generator/.
    #[arg(long, value_name = "DIR", conflicts_with = "resume")]
    pub generator: Option<PathBuf>,
    /// A Hugging Face encoder folder (BERT/RoBERTa) as the discriminator's backbone (GAPO, PPO).
    #[arg(long, value_name = "DIR", requires = "generator")]
    pub discriminator: Option<PathBuf>,
    /// Longest prompt + response the imported generator is run on (memory grows with it).
    #[arg(long, default_value_t = 256, requires = "generator")]
    pub max_len: usize,
    /// Which hidden state of the imported encoder the discriminator's head reads: first, last or mean.
    #[arg(long, default_value = "first", requires = "discriminator")]
    pub pooling: String,
    /// Train LoRA adapters of this rank on the imported generator's projections instead of all weights.
    #[arg(long, value_name = "RANK", requires = "generator")]
    pub lora_rank: Option<usize>,
    /// Float type of every tensor of an imported run: f32, or bf16 where the device computes in it
    /// (CUDA, and the CPU backend).
    #[arg(long, default_value = "f32", requires = "generator")]
    pub dtype: String,
    /// Start the imported generator from random weights of its config.json's shape (its folder needs
    /// only config.json and tokenizer.json): for timing and memory of a model size.
    #[arg(long, requires = "generator")]
    pub random_init: bool,
    /// Print the run's memory plan for the imported models and stop.
    #[arg(long, requires = "generator")]
    pub plan_only: bool,
    /// LoRA's alpha (the update is scaled by alpha / rank).
    #[arg(long, default_value_t = 16.0, requires = "lora_rank")]
    pub lora_alpha: f64,
    /// The run settings (as `gapo run`); with --data, --steps, --set sft.batch=… and --set sft.lr=… apply.
    #[command(flatten)]
    pub run: RunArgs,
}

/// The (prompt, response) pairs SFT learns from: the preferred side of each row.
fn sft_pairs(rows: &[Row], separator: &str, source: &str) -> Result<Vec<(String, String)>> {
    Ok(data_rows(rows, separator, source)?.into_iter().map(|r| (r.prompt, r.response)).collect())
}

/// `gapo train`: resume a run folder, train on a data file, or (with neither) the built-in task as `gapo run`.
pub fn run(args: TrainArgs, choice: BackendChoice, seed: Option<u64>) -> Result<()> {
    if let Some(dir) = &args.resume {
        let hooks = crate::run::exercise_solutions(args.run.use_exercise_solutions);
        return crate::run::resume(dir, choice, args.run.checkpoint_every, &args.run.set, hooks);
    }
    // Every method but SFT on the preset's models trains on a task: the data file's rows when given (their
    // prompts must be ones the checkers read), else the built-in one.
    let mut config = args.run.config(seed)?;
    // `train --data FILE` alone is SFT on the file (as before methods could train on data files).
    if args.data.is_some() && args.generator.is_none() && args.run.algo.is_none() && args.run.config.is_none() {
        config.algo = Algo::Sft;
    }
    let data_args = match &args.data {
        Some(path) if args.generator.is_some() || config.algo != Algo::Sft => {
            Some(DataArgs { path: path.clone(), format: args.format.clone(), separator: args.separator.clone() })
        }
        _ => None,
    };
    let task = data_args.as_ref().map(|d| task_from_file(d, &config)).transpose()?;
    if let Some(generator) = &args.generator {
        let hf = HfArgs {
            generator: generator.clone(),
            discriminator: args.discriminator.clone(),
            max_len: args.max_len,
            pooling: args.pooling.clone(),
            lora: args.lora_rank.map(|r| (r, args.lora_alpha)),
            dtype: args.dtype.clone(),
            random_init: args.random_init,
            plan_only: args.plan_only,
        };
        let hooks = crate::run::exercise_solutions(args.run.use_exercise_solutions);
        return crate::hf_cmd::run(hf, &args.run, choice, seed, task, data_args, hooks);
    }
    if let (Some(task), Some(data)) = (task, data_args) {
        let hooks = crate::run::exercise_solutions(args.run.use_exercise_solutions);
        let device = device_for(choice)?;
        println!("device: {}", describe(choice, &device));
        let sources = RunSources { imported: None, data: Some(data) };
        let inputs = Inputs { task: Some(task), models: None, hooks };
        return crate::run::start(config, inputs, sources, None, device, &args.run);
    }
    let Some(data) = &args.data else {
        return crate::run::run(args.run, choice, seed);
    };
    // SFT on the preset's generator reads any text: no checker needed.
    let source = data.display().to_string();
    let format = args.format.as_deref().map(str::parse::<Format>).transpose()?;
    let bytes = std::fs::read(data).with_context(|| format!("reading {source}"))?;
    let data = read_jsonl(&bytes, &source, format)?;
    let pairs = sft_pairs(&data.rows, &args.separator, &source)?;
    println!(
        "{source}: {} rows of format {}, {} preferred (prompt, response) pairs",
        data.rows.len(),
        data.format,
        pairs.len()
    );

    let preset = config.model_preset()?;
    let device = device_for(choice)?;
    device.seed(config.seed);
    let corpus: Vec<&str> = pairs.iter().flat_map(|(p, r)| [p.as_str(), r.as_str()]).collect();
    let tokenizer = GapoTokenizer::train(&corpus, preset.tokenizer.vocab_size)?;
    let gen_cfg = preset.generator_config(tokenizer.vocab_size());
    let train_device = device.autodiff();
    let settings =
        SftSettings { steps: config.sft.steps, batch: config.sft.batch, lr: config.sft.lr, seed: config.seed };
    let mut metrics = String::new();
    let generator =
        train_sft(gen_cfg.init(&train_device), &tokenizer, &pairs, &settings, &train_device, |step, loss| {
            metrics.push_str(&format!("{{\"step\":{step},\"loss/sft\":{loss}}}\n"));
            if step % 50 == 0 || step + 1 == settings.steps {
                println!("sft step {step:>4}/{}  loss/sft {loss:.4}", settings.steps);
            }
        })?;
    let out = &args.run.out;
    let save =
        |name: &str, bytes: &[u8]| write_atomic(&out.join(name), bytes).with_context(|| format!("saving {name}"));
    save("tokenizer.json", tokenizer.to_json()?.as_bytes())?;
    save(
        "generator.safetensors",
        &checkpoint::to_bytes(&generator.valid(), "generator", &serde_json::to_string(&gen_cfg)?)?,
    )?;
    save("metrics.jsonl", metrics.as_bytes())?;
    println!("files in {}/", out.display());
    Ok(())
}
