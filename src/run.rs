//! The default job (`cargo run --release`): the built-in constraint task, SFT on the reference responses,
//! then the chosen method (GAPO by default) through gapo-core's `Session`, and an evaluation on held-out
//! prompts by the exact checkers, SFT start against the result.

use crate::atomic::write_atomic;
use anyhow::{Context, Result};
use burn::module::Module;
use clap::Args;
use futures_lite::future::block_on;
use gapo_core::checkpoint;
use gapo_core::config::ModelPreset;
use gapo_core::device::{BackendChoice, describe, device_for};
use gapo_core::players::{DiscriminatorModel, LanguageModel};
use gapo_core::session::{Algo, RunConfig, Session, StepReport};
use gapo_core::task::EvalReport;
use indicatif::{ProgressBar, ProgressStyle};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// `gapo run`: the run's settings, or only a check of them.
#[derive(Args, Debug, Clone)]
pub struct RunCommand {
    #[command(flatten)]
    pub args: RunArgs,
    /// Check the run config (the preset or file, the flags, --set) and print it as JSON; train nothing.
    #[arg(long)]
    pub check: bool,
}

#[derive(Args, Debug, Clone)]
pub struct RunArgs {
    /// gapo (default; sft with `train --data`) | sft | ppo (fixed discriminator) | ppo-oracle (the checker as
    /// reward) | ppo-decoder-rm | dpo | ipo | kto | simpo | orpo.
    #[arg(long)]
    pub algo: Option<String>,
    /// Model sizes: tiny (default) | small | bench.
    #[arg(long)]
    pub preset: Option<String>,
    /// SFT optimizer steps.
    #[arg(long)]
    pub steps: Option<usize>,
    /// Adversarial stages.
    #[arg(long)]
    pub stages: Option<usize>,
    /// PPO rollouts per stage.
    #[arg(long)]
    pub rollouts: Option<usize>,
    /// Training examples of the built-in task.
    #[arg(long)]
    pub n_train: Option<usize>,
    /// Prompts evaluated: held out (unseen combinations) and as many in distribution.
    #[arg(long)]
    pub n_eval: Option<usize>,
    /// A run preset (default, quick, form) or a TOML run config file (the keys of `config.json`, any subset);
    /// flags and --set override it.
    #[arg(long, value_name = "NAME|FILE")]
    pub config: Option<String>,
    /// Override any config key: --set ppo.actor_lr=1e-4 --set gapo.stages=6
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Folder for the run's files.
    #[arg(long, default_value = "runs/latest")]
    pub out: PathBuf,
    /// Train with your classroom exercise solutions (crates/gapo-exercises) wherever their check passes.
    #[arg(long)]
    pub use_exercise_solutions: bool,
    /// Write the resume checkpoint (`resume.bin`) every this many steps; 0 never.
    #[arg(long, default_value_t = 25)]
    pub checkpoint_every: usize,
}

impl Default for RunArgs {
    fn default() -> Self {
        Self {
            algo: None,
            preset: None,
            steps: None,
            stages: None,
            rollouts: None,
            n_train: None,
            n_eval: None,
            config: None,
            set: Vec::new(),
            out: "runs/latest".into(),
            checkpoint_every: 25,
            use_exercise_solutions: false,
        }
    }
}

impl RunArgs {
    /// The run's config: the preset or file of --config (else the defaults), then the flags, then --set.
    /// `seed` is the global --seed when given.
    pub fn config(&self, seed: Option<u64>) -> Result<RunConfig> {
        let mut c = match &self.config {
            None => RunConfig::default(),
            Some(spec) if !spec.ends_with(".toml") && !Path::new(spec).exists() => RunConfig::named(spec)?,
            Some(path) => {
                let text = std::fs::read_to_string(path).with_context(|| format!("reading {path}"))?;
                RunConfig::from_toml(&text, path)?
            }
        };
        if let Some(algo) = &self.algo {
            c.algo = algo.parse::<Algo>()?;
        }
        if let Some(preset) = &self.preset {
            c.preset = preset.clone();
        }
        if let Some(seed) = seed {
            c.seed = seed;
        }
        ModelPreset::named(&c.preset)?;
        if let Some(v) = self.steps {
            c.sft.steps = v;
        }
        if let Some(v) = self.stages {
            c.gapo.stages = v;
        }
        if let Some(v) = self.rollouts {
            c.gapo.rollouts_per_stage = v;
        }
        if let Some(v) = self.n_train {
            c.task.n_train = v;
        }
        if let Some(v) = self.n_eval {
            c.task.n_eval = v;
            c.task.n_eval_in = v;
        }
        let c = c.with_overrides(&self.set)?;
        c.validate()?;
        Ok(c)
    }
}

