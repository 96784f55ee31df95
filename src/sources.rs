//! What a run was started from besides its config, and how to read it again: imported Hugging Face folders
//! (`train --generator DIR [--discriminator DIR]`) and a user's data file (`train --data FILE`). A run
//! records them in `OUT/sources.json`, so that `train --resume OUT` builds the same models and task.

use anyhow::{Context, Result, bail};
use burn::tensor::FloatDType;
use gapo_core::data::jsonl::{Format, Row, read_jsonl, split_gapo_text};
use gapo_core::device::{BackendChoice, device_for};
use gapo_core::hf::memory::{self, RunShape};
use gapo_core::hf::{self, DecoderSpec, EncoderSpec, HfDecoder, HfEncoder, HfSource, Weights};
use gapo_core::model::Pooling;
use gapo_core::players::HfDiscriminator;
use gapo_core::session::{ImportedModels, RunConfig};
use gapo_core::task::{DataRow, TaskConfig, TaskData};
use std::path::PathBuf;

/// A Hugging Face folder on disk.
pub struct DirSource(pub PathBuf);

impl HfSource for DirSource {
    fn label(&self) -> String {
        self.0.display().to_string()
    }
    fn read(&self, name: &str) -> gapo_core::Result<Option<Vec<u8>>> {
        match std::fs::read(self.0.join(name)) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(self.error(name, e.to_string())),
        }
    }
}

/// What an imported run was started with; written to `OUT/sources.json` so that `train --resume` can hand
/// the same models (and the data file's task) to the restore.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct HfArgs {
    pub generator: PathBuf,
    pub discriminator: Option<PathBuf>,
    pub max_len: usize,
    pub pooling: String,
    pub lora: Option<(usize, f64)>,
    pub dtype: String,
    pub random_init: bool,
    #[serde(skip)]
    pub plan_only: bool,
}

/// A data file and how to read it (`train --data`).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct DataArgs {
    pub path: PathBuf,
    pub format: Option<String>,
    pub separator: String,
    /// SFT on the preset's generator: the rows' preferred (prompt, response) pairs as any text, all of
    /// them trained on, none checked (`TaskData::text_only`).
    #[serde(default)]
    pub text_only: bool,
}

/// `OUT/sources.json`: the models and data a run needs besides its snapshot.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunSources {
    pub imported: Option<HfArgs>,
    pub data: Option<DataArgs>,
}

pub const SOURCES_FILE: &str = "sources.json";

/// The device for `hf_args.dtype`: bf16 is set before any tensor exists (the first one fixes it).
pub fn device_with_dtype(choice: BackendChoice, dtype: &str) -> Result<burn::tensor::Device> {
    let mut device = device_for(choice)?;
    match dtype {
        "f32" => {}
        "bf16" => {
            anyhow::ensure!(
                device.supports_dtype(FloatDType::BF16),
                "--dtype bf16: device {} does not compute in bf16",
                choice.name()
            );
            device.configure(FloatDType::BF16).map_err(|e| anyhow::anyhow!("--dtype bf16: {e:?}"))?;
        }
        other => anyhow::bail!("--dtype {other}: expected f32 or bf16"),
    }
    Ok(device)
}

/// Reads the folders (or, with `--random-init`, only their configs), prints the memory plan, and returns
/// the models with the generator's config.json; `None` with `--plan-only`.
pub fn load_models(
    hf_args: &HfArgs,
    config: &RunConfig,
    device: &burn::tensor::Device,
) -> Result<Option<(ImportedModels, serde_json::Value)>> {
    let device = device.clone();
    let g = DirSource(hf_args.generator.clone());
    let g_config = hf::read_config(&g)?;
    let spec = DecoderSpec::from_config(&g_config)?;
    let max_len = hf_args.max_len.min(spec.max_positions);
    println!(
        "generator: {} ({:?}, {:.1}M parameters, {} layers, {}/{} heads), run at up to {max_len} tokens",
        g.label(),
        spec.family,
        spec.num_params() as f64 / 1e6,
        spec.n_layers,
        spec.n_heads,
        spec.n_kv_heads,
    );
    let d_source = hf_args.discriminator.as_ref().map(|dir| DirSource(dir.clone()));
    let d_config = d_source.as_ref().map(|d| hf::read_config(d)).transpose()?;
    let d_spec = d_config.as_ref().map(EncoderSpec::from_config).transpose()?;
    let shape = RunShape {
        float_bytes: if hf_args.dtype == "bf16" { 2 } else { 4 },
        micro_batch: if config.ppo.micro_batch > 0 { config.ppo.micro_batch } else { config.ppo.minibatch },
        seq_len: max_len,
        lora_rank: hf_args.lora.map(|(r, _)| r),
    };
    println!(
        "memory plan (hf/memory.rs; activations estimated):\n{}",
        memory::plan(&spec, d_spec.as_ref(), &shape).describe()
    );
    if hf_args.plan_only {
        return Ok(None);
    }
    let mut generator = if hf_args.random_init {
        println!("generator: random weights of this shape (--random-init)");
        HfDecoder::init(&spec, &device)
    } else {
        HfDecoder::load(&spec, &Weights::read(&g)?, &device)?
    };
    generator.max_len = max_len;
    let tokenizer = hf::tokenize::decoder_tokenizer(&g, &g_config)?;
    let discriminator = match (d_source, d_config, d_spec) {
        (Some(d), Some(d_config), Some(spec)) => {
            let encoder = HfEncoder::load(&spec, &Weights::read(&d)?, &device)?;
            let pooling = match hf_args.pooling.as_str() {
                "first" => Pooling::First,
                "last" => Pooling::Last,
                "mean" => Pooling::Mean,
                "pair" => Pooling::Pair,
                other => anyhow::bail!("--pooling {other}: expected first, last, mean or pair"),
            };
            println!(
                "discriminator: {} ({:?}, {} layers, width {}), pooling {}",
                d.label(),
                spec.family,
                spec.n_layers,
                spec.hidden_size,
                hf_args.pooling
            );
            Some(HfDiscriminator::new(encoder, hf::tokenize::encoder_tokenizer(&d, &d_config)?, pooling, &device))
        }
        _ => None,
    };
    Ok(Some((ImportedModels { generator, tokenizer, discriminator, lora: hf_args.lora }, g_config)))
}

