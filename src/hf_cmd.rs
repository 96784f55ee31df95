//! `gapo train --generator DIR [--discriminator DIR]`: the same run as `gapo run`, with a Hugging Face
//! decoder (Qwen2/Llama) as the generator and a BERT/RoBERTa encoder as the discriminator's backbone,
//! each read from its folder (config.json, model.safetensors or shards, tokenizer.json). The tuned
//! generator is written back as a Hugging Face folder, `OUT/generator/`. `OUT/sources.json` records the
//! folders and options, so `train --resume OUT` can build the same models again and load the snapshot.

use crate::sources::{DataArgs, HfArgs, RunSources, SOURCES_FILE, device_with_dtype, load_models};
use anyhow::{Context, Result};
use gapo_core::device::{BackendChoice, describe};
use gapo_core::session::Session;
use gapo_core::task::TaskData;

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
