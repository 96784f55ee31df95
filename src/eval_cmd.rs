//! `gapo eval --run DIR`: reload a run's generator and tokenizer (the built-in model, or the Hugging Face
//! folder an imported run writes) and score it again on the run's held-out prompts (its task rebuilt from
//! its config and sources, so they are the same prompts), printing the table per constraint kind and the
//! mistakes.

use crate::run_folder::RunFolder;
use anyhow::Result;
use clap::Args;
use futures_lite::future::block_on;
use gapo_core::device::{BackendChoice, device_for};
use gapo_core::generation::complete;
use gapo_core::model::sampling::SamplingConfig;
use gapo_core::task::evaluate;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct EvalArgs {
    /// A run folder written by `gapo run` or `gapo train` (config.json, the generator and its tokenizer).
    #[arg(long)]
    pub run: PathBuf,
    /// How many mistakes to print.
    #[arg(long, default_value_t = 5)]
    pub mistakes: usize,
}

pub fn run(args: EvalArgs, choice: BackendChoice) -> Result<()> {
    let folder = RunFolder::new(&args.run);
    let config = folder.read_config()?;
    let sources = folder.read_sources()?;
    let device = device_for(choice)?;
    let (generator, tokenizer) = folder.load_generator(&sources, &device)?;
    let task = folder.read_task(&config, &sources)?;
    let prompts: Vec<String> = task.eval.iter().map(|e| e.prompt.clone()).collect();
    let greedy = SamplingConfig::new().with_greedy(true);
    let e = &config.eval;
    let responses = block_on(complete(&generator, &tokenizer, &prompts, e.max_new_tokens, &greedy, e.batch, &device))?;
    let report = evaluate(&task.eval, &responses);
    crate::run::print_report("evaluation", &report);
    crate::run::print_kinds_and_mistakes(&report, args.mistakes);
    Ok(())
}
