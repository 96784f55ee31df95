//! `gapo data …`: export the built-in task in other tools' formats, check a jsonl file, and measure how
//! long prompts and responses are in tokens.

use crate::atomic::write_atomic;
use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use gapo_core::data::export::{Pairs, export_rows};
use gapo_core::data::jsonl::{Format, read_jsonl, write_jsonl};
use gapo_core::task::{TaskConfig, TaskData};
use gapo_core::tokenizer::GapoTokenizer;
use std::path::PathBuf;

#[derive(Subcommand, Debug)]
pub enum DataCommand {
    /// Write the built-in task's training pairs as jsonl.
    Export(ExportArgs),
    /// Read a jsonl file and report its format and size, or the first bad row.
    Check(CheckArgs),
    /// Token lengths of the built-in task's prompts and responses for a few vocabulary sizes.
    Stats(StatsArgs),
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// trl-pref | kto | pointwise | gapo
    #[arg(long)]
    pub format: String,
    #[arg(long)]
    pub out: PathBuf,
    /// pp: preferential prompts (same response, changed prompt); pr: preferential responses. Default: pp,
    /// except trl-pref, which can only hold pr.
    #[arg(long)]
    pub pairs: Option<String>,
    /// Training examples to export.
    #[arg(long, default_value_t = 2000)]
    pub n: usize,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    pub file: PathBuf,
    /// Expect this format instead of detecting it.
    #[arg(long)]
    pub format: Option<String>,
}

#[derive(Args, Debug)]
pub struct StatsArgs {
    #[arg(long, default_value_t = 2000)]
    pub n: usize,
}

pub fn run(cmd: DataCommand, seed: u64) -> Result<()> {
    match cmd {
        DataCommand::Export(a) => {
            let format: Format = a.format.parse()?;
            let pairs: Pairs = match &a.pairs {
                Some(p) => p.parse()?,
                None if format == Format::TrlPref => Pairs::Response,
                None => Pairs::Prompt,
            };
            let task = TaskData::build(&TaskConfig { n_train: a.n, n_eval: 1, seed, ..TaskConfig::default() })?;
            let rows = export_rows(&task.train, format, pairs)?;
            write_atomic(&a.out, write_jsonl(&rows).as_bytes())
                .with_context(|| format!("writing {}", a.out.display()))?;
            println!("wrote {} {} rows ({:?} pairs) to {}", rows.len(), format, pairs, a.out.display());
        }
        DataCommand::Check(a) => {
            let format = a.format.as_deref().map(str::parse::<Format>).transpose()?;
            let bytes = std::fs::read(&a.file).with_context(|| format!("reading {}", a.file.display()))?;
            let data = read_jsonl(&bytes, &a.file.display().to_string(), format)?;
            println!("{}: {} rows, format {}", a.file.display(), data.rows.len(), data.format);
        }
        DataCommand::Stats(a) => {
            let task = TaskData::build(&TaskConfig { n_train: a.n, n_eval: 200, seed, ..TaskConfig::default() })?;
            let corpus: Vec<&str> =
                task.train.iter().flat_map(|t| [t.example.prompt.as_str(), t.example.response.as_str()]).collect();
            println!(
                "{:>6} {:>22} {:>22} {:>22}",
                "vocab", "prompt tokens mean/max", "response mean/max", "held-out prompt mean/max"
            );
            for vocab in [512, 1024, 2048] {
                let tok = GapoTokenizer::train(&corpus, vocab)?;
                let lens = |texts: Vec<&str>, extra: usize| -> Result<(f64, usize)> {
                    let ls: Vec<usize> = texts
                        .iter()
                        .map(|t| tok.encode(t).map(|v| v.len() + extra))
                        .collect::<gapo_core::Result<_>>()?;
                    Ok((ls.iter().sum::<usize>() as f64 / ls.len() as f64, ls.into_iter().max().unwrap_or(0)))
                };
                // [BOS] prompt [SEP] and response [EOS], as the generator sees them.
                let p = lens(task.train.iter().map(|t| t.example.prompt.as_str()).collect(), 2)?;
                let r = lens(task.train.iter().map(|t| t.example.response.as_str()).collect(), 1)?;
                let e = lens(task.eval.iter().map(|e| e.prompt.as_str()).collect(), 2)?;
                println!(
                    "{:>6} {:>22} {:>22} {:>22}",
                    tok.vocab_size(),
                    format!("{:.1} / {}", p.0, p.1),
                    format!("{:.1} / {}", r.0, r.1),
                    format!("{:.1} / {}", e.0, e.1)
                );
            }
        }
    }
    Ok(())
}
