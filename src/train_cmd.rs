//! `gapo train --data FILE`: train on a user's jsonl file in any supported format. For now the SFT step:
//! the preferred side of every row (chosen / label true / label 1 / the `chosen` text of a GAPO row) is
//! the target. The preference-based methods arrive with the methods issue.

use crate::atomic::write_atomic;
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
    /// A jsonl file: trl-pref, kto, pointwise or gapo rows.
    #[arg(long)]
    pub data: PathBuf,
    /// Expect this format instead of detecting it from the first row.
    #[arg(long)]
    pub format: Option<String>,
    /// The training method. Available now: sft.
    #[arg(long, default_value = "sft")]
    pub algo: String,
    /// Separator between prompt and response in gapo rows.
    #[arg(long, default_value = GAPO_SEPARATOR)]
    pub separator: String,
    #[arg(long, default_value = "tiny")]
    pub preset: String,
    #[arg(long, default_value_t = 200)]
    pub steps: usize,
    #[arg(long, default_value_t = 16)]
    pub batch: usize,
    #[arg(long, default_value_t = 2e-3)]
    pub lr: f64,
    #[arg(long, default_value = "runs/train")]
    pub out: PathBuf,
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

pub fn run(args: TrainArgs, choice: BackendChoice, seed: u64) -> Result<()> {
    if args.algo != "sft" {
        bail!(
            "--algo {}: not available yet; this build trains sft only (the other methods come with the methods issue)",
            args.algo
        );
    }
    let source = args.data.display().to_string();
    let format = args.format.as_deref().map(str::parse::<Format>).transpose()?;
    let bytes = std::fs::read(&args.data).with_context(|| format!("reading {source}"))?;
    let data = read_jsonl(&bytes, &source, format)?;
    let pairs = sft_pairs(&data.rows, &args.separator, &source)?;
    println!(
        "{source}: {} rows of format {}, {} preferred (prompt, response) pairs",
        data.rows.len(),
        data.format,
        pairs.len()
    );

    let preset = ModelPreset::named(&args.preset)?;
    let device = device_for(choice)?;
    device.seed(seed);
    let corpus: Vec<&str> = pairs.iter().flat_map(|(p, r)| [p.as_str(), r.as_str()]).collect();
    let tokenizer = GapoTokenizer::train(&corpus, preset.tokenizer.vocab_size)?;
    let gen_cfg = preset.generator_config(tokenizer.vocab_size());
    let train_device = device.autodiff();
    let settings = SftSettings { steps: args.steps, batch: args.batch, lr: args.lr, seed };
    let mut metrics = String::new();
    let generator =
        train_sft(gen_cfg.init(&train_device), &tokenizer, &pairs, &settings, &train_device, |step, loss| {
            metrics.push_str(&format!("{{\"step\":{step},\"loss/sft\":{loss}}}\n"));
            if step % 50 == 0 || step + 1 == args.steps {
                println!("sft step {step:>4}/{}  loss/sft {loss:.4}", args.steps);
            }
        })?;
    let out = &args.out;
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
