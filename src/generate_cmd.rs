//! `gapo generate --run DIR --prompt TEXT`: a prompt in (typed, or `--heldout N` to pick a held-out one);
//! the sample(s), the discriminator's score (when the run trained one) and each constraint's verdict out.
//! `gapo generate --generator DIR --prompt TEXT`: an imported Hugging Face decoder (Qwen2/Llama folder) on
//! free text, tokenized as transformers' `tokenizer(text)` does, so that an import can be held against
//! transformers' `generate` by hand.

use crate::run_folder::RunFolder;
use crate::sources::DirSource;
use anyhow::{Context, Result, bail};
use burn::tensor::{Int, Tensor, TensorData};
use clap::Args;
use futures_lite::future::block_on;
use gapo_core::device::{BackendChoice, device_for};
use gapo_core::hf::{self, DecoderSpec, HfDecoder, Weights};
use gapo_core::model::sampling::{SamplingConfig, generate};
use gapo_core::readback::{floats, ints};
use gapo_core::try_prompt::try_prompt;
use std::path::{Path, PathBuf};

#[derive(Args, Debug)]
pub struct GenerateArgs {
    /// A run folder written by `gapo run` / `gapo train`.
    #[arg(long, required_unless_present = "generator")]
    pub run: Option<PathBuf>,
    /// A Hugging Face decoder folder (config.json, model.safetensors, tokenizer.json) instead of a run: the
    /// prompt is free text, and only the continuation comes out (no discriminator, no constraints).
    #[arg(long, conflicts_with_all = ["run", "heldout", "samples"])]
    pub generator: Option<PathBuf>,
    /// The prompt, in the built-in task's form: "task line\nProduct: category: lamp; …\nRules: …" (free
    /// text with --generator).
    #[arg(long, conflicts_with = "heldout", required_unless_present = "heldout")]
    pub prompt: Option<String>,
    /// Use the N-th held-out prompt of the run's task instead.
    #[arg(long, requires = "run")]
    pub heldout: Option<usize>,
    /// Samples to draw.
    #[arg(long, default_value_t = 1)]
    pub samples: usize,
    /// Sampling temperature; 0 is greedy.
    #[arg(long, default_value_t = 0.0)]
    pub temperature: f64,
    #[arg(long, default_value_t = 48)]
    pub max_new_tokens: usize,
    /// Print JSON lines instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: GenerateArgs, choice: BackendChoice, seed: u64) -> Result<()> {
    let run = match (&args.run, &args.generator) {
        (_, Some(dir)) => return imported(dir, &args, choice, seed),
        (Some(run), None) => run.clone(),
        (None, None) => unreachable!("clap requires --run or --generator"),
    };
    let folder = RunFolder::new(&run);
    let config = folder.read_config()?;
    let sources = folder.read_sources()?;
    let device = device_for(choice)?;
    device.seed(seed);
    let (generator, tokenizer) = folder.load_generator(&sources, &device)?;
    let disc = folder.load_discriminator(&sources, &device)?;
    let prompt = match (&args.prompt, args.heldout) {
        (Some(p), _) => p.replace("\\n", "\n"),
        (None, Some(i)) => {
            let task = folder.read_task(&config, &sources)?;
            let n = task.eval.len();
            task.eval.get(i).with_context(|| format!("--heldout {i}: the run has {n} held-out prompts"))?.prompt.clone()
        }
        (None, None) => unreachable!("clap requires --prompt or --heldout"),
    };
    let sampling = sampling(&args);
    let tried = block_on(try_prompt(
        &generator,
        disc.as_ref(),
        &tokenizer,
        &prompt,
        &sampling,
        args.max_new_tokens,
        args.samples,
        &device,
    ))?;
    if !args.json {
        println!("prompt:\n  {}", prompt.replace('\n', "\n  "));
    }
    for t in &tried {
        if args.json {
            println!("{}", serde_json::to_string(t)?);
            continue;
        }
        println!("\nresponse:\n  {}", t.response.replace('\n', "\n  "));
        match t.disc_score {
            Some(s) => println!("discriminator score σ(D): {s:.3}"),
            None => println!("discriminator score: none (this run trained no built-in discriminator)"),
        }
        println!("constraints: {}/{} pass", t.passed(), t.verdicts.len());
        for (c, v) in &t.verdicts {
            let mark = if v.pass { "✓".to_string() } else { format!("✗ {}", v.why) };
            println!("  {:<13} {mark}", c.kind().name());
        }
    }
    Ok(())
}

/// Greedy at temperature 0, else sampling at that temperature.
fn sampling(args: &GenerateArgs) -> SamplingConfig {
    if args.temperature <= 0.0 {
        SamplingConfig::new().with_greedy(true)
    } else {
        SamplingConfig::new().with_temperature(args.temperature)
    }
}

/// What `--generator DIR --json` prints: the prompt's ids as transformers' tokenizer gives them, and the
/// generated ids up to and including the end-of-text token.
#[derive(serde::Serialize)]
struct Continuation {
    prompt: String,
    prompt_ids: Vec<u32>,
    token_ids: Vec<u32>,
    text: String,
}

/// Free text through an imported decoder: tokenized with the folder's tokenizer.json and its special
/// tokens (as `tokenizer(text)` in transformers), continued with the KV cache until config.json's
/// `eos_token_id` or `--max-new-tokens`.
fn imported(dir: &Path, args: &GenerateArgs, choice: BackendChoice, seed: u64) -> Result<()> {
    let text = args.prompt.as_deref().context("--generator needs --prompt")?.replace("\\n", "\n");
    let source = DirSource(dir.to_path_buf());
    let config = hf::read_config(&source)?;
    let spec = DecoderSpec::from_config(&config)?;
    let tokenizer = hf::read_tokenizer(&source)?;
    let eos = hf::tokenize::decoder_tokenizer(&source, &config)?.special().eos;
    let weights = Weights::read(&source)?;
    let device = device_for(choice)?;
    device.seed(seed);
    let model = HfDecoder::load(&spec, &weights, &device)?;
    let encoded = tokenizer
        .encode(text.as_str(), true)
        .map_err(|e| anyhow::anyhow!("{}/tokenizer.json: cannot encode the prompt: {e}", dir.display()))?;
    let prompt_ids = encoded.get_ids().to_vec();
    if prompt_ids.is_empty() {
        bail!("--prompt: the tokenizer makes no tokens of it");
    }
    let n = prompt_ids.len();
    let ids = Tensor::<2, Int>::from_data(
        TensorData::new(prompt_ids.iter().map(|&i| i64::from(i)).collect::<Vec<_>>(), [1, n]),
        &device,
    );
    let mask = Tensor::<2>::ones([1, n], &device);
    let rollout = generate(&model, ids, mask, args.max_new_tokens, &sampling(args), eos, eos)?;
    let (tokens, kept) = (block_on(ints(rollout.tokens))?, block_on(floats(rollout.mask))?);
    let token_ids: Vec<u32> = tokens.iter().zip(&kept).filter(|(_, m)| **m > 0.0).map(|(&t, _)| t as u32).collect();
    let text_out = tokenizer
        .decode(&token_ids, true)
        .map_err(|e| anyhow::anyhow!("{}/tokenizer.json: cannot decode: {e}", dir.display()))?;
    let out = Continuation { prompt: text, prompt_ids, token_ids, text: text_out };
    if args.json {
        println!("{}", serde_json::to_string(&out)?);
    } else {
        println!("{}{}", out.prompt, out.text);
    }
    Ok(())
}