/// A GAPO row's text split into (prompt, response) at the separator, or an error naming row and field.
fn split_gapo(text: &str, separator: &str, source: &str, row: usize, field: &str) -> Result<(String, String)> {
    let Some((prompt, response)) = split_gapo_text(text, separator) else {
        bail!("{source}: row {row}: field `{field}` has no separator {separator:?} between prompt and response");
    };
    let prompt = prompt.strip_suffix(separator).unwrap_or(prompt).trim_end();
    Ok((prompt.to_string(), response.trim_start().to_string()))
}

/// The rows as the task's rows: the preferred (prompt, response) of each, with the rejected prompt of a
/// GAPO row and the rejected response of a preference row. Rows with only a rejected side are skipped.
pub(crate) fn data_rows(rows: &[Row], separator: &str, source: &str) -> Result<Vec<DataRow>> {
    let mut out = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let line = i + 1;
        let plain = |prompt: &String, response: &String| DataRow {
            line,
            prompt: prompt.clone(),
            response: response.clone(),
            rejected_prompt: None,
            rejected_response: None,
        };
        match row {
            Row::Preference { prompt, chosen, rejected } => {
                out.push(DataRow { rejected_response: Some(rejected.clone()), ..plain(prompt, chosen) })
            }
            Row::Unpaired { prompt, completion, label: true } => out.push(plain(prompt, completion)),
            Row::Pointwise { prompt, response, label: 1 } => out.push(plain(prompt, response)),
            Row::Gapo { chosen, reject } => {
                let (prompt, response) = split_gapo(chosen, separator, source, line, "chosen")?;
                let (rejected_prompt, _) = split_gapo(reject, separator, source, line, "reject")?;
                out.push(DataRow { rejected_prompt: Some(rejected_prompt), ..plain(&prompt, &response) });
            }
            _ => {}
        }
    }
    anyhow::ensure!(!out.is_empty(), "{source}: no preferred rows to learn from");
    Ok(out)
}

/// A data file's rows as the run's task (`TaskData::from_rows`, or `TaskData::text_only` for SFT on any
/// text), with `config`'s seed and held-out count.
pub fn task_from_file(data: &DataArgs, config: &RunConfig) -> Result<TaskData> {
    let source = data.path.display().to_string();
    let format = data.format.as_deref().map(str::parse::<Format>).transpose()?;
    let bytes = std::fs::read(&data.path).with_context(|| format!("reading {source}"))?;
    let file = read_jsonl(&bytes, &source, format)?;
    let rows = data_rows(&file.rows, &data.separator, &source)?;
    let task_config = TaskConfig { seed: config.seed, ..config.task.clone() };
    if data.text_only {
        let pairs: Vec<(String, String)> = rows.into_iter().map(|r| (r.prompt, r.response)).collect();
        println!(
            "{source}: {} rows of format {}, {} preferred (prompt, response) pairs",
            file.rows.len(),
            file.format,
            pairs.len()
        );
        return Ok(TaskData::text_only(&pairs, &task_config, &source)?);
    }
    let task = TaskData::from_rows(&rows, &task_config, &source)?;
    println!(
        "{source}: {} rows of format {}; {} train, {} held out for the checker",
        file.rows.len(),
        file.format,
        task.train.len(),
        task.eval.len()
    );
    Ok(task)
}