pub fn print_report(label: &str, r: &EvalReport) {
    println!(
        "{label}: prompt-level strict {:.3}, instruction-level strict {:.3} on {} held-out prompts",
        r.prompt_strict, r.instruction_strict, r.prompts
    );
    if let Some(i) = &r.in_distribution {
        println!(
            "{label}: prompt-level strict {:.3}, instruction-level strict {:.3} on {} in-distribution prompts",
            i.prompt_strict, i.instruction_strict, i.prompts
        );
    }
}

fn print_step(r: &StepReport, every: usize, last_phase: &mut String, bar: &ProgressBar) {
    let first = *last_phase != r.phase;
    last_phase.clone_from(&r.phase);
    let show = |keys: &[&str]| {
        keys.iter().filter_map(|k| r.metrics.get(*k).map(|v| format!("{k} {v:.4}"))).collect::<Vec<_>>().join("  ")
    };
    // The bar shows the live metrics of every step; the log keeps one line per phase change, per `every`
    // SFT/warm-up steps and per rollout, probe and discriminator phase.
    let stage = r.stage.map(|s| format!(" stage {s}")).unwrap_or_default();
    bar.set_message(format!(
        "{}{stage}  {}",
        r.phase,
        show(&["loss/sft", "disc/loss", "rm/loss", "objective/scores", "objective/kl", "loss"])
    ));
    let println = |line: String| bar.suspend(|| println!("{line}"));
    match r.phase.as_str() {
        "sft" if first || r.step % every == 0 => println(format!("[{:>5}] sft        {}", r.step, show(&["loss/sft"]))),
        "warmup" if first || r.step % every == 0 => {
            println(format!("[{:>5}] warmup     {}", r.step, show(&["disc/loss", "rm/loss", "rm/accuracy"])))
        }
        "generator" => println(format!(
            "[{:>5}] stage {} generator  {}",
            r.step,
            r.stage.unwrap_or(0),
            show(&["objective/scores", "rollout/checker_pass", "objective/kl", "loss/policy_avg", "loss/value_avg"])
        )),
        "probe" => println(format!(
            "[{:>5}] stage {} probe {:?}: {}",
            r.step,
            r.stage.unwrap_or(0),
            r.probe.unwrap(),
            show(&[
                "disc/real_score",
                "disc/fake_score",
                "disc/accuracy",
                "disc/pairwise_accuracy",
                "disc/blank_response_accuracy"
            ])
        )),
        "discriminator" if r.metrics.contains_key("disc/rows") => println(format!(
            "[{:>5}] stage {} discriminator: {} rows (with fresh fakes)",
            r.step,
            r.stage.unwrap_or(0),
            r.metrics["disc/rows"]
        )),
        _ => {}
    }
}

/// The resume checkpoint of a run folder: the whole session, rewritten atomically every
/// `--checkpoint-every` steps, so a killed run loses at most that many steps and never its last good state.
pub const RESUME_FILE: &str = "resume.bin";

/// With --use-exercise-solutions: installs the student's passing exercise functions into gapo-core.
pub fn install_exercise_solutions(wanted: bool) {
    if !wanted {
        return;
    }
    let (hooks, used) = gapo_exercises::passing_hooks();
    gapo_core::hooks::install(hooks);
    let all: Vec<&str> = gapo_exercises::checks::EXERCISES.iter().map(|e| e.name).collect();
    let builtin: Vec<&str> = all.iter().copied().filter(|n| !used.contains(n)).collect();
    if used.is_empty() {
        println!(
            "exercise solutions: none passes its check yet (cargo run -p gapo-exercises -- check); built-in code used"
        );
    } else {
        println!(
            "exercise solutions: your code for {}; built-in for {}",
            used.join(", "),
            if builtin.is_empty() { "nothing else".to_string() } else { builtin.join(", ") }
        );
    }
}

/// `gapo run --check`: the resolved config, checked as a run checks it before any work, printed as JSON.
pub fn check(args: &RunArgs, seed: Option<u64>) -> Result<()> {
    let config = args.config(seed)?;
    println!("{}", serde_json::to_string_pretty(&config)?);
    Ok(())
}

