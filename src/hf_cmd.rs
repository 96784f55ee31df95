//! `gapo train --generator DIR [--discriminator DIR]`: the same run as `gapo run`, with a Hugging Face
//! decoder (Qwen2/Llama) as the generator and a BERT/RoBERTa encoder as the discriminator's backbone,
//! each read from its folder (config.json, model.safetensors or shards, tokenizer.json). The tuned
//! generator is written back as a Hugging Face folder, `OUT/generator/`. `OUT/sources.json` records the
//! folders and options, so `train --resume OUT` can build the same models again and load the snapshot.

use crate::sources::{DataArgs, HfArgs, RunSources, device_with_dtype, load_models};
use anyhow::Result;
use gapo_core::device::{BackendChoice, describe};
use gapo_core::hooks::Hooks;
use gapo_core::session::Inputs;
use gapo_core::task::TaskData;

/// `task`: a data file's task, else the built-in one.
pub fn run(
    hf_args: HfArgs,
    run: &crate::run::RunArgs,
    choice: BackendChoice,
    seed: Option<u64>,
    task: Option<TaskData>,
    data: Option<DataArgs>,
    hooks: Hooks,
) -> Result<()> {
    let config = run.config(seed)?;
    let device = device_with_dtype(choice, &hf_args.dtype)?;
    println!("device: {} ({})", describe(choice, &device), hf_args.dtype);
    let Some((models, g_config)) = load_models(&hf_args, &config, &device)? else {
        return Ok(()); // --plan-only
    };
    let sources = RunSources { imported: Some(hf_args), data };
    let inputs = Inputs { task, models: Some(models), hooks };
    crate::run::start(config, inputs, sources, Some(g_config), device, run)
}
