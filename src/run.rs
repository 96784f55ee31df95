//! The default job (`cargo run --release`): the built-in constraint task, a tokenizer trained on it, the
//! generator trained by SFT on the reference responses, and an evaluation on held-out prompts by the exact
//! checkers, before and after. GAPO's stages build on this SFT start.

use crate::atomic::write_atomic;
use crate::sft_train::{SftSettings, train_sft};
use anyhow::{Context, Result};
use burn::module::Module;
use clap::Args;
use gapo_core::checkpoint;
use gapo_core::config::ModelPreset;
use gapo_core::device::{BackendChoice, describe, device_for};
use gapo_core::generation::complete;
use gapo_core::model::Generator;
use gapo_core::model::sampling::SamplingConfig;
use gapo_core::task::{EvalReport, Example, TaskConfig, TaskData, evaluate};
use gapo_core::tokenizer::GapoTokenizer;
use std::path::PathBuf;
use std::time::Instant;

#[derive(Args, Debug, Clone)]
pub struct RunArgs {
    /// Model sizes: tiny | small | bench.
    #[arg(long, default_value = "tiny")]
    pub preset: String,
    /// SFT optimizer steps.
    #[arg(long, default_value_t = 400)]
    pub steps: usize,
    /// Sequences per step.
    #[arg(long, default_value_t = 16)]
    pub batch: usize,
    #[arg(long, default_value_t = 2e-3)]
    pub lr: f64,
    /// Training examples of the built-in task.
    #[arg(long, default_value_t = 2000)]
    pub n_train: usize,
    /// Held-out prompts evaluated.
    #[arg(long, default_value_t = 100)]
    pub n_eval: usize,
    /// Folder for the run's files.
    #[arg(long, default_value = "runs/latest")]
    pub out: PathBuf,
}

impl Default for RunArgs {
    fn default() -> Self {
        Self {
            preset: "tiny".into(),
            steps: 400,
            batch: 16,
            lr: 2e-3,
            n_train: 2000,
            n_eval: 100,
            out: "runs/latest".into(),
        }
    }
}

/// Greedy completions of the held-out prompts, scored by the checkers.
pub fn evaluate_generator(
    generator: &Generator,
    tokenizer: &GapoTokenizer,
    eval: &[Example],
    device: &burn::tensor::Device,
) -> Result<(EvalReport, Vec<String>)> {
    let prompts: Vec<String> = eval.iter().map(|e| e.prompt.clone()).collect();
    let max_new = 48.min(generator.max_seq_len / 3);
    let greedy = SamplingConfig::new().with_greedy(true);
    let responses = futures_lite::future::block_on(complete(
        generator, tokenizer, &prompts, max_new, &greedy, 32, device,
    ))?;
    Ok((evaluate(eval, &responses), responses))
}

pub fn print_report(label: &str, r: &EvalReport) {
    println!(
        "{label}: prompt-level strict {:.3}, instruction-level strict {:.3} on {} held-out prompts",
        r.prompt_strict, r.instruction_strict, r.prompts
    );
}

pub fn run(args: RunArgs, choice: BackendChoice, seed: u64) -> Result<()> {
    let started = Instant::now();
    let preset = ModelPreset::named(&args.preset)?;
    let device = device_for(choice)?;
    device.seed(seed);
    println!("device: {}", describe(choice, &device));

    let task = TaskData::build(&TaskConfig {
        n_train: args.n_train,
        n_eval: args.n_eval,
        seed,
        ..TaskConfig::default()
    })?;
    println!(
        "task: {} training examples (k = 1..{}), {} held-out prompts (unseen combinations, k up to {})",
        task.train.len(),
        task.config.k_max - 1,
        task.eval.len(),
        task.config.k_max
    );
    let corpus: Vec<&str> = task
        .train
        .iter()
        .flat_map(|t| {
            [
                t.example.prompt.as_str(),
                t.example.response.as_str(),
                t.rejected_prompt.prompt.as_str(),
            ]
        })
        .collect();
    let tokenizer = GapoTokenizer::train(&corpus, preset.tokenizer.vocab_size)?;
    println!(
        "tokenizer: byte-level BPE, {} entries",
        tokenizer.vocab_size()
    );

    let gen_cfg = preset.generator_config(tokenizer.vocab_size());
    let train_device = device.clone().autodiff();
    let generator = gen_cfg.init(&train_device);
    println!(
        "generator: {} parameters (preset {})",
        gen_cfg.num_params(),
        args.preset
    );
    let (before, _) = evaluate_generator(&generator.valid(), &tokenizer, &task.eval, &device)?;
    print_report("before SFT", &before);

    let pairs: Vec<(String, String)> = task
        .train
        .iter()
        .map(|t| (t.example.prompt.clone(), t.example.response.clone()))
        .collect();
    let settings = SftSettings {
        steps: args.steps,
        batch: args.batch,
        lr: args.lr,
        seed,
    };
    let mut metrics = String::new();
    let generator = train_sft(
        generator,
        &tokenizer,
        &pairs,
        &settings,
        &train_device,
        |step, loss| {
            metrics.push_str(&format!("{{\"step\":{step},\"loss/sft\":{loss}}}\n"));
            if step % 50 == 0 || step + 1 == args.steps {
                println!("sft step {step:>4}/{}  loss/sft {loss:.4}", args.steps);
            }
        },
    )?;
    let generator = generator.valid();
    let (after, responses) = evaluate_generator(&generator, &tokenizer, &task.eval, &device)?;
    print_report("after SFT", &after);
    println!("\n{:<14} {:>10} {:>10}", "kind", "instr.", "prompt");
    for (kind, s) in &after.per_kind {
        println!(
            "{kind:<14} {:>10.3} {:>10.3}",
            s.instruction_strict(),
            s.prompt_strict()
        );
    }
    if !after.mistakes.is_empty() {
        println!("\nsome mistakes:");
        for m in after.mistakes.iter().take(3) {
            println!("  prompt:   {}", m.prompt.replace('\n', " | "));
            println!("  response: {}", m.response.replace('\n', " | "));
            for (kind, why) in &m.failed {
                println!("    ✗ {kind}: {why}");
            }
        }
    }

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
    save("metrics.jsonl", metrics.as_bytes())?;
    let samples: String = task
        .eval
        .iter()
        .zip(&responses)
        .map(|(e, r)| {
            let verdicts: Vec<_> = e.constraints.iter().map(|c| serde_json::json!({"kind": c.kind().name(), "verdict": c.check(&e.product, r)})).collect();
            serde_json::json!({"prompt": e.prompt, "response": r, "constraints": verdicts}).to_string() + "\n"
        })
        .collect();
    save("samples.jsonl", samples.as_bytes())?;

    println!(
        "\n{:<10} {:>14} {:>18}",
        "model", "prompt-strict", "instruction-strict"
    );
    println!(
        "{:<10} {:>14.3} {:>18.3}",
        "init", before.prompt_strict, before.instruction_strict
    );
    println!(
        "{:<10} {:>14.3} {:>18.3}",
        "SFT", after.prompt_strict, after.instruction_strict
    );
    println!(
        "\nfinished in {:.1}s; files in {}/ (tokenizer.json, preset.toml, generator.safetensors, metrics.jsonl, samples.jsonl)",
        started.elapsed().as_secs_f64(),
        out.display()
    );
    Ok(())
}
