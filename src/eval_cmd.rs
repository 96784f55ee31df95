//! `gapo eval --run DIR`: reload a run's tokenizer and generator and score it again on the built-in task's
//! held-out prompts (rebuilt from the run's config, so they are the same prompts), printing the table per
//! constraint kind and the mistakes.

use anyhow::{Context, Result};
use clap::Args;
use futures_lite::future::block_on;
use gapo_core::checkpoint;
use gapo_core::device::{BackendChoice, device_for};
use gapo_core::generation::complete;
use gapo_core::model::GeneratorConfig;
use gapo_core::model::sampling::SamplingConfig;
use gapo_core::session::RunConfig;
use gapo_core::task::{TaskConfig, TaskData, evaluate};
use gapo_core::tokenizer::GapoTokenizer;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct EvalArgs {
    /// A run folder written by `gapo run` (config.json, tokenizer.json, generator.safetensors).
    #[arg(long)]
    pub run: PathBuf,
    /// How many mistakes to print.
    #[arg(long, default_value_t = 5)]
    pub mistakes: usize,
}

pub fn run(args: EvalArgs, choice: BackendChoice) -> Result<()> {
    let read = |name: &str| {
        let path = args.run.join(name);
        std::fs::read(&path).with_context(|| format!("reading {}", path.display()))
    };
    let config_path = args.run.join("config.json").display().to_string();
    let config: RunConfig = serde_json::from_slice(&read("config.json")?)
        .with_context(|| format!("{config_path}: not a gapo run config"))?;
    let tokenizer_path = args.run.join("tokenizer.json").display().to_string();
    let tokenizer = GapoTokenizer::from_json(&read("tokenizer.json")?, &tokenizer_path)?;
    let generator_path = args.run.join("generator.safetensors").display().to_string();
    let bytes = read("generator.safetensors")?;
    let info = checkpoint::read_info(&bytes, &generator_path)?;
    let gen_cfg: GeneratorConfig =
        serde_json::from_str(&info.config_json).with_context(|| format!("{generator_path}: bad gapo.config"))?;
    let device = device_for(choice)?;
    let generator = checkpoint::load_bytes(gen_cfg.init(&device), bytes, "generator", &generator_path)?;
    let task = TaskData::build(&TaskConfig { seed: config.seed, ..config.task.clone() })?;
    let prompts: Vec<String> = task.eval.iter().map(|e| e.prompt.clone()).collect();
    let greedy = SamplingConfig::new().with_greedy(true);
    let responses = block_on(complete(
        &generator,
        &tokenizer,
        &prompts,
        config.eval.max_new_tokens,
        &greedy,
        config.eval.batch,
        &device,
    ))?;
    let report = evaluate(&task.eval, &responses);
    crate::run::print_report("evaluation", &report);
    println!("\n{:<14} {:>10} {:>10}", "kind", "instr.", "prompt");
    for (kind, s) in &report.per_kind {
        println!("{kind:<14} {:>10.3} {:>10.3}", s.instruction_strict(), s.prompt_strict());
    }
    for m in report.mistakes.iter().take(args.mistakes) {
        println!("\n  prompt:   {}", m.prompt.replace('\n', " | "));
        println!("  response: {}", m.response.replace('\n', " | "));
        for (kind, why) in &m.failed {
            println!("    ✗ {kind}: {why}");
        }
    }
    Ok(())
}
