//! `gapo train`: `--resume DIR` continues a killed run exactly; `--data FILE` trains on a user's jsonl file
//! in any supported format (for now SFT: the preferred side of every row — chosen / label true / label 1 /
//! the `chosen` text of a GAPO row — is the target); with neither it is `gapo run`.

use crate::atomic::write_atomic;
use crate::run::RunArgs;
use crate::sft_train::{SftSettings, train_sft};
use anyhow::{Context, Result, bail};
use burn::module::Module;
use clap::Args;
use gapo_core::checkpoint;
use gapo_core::config::ModelPreset;
use gapo_core::data::jsonl::{Format, GAPO_SEPARATOR, Row, read_jsonl, split_gapo_text};
use gapo_core::device::{BackendChoice, device_for};
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
    /// LoRA's alpha (the update is scaled by alpha / rank).
    #[arg(long, default_value_t = 16.0, requires = "lora_rank")]
    pub lora_alpha: f64,
    /// The run settings (as `gapo run`); with --data, --steps, --set sft.batch=… and --set sft.lr=… apply.
    #[command(flatten)]
    pub run: RunArgs,
}

/// The (prompt, response) pairs SFT learns from: the preferred side of each row.
fn sft_pairs(rows: &[Row], separator: &str, source: &str) -> Result<Vec<(String, String)>> {
    let mut pairs = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        match row {
            Row::Preference { prompt, chosen, .. } => pairs.push((prompt.clone(), chosen.clone())),
            Row::Unpaired { prompt, completion, label: true } => pairs.push((prompt.clone(), completion.clone())),
            Row::Pointwise { prompt, response, label: 1 } => pairs.push((prompt.clone(), response.clone())),
            Row::Gapo { chosen, .. } => {
                let Some((prompt, response)) = split_gapo_text(chosen, separator) else {
                    bail!(
                        "{source}: row {}: field `chosen` has no separator {separator:?} between prompt and response",
                        i + 1
                    );
                };
                let prompt = prompt.strip_suffix(separator).unwrap_or(prompt).trim_end();
                pairs.push((prompt.to_string(), response.trim_start().to_string()));
            }
            _ => {}
        }
    }
    anyhow::ensure!(!pairs.is_empty(), "{source}: no preferred rows to learn from");
    Ok(pairs)
}

/// `gapo train`: resume a run folder, train on a data file, or (with neither) the built-in task as `gapo run`.
pub fn run(args: TrainArgs, choice: BackendChoice, seed: Option<u64>) -> Result<()> {
    crate::run::install_exercise_solutions(args.run.use_exercise_solutions);
    if let Some(dir) = &args.resume {
        return crate::run::resume(dir, choice, args.run.checkpoint_every, &args.run.set);
    }
    if let Some(generator) = &args.generator {
        if let Some(data) = &args.data {
            bail!(
                "--data {} with --generator: imported models train on the built-in task so far; leave out --data",
                data.display()
            );
        }
        let hf = crate::hf_cmd::HfArgs {
            generator,
            discriminator: args.discriminator.as_deref(),
            max_len: args.max_len,
            pooling: &args.pooling,
            lora: args.lora_rank.map(|r| (r, args.lora_alpha)),
        };
        return crate::hf_cmd::run(hf, &args.run, choice, seed);
    }
    let Some(data) = &args.data else {
        let run = crate::run::RunArgs { use_exercise_solutions: false, ..args.run };
        return crate::run::run(run, choice, seed);
    };
    if let Some(algo) = args.run.algo.as_deref().filter(|a| *a != "sft") {
        bail!(
            "--algo {algo} with --data: only sft trains on a data file so far; the other methods run on the built-in task (leave out --data)"
        );
    }
    let config = args.run.config(seed)?;
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

    let preset = ModelPreset::named(&config.preset)?;
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
