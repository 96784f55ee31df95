//! `gapo generate --run DIR --prompt TEXT`: a prompt in (typed, or `--heldout N` to pick a held-out one);
//! the sample(s), the discriminator's score (when the run trained one) and each constraint's verdict out.

use anyhow::{Context, Result};
use clap::Args;
use futures_lite::future::block_on;
use gapo_core::checkpoint;
use gapo_core::device::{BackendChoice, device_for};
use gapo_core::model::sampling::SamplingConfig;
use gapo_core::model::{DiscriminatorConfig, DiscriminatorModel, GeneratorConfig};
use gapo_core::session::RunConfig;
use gapo_core::task::{TaskConfig, TaskData};
use gapo_core::tokenizer::GapoTokenizer;
use gapo_core::try_prompt::try_prompt;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct GenerateArgs {
    /// A run folder written by `gapo run` / `gapo train`.
    #[arg(long)]
    pub run: PathBuf,
    /// The prompt, in the built-in task's form: "task line\nProduct: category: lamp; …\nRules: …".
    #[arg(long, conflicts_with = "heldout", required_unless_present = "heldout")]
    pub prompt: Option<String>,
    /// Use the N-th held-out prompt of the run's task instead.
    #[arg(long)]
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
    let read = |name: &str| {
        let path = args.run.join(name);
        std::fs::read(&path).with_context(|| format!("reading {}", path.display()))
    };
    let name = |file: &str| args.run.join(file).display().to_string();
    let config: RunConfig = serde_json::from_slice(&read("config.json")?)
        .with_context(|| format!("{}: not a gapo run config", name("config.json")))?;
    let tokenizer = GapoTokenizer::from_json(&read("tokenizer.json")?, &name("tokenizer.json"))?;
    let device = device_for(choice)?;
    device.seed(seed);
    let bytes = read("generator.safetensors")?;
    let info = checkpoint::read_info(&bytes, &name("generator.safetensors"))?;
    let cfg: GeneratorConfig = serde_json::from_str(&info.config_json)
        .with_context(|| format!("{}: bad gapo.config", name("generator.safetensors")))?;
    let generator = checkpoint::load_bytes(cfg.init(&device), bytes, "generator", &name("generator.safetensors"))?;
    let disc = match std::fs::read(args.run.join("discriminator.safetensors")) {
        Ok(bytes) => {
            let source = name("discriminator.safetensors");
            let info = checkpoint::read_info(&bytes, &source)?;
            let cfg: DiscriminatorConfig =
                serde_json::from_str(&info.config_json).with_context(|| format!("{source}: bad gapo.config"))?;
            Some(DiscriminatorModel::from(checkpoint::load_bytes(cfg.init(&device), bytes, "discriminator", &source)?))
        }
        Err(_) => None,
    };
    let prompt = match (&args.prompt, args.heldout) {
        (Some(p), _) => p.replace("\\n", "\n"),
        (None, Some(i)) => {
            let task = TaskData::build(&TaskConfig { seed: config.seed, ..config.task.clone() })?;
            let n = task.eval.len();
            task.eval.get(i).with_context(|| format!("--heldout {i}: the run has {n} held-out prompts"))?.prompt.clone()
        }
        (None, None) => unreachable!("clap requires --prompt or --heldout"),
    };
    let sampling = if args.temperature <= 0.0 {
        SamplingConfig::new().with_greedy(true)
    } else {
        SamplingConfig::new().with_temperature(args.temperature)
    };
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
            None => println!("discriminator score: none (this run trained no discriminator)"),
        }
        println!("constraints: {}/{} pass", t.passed(), t.verdicts.len());
        for (c, v) in &t.verdicts {
            let mark = if v.pass { "✓".to_string() } else { format!("✗ {}", v.why) };
            println!("  {:<13} {mark}", c.kind().name());
        }
    }
    Ok(())
}