pub fn run(args: RunArgs, choice: BackendChoice, seed: Option<u64>) -> Result<()> {
    install_exercise_solutions(args.use_exercise_solutions);
    let config = args.config(seed)?;
    let device = device_for(choice)?;
    println!("device: {}", describe(choice, &device));
    let session = Session::new(config.clone(), device)?;
    write_atomic(&args.out.join("config.json"), serde_json::to_string_pretty(&config)?.as_bytes())
        .context("saving config.json")?;
    drive(session, &args.out, args.checkpoint_every, String::new(), None)
}

/// `gapo train --data FILE --algo …`: the run on a data file's task; `OUT/sources.json` names the file
/// for `--resume`.
pub fn run_on_task(
    config: RunConfig,
    task: gapo_core::task::TaskData,
    data: crate::sources::DataArgs,
    args: &RunArgs,
    choice: BackendChoice,
) -> Result<()> {
    let device = device_for(choice)?;
    println!("device: {}", describe(choice, &device));
    let session = Session::on_task(config.clone(), device, task)?;
    write_atomic(&args.out.join("config.json"), serde_json::to_string_pretty(&config)?.as_bytes())
        .context("saving config.json")?;
    let sources = crate::sources::RunSources { imported: None, data: Some(data) };
    write_atomic(&args.out.join(crate::sources::SOURCES_FILE), serde_json::to_string_pretty(&sources)?.as_bytes())
        .context("saving sources.json")?;
    drive(session, &args.out, args.checkpoint_every, String::new(), None)
}

/// `gapo train --resume DIR`: restores `DIR/resume.bin`, keeps the metrics logged before it and runs on
/// to the end, as if never stopped.
pub fn resume(dir: &Path, choice: BackendChoice, checkpoint_every: usize, overrides: &[String]) -> Result<()> {
    let path = dir.join(RESUME_FILE);
    let name = path.display().to_string();
    let bytes = std::fs::read(&path).with_context(|| format!("reading {name} (is {} a run folder?)", dir.display()))?;
    // A run with imported models or on a data file gets them again from the paths it recorded.
    let sources_path = dir.join(crate::sources::SOURCES_FILE);
    let sources: crate::sources::RunSources = match std::fs::read(&sources_path) {
        Ok(b) => serde_json::from_slice(&b)
            .with_context(|| format!("{}: not a gapo sources file", sources_path.display()))?,
        Err(_) => crate::sources::RunSources::default(),
    };
    let dtype = sources.imported.as_ref().map(|h| h.dtype.clone()).unwrap_or_else(|| "f32".into());
    let device = crate::sources::device_with_dtype(choice, &dtype)?;
    println!("device: {}", describe(choice, &device));
    let config: RunConfig =
        serde_json::from_slice(&std::fs::read(dir.join("config.json")).context("reading config.json")?)
            .context("config.json: not a gapo run config")?;
    let task = sources.data.as_ref().map(|d| crate::sources::task_from_file(d, &config)).transpose()?;
    let mut hf_config = None;
    let session = match (&sources.imported, task) {
        (Some(hf), task) => {
            let (models, g_config) = crate::sources::load_models(hf, &config, &device)?
                .context("a run's sources never ask for a plan only")?;
            hf_config = Some(g_config);
            Session::restore_imported(&bytes, device, &name, overrides, models, task)?
        }
        (None, Some(task)) => Session::restore_on_task(&bytes, device, &name, overrides, task)?,
        (None, None) => Session::restore_with(&bytes, device, &name, overrides)?,
    };
    let steps = session.steps_done();
    let metrics_path = dir.join("metrics.jsonl");
    let logged = std::fs::read_to_string(&metrics_path).unwrap_or_default();
    let mut kept = String::new();
    for (i, line) in logged.lines().enumerate() {
        let step = serde_json::from_str::<serde_json::Value>(line)
            .ok()
            .and_then(|v| v.get("step").and_then(|s| s.as_u64()))
            .with_context(|| format!("{}:{}: not a metrics line", metrics_path.display(), i + 1))?;
        if (step as usize) < steps {
            kept.push_str(line);
            kept.push('\n');
        }
    }
    println!("resuming {} at step {steps} of {}", dir.display(), session.planned_steps());
    drive(session, dir, checkpoint_every, kept, hf_config)
}

/// A progress bar over the session's planned steps, starting where the session stands, with ETA.
pub fn progress_bar(session: &Session) -> ProgressBar {
    let bar = ProgressBar::new(session.planned_steps() as u64);
    bar.set_position(session.steps_done() as u64);
    bar.set_style(
        ProgressStyle::with_template("{elapsed_precise} [{bar:30}] {pos}/{len} eta {eta}  {msg}")
            .expect("a valid template")
            .progress_chars("=> "),
    );
    bar
}

