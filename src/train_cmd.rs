//! `gapo train`: `--resume DIR` continues a killed run exactly; `--data FILE` trains on a user's jsonl file
//! in any supported format: SFT on the preferred side of every row (any text, `TaskData::text_only`), or
//! any other method on the rows as a task, whose prompts must be ones the checkers read
//! (`TaskData::from_rows`); every one runs through the same `Session` as `gapo run`;
//! `--generator DIR [--discriminator DIR]` runs with Hugging Face models (`hf_cmd.rs`; what a run was started from: `sources.rs`); with none of
//! these it is `gapo run`.

use crate::run::RunArgs;
use crate::sources::{DataArgs, HfArgs, RunSources, task_from_file};
use anyhow::Result;
use clap::Args;
use gapo_core::data::jsonl::GAPO_SEPARATOR;
use gapo_core::device::{BackendChoice, describe, device_for};
use gapo_core::session::{Algo, Inputs};
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

/// `gapo train`: resume a run folder, train on a data file, or (with neither) the built-in task as `gapo run`.
pub fn run(args: TrainArgs, choice: BackendChoice, seed: Option<u64>) -> Result<()> {
    if let Some(dir) = &args.resume {
        let hooks = crate::run::exercise_solutions(args.run.use_exercise_solutions);
        return crate::run::resume(dir, choice, args.run.checkpoint_every, &args.run.set, hooks);
    }
    // Every method but SFT on the preset's models trains on a task: the data file's rows when given (their
    // prompts must be ones the checkers read), else the built-in one. SFT on the preset's generator reads
    // any text: its task is the file's pairs alone (`TaskData::text_only`).
    let mut config = args.run.config(seed)?;
    // `train --data FILE` alone is SFT on the file.
    if args.data.is_some() && args.generator.is_none() && args.run.algo.is_none() && args.run.config.is_none() {
        config.algo = Algo::Sft;
    }
    let data_args = args.data.as_ref().map(|path| DataArgs {
        path: path.clone(),
        format: args.format.clone(),
        separator: args.separator.clone(),
        text_only: args.generator.is_none() && config.algo == Algo::Sft,
    });
    let task = data_args.as_ref().map(|d| task_from_file(d, &config)).transpose()?;
    let hooks = crate::run::exercise_solutions(args.run.use_exercise_solutions);
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
        return crate::hf_cmd::run(hf, &args.run, choice, seed, task, data_args, hooks);
    }
    let Some(data) = data_args else {
        return crate::run::run(args.run, choice, seed);
    };
    let device = device_for(choice)?;
    println!("device: {}", describe(choice, &device));
    let sources = RunSources { imported: None, data: Some(data) };
    let inputs = Inputs { task, models: None, hooks };
    crate::run::start(config, inputs, sources, None, device, &args.run)
}
