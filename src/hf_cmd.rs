//! `gapo train --generator DIR [--discriminator DIR]`: the same run as `gapo run`, with a Hugging Face
//! decoder (Qwen2/Llama) as the generator and a BERT/RoBERTa encoder as the discriminator's backbone,
//! each read from its folder (config.json, model.safetensors or shards, tokenizer.json). The tuned
//! generator is written back as a Hugging Face folder, `OUT/generator/`. `OUT/sources.json` records the
//! folders and options, so `train --resume OUT` can build the same models again and load the snapshot.

use anyhow::{Context, Result};
use burn::tensor::FloatDType;
use gapo_core::device::{BackendChoice, describe, device_for};
use gapo_core::hf::memory::{self, RunShape};
use gapo_core::hf::{self, DecoderSpec, EncoderSpec, HfDecoder, HfEncoder, HfSource, Weights};
use gapo_core::model::{HfDiscriminator, Pooling};
use gapo_core::session::{ImportedModels, Session};
use gapo_core::task::TaskData;
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

/// `task`: a data file's task, else the built-in one.
pub fn run(
    hf_args: HfArgs,
    run: &crate::run::RunArgs,
    choice: BackendChoice,
    seed: Option<u64>,
    task: Option<TaskData>,
    data: Option<DataArgs>,
) -> Result<()> {
    let config = run.config(seed)?;
    let device = device_with_dtype(choice, &hf_args.dtype)?;
    println!("device: {} ({})", describe(choice, &device), hf_args.dtype);
    let Some((models, g_config)) = load_models(&hf_args, &config, &device)? else {
        return Ok(()); // --plan-only
    };
    let session = Session::with_imported(config.clone(), device, models, task)?;
    crate::atomic::write_atomic(&run.out.join("config.json"), serde_json::to_string_pretty(&config)?.as_bytes())
        .context("saving config.json")?;
    let sources = RunSources { imported: Some(hf_args), data };
    crate::atomic::write_atomic(&run.out.join(SOURCES_FILE), serde_json::to_string_pretty(&sources)?.as_bytes())
        .context("saving sources.json")?;
    crate::run::drive(session, &run.out, run.checkpoint_every, String::new(), Some(g_config))
}

/// Reads the folders (or, with `--random-init`, only their configs), prints the memory plan, and returns
/// the models with the generator's config.json; `None` with `--plan-only`.
pub fn load_models(
    hf_args: &HfArgs,
    config: &gapo_core::session::RunConfig,
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