fn metrics_line(report: &StepReport) -> Result<String> {
    let line = serde_json::json!({"step": report.step, "phase": report.phase, "stage": report.stage, "probe": report.probe, "metrics": report.metrics});
    Ok(serde_json::to_string(&line)? + "\n")
}

/// Steps `session` to the end with a progress bar, appending each step's metrics to `out/metrics.jsonl`
/// (which starts as `logged`) and checkpointing, then evaluates and writes the run's files. `hf_config` is
/// the config.json of an imported generator, which is written back as a Hugging Face folder.
pub fn drive(
    mut session: Session,
    out: &Path,
    checkpoint_every: usize,
    logged: String,
    hf_config: Option<serde_json::Value>,
) -> Result<()> {
    let started = Instant::now();
    let config = session.config.clone();
    println!(
        "task: {} training examples (k = 1..{}), {} held-out prompts (unseen combinations, k up to {}); tokenizer {} entries; algo {:?}",
        session.task.train.len(),
        session.task.config.k_max - 1,
        session.task.eval.len(),
        session.task.config.k_max,
        session.tokenizer.vocab_size(),
        config.algo
    );
    let save =
        |name: &str, bytes: &[u8]| write_atomic(&out.join(name), bytes).with_context(|| format!("saving {name}"));
    let metrics_path = out.join("metrics.jsonl");
    save("metrics.jsonl", logged.as_bytes())?;
    let mut metrics = std::fs::OpenOptions::new()
        .append(true)
        .open(&metrics_path)
        .with_context(|| format!("opening {}", metrics_path.display()))?;
    let mut last_phase = String::new();
    let bar = progress_bar(&session);
    // Wall time per phase, and the tokens the generator phase wrote (for tokens per second).
    let mut phase_time: BTreeMap<String, (usize, f64)> = BTreeMap::new();
    let mut generated_tokens = 0.0;
    while !session.is_done() {
        let step_started = Instant::now();
        let stepped = block_on(session.step());
        let seconds = step_started.elapsed().as_secs_f64();
        let report = match stepped {
            Ok(r) => r,
            Err(e) => {
                bar.abandon();
                let kept = if out.join(RESUME_FILE).is_file() {
                    format!(
                        "the run stopped; its last checkpoint is {} (step {}): continue with `gapo train --resume {}` (add --set key=value to change a setting, e.g. a smaller learning rate)",
                        out.join(RESUME_FILE).display(),
                        Session::snapshot_steps(&std::fs::read(out.join(RESUME_FILE))?, RESUME_FILE)?,
                        out.display()
                    )
                } else {
                    "no checkpoint was written yet".to_string()
                };
                return Err(anyhow::anyhow!("{e}\n{kept}"));
            }
        };
        bar.inc(1);
        let entry = phase_time.entry(report.phase.clone()).or_insert((0, 0.0));
        (entry.0, entry.1) = (entry.0 + 1, entry.1 + seconds);
        if report.phase == "generator" {
            let length = report.metrics.get("val/response_length").copied().unwrap_or(0.0);
            generated_tokens += length * config.ppo.rollout_batch as f64;
        }
        print_step(&report, 50, &mut last_phase, &bar);
        if let Some(e) = &report.eval {
            bar.suspend(|| print_report(if report.phase == "eval_sft" { "SFT start" } else { "result" }, e));
        }
        metrics.write_all(metrics_line(&report)?.as_bytes()).context("appending to metrics.jsonl")?;
        if checkpoint_every > 0 && session.steps_done() % checkpoint_every == 0 && !session.is_done() {
            save(RESUME_FILE, &session.snapshot()?)?;
        }
    }
    bar.finish_and_clear();
    let timing: Vec<String> = phase_time.iter().map(|(p, (n, s))| format!("{p} {s:.1} s / {n} steps")).collect();
    println!("time by phase: {}", timing.join(", "));
    if let Some((_, s)) = phase_time.get("generator").filter(|(_, s)| *s > 0.0) {
        println!(
            "generator phase: {generated_tokens:.0} tokens sampled, {:.1} tokens/s including the PPO updates",
            generated_tokens / s
        );
    }
    let (last, responses) = block_on(session.evaluate())?;
    println!("\n{:<14} {:>10} {:>10}", "kind", "instr.", "prompt");
    for (kind, s) in &last.per_kind {
        println!("{kind:<14} {:>10.3} {:>10.3}", s.instruction_strict(), s.prompt_strict());
    }
    if !last.mistakes.is_empty() {
        println!("\nsome mistakes:");
        for m in last.mistakes.iter().take(3) {
            println!("  prompt:   {}", m.prompt.replace('\n', " | "));
            println!("  response: {}", m.response.replace('\n', " | "));
            for (kind, why) in &m.failed {
                println!("    ✗ {kind}: {why}");
            }
        }
    }

    save("config.json", serde_json::to_string_pretty(&config)?.as_bytes())?;
    save("tokenizer.json", session.tokenizer.to_json()?.as_bytes())?;
    let preset = config.model_preset()?;
    let generator_files = match session.generator() {
        LanguageModel::Tiny(generator) => {
            let gen_cfg = preset.generator_config(session.tokenizer.vocab_size());
            let bytes = checkpoint::to_bytes(&generator, "generator", &serde_json::to_string(&gen_cfg)?)?;
            save("generator.safetensors", &bytes)?;
            "generator.safetensors"
        }
        LanguageModel::Hf(generator) => {
            let hf_config = hf_config.context("an imported generator needs its config.json to be written back")?;
            let tokenizer_json = session.tokenizer.to_json()?;
            let files =
                block_on(gapo_core::hf::export::decoder_folder(&generator, &hf_config, tokenizer_json.as_bytes()))?;
            std::fs::create_dir_all(out.join("generator")).context("creating generator/")?;
            for (name, bytes) in files {
                save(&format!("generator/{name}"), &bytes)?;
            }
            "generator/ (a Hugging Face folder)"
        }
    };
    if let Some(d) = &session.disc {
        // The model itself, not the enum around it: `gapo generate` and `gapo eval` load the built-in
        // discriminator by its own parameter names.
        let bytes = match &d.disc {
            DiscriminatorModel::Tiny(tiny) => {
                let cfg = serde_json::to_string(&preset.discriminator_config(session.tokenizer.vocab_size()))?;
                checkpoint::to_bytes(&tiny.valid(), "discriminator", &cfg)?
            }
            DiscriminatorModel::Hf(h) => {
                checkpoint::to_bytes(&h.valid(), "discriminator", &serde_json::to_string(&h.encoder.spec)?)?
            }
        };
        save("discriminator.safetensors", &bytes)?;
    }
    metrics.sync_all().context("flushing metrics.jsonl")?;
    // The learning curves, from every line of metrics.jsonl (a resumed run's earlier steps included).
    let logged = std::fs::read_to_string(&metrics_path).context("reading metrics.jsonl back")?;
    save("curves.svg", crate::curves::svg(&logged).as_bytes())?;
    let samples: String = session
        .task
        .eval
        .iter()
        .zip(&responses)
        .map(|(e, r)| {
            let verdicts: Vec<_> = e
                .constraints
                .iter()
                .map(|c| serde_json::json!({"kind": c.kind().name(), "verdict": c.check(&e.product, r)}))
                .collect();
            serde_json::json!({"prompt": e.prompt, "response": r, "constraints": verdicts}).to_string() + "\n"
        })
        .collect();
    save("samples.jsonl", samples.as_bytes())?;

    // The run is complete: its resume point is no longer needed.
    let _ = std::fs::remove_file(out.join(RESUME_FILE));

    // Prompt- and instruction-level strict, held out (unseen combinations) and in distribution.
    println!(
        "\n{:<10} {:>14} {:>18} {:>16} {:>16}",
        "model", "prompt-strict", "instruction-strict", "in-dist prompt", "in-dist instr."
    );
    let row = |name: String, r: &EvalReport| {
        let (ip, ii) =
            r.in_distribution.as_ref().map_or((f64::NAN, f64::NAN), |i| (i.prompt_strict, i.instruction_strict));
        println!("{name:<10} {:>14.3} {:>18.3} {ip:>16.3} {ii:>16.3}", r.prompt_strict, r.instruction_strict);
    };
    if let Some(s) = &session.sft_eval {
        row("SFT start".into(), s);
    }
    if config.algo != Algo::Sft {
        row(format!("{:?}", config.algo), &last);
    }
    println!(
        "\nfinished in {:.1}s (this process); files in {}/ (config.json, tokenizer.json, {generator_files}, discriminator.safetensors with gapo/ppo, metrics.jsonl, curves.svg, samples.jsonl)",
        started.elapsed().as_secs_f64(),
        out.display()
    );
    Ok(())
}
