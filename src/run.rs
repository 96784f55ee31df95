//! The default job (`cargo run --release`): the built-in constraint task, SFT on the reference responses,
//! then the chosen method (GAPO by default) through gapo-core's `Session`, and an evaluation on held-out
//! prompts by the exact checkers, SFT start against the result.

use crate::run_folder::{METRICS_FILE, RESUME_FILE, RunFolder};
use crate::sources::RunSources;
use anyhow::{Context, Result};
use burn::tensor::Device;
use clap::Args;
use futures_lite::future::block_on;
use gapo_core::config::ModelPreset;
use gapo_core::device::{BackendChoice, describe, device_for};
use gapo_core::hooks::Hooks;
use gapo_core::session::{Algo, Inputs, Restore, RunConfig, Session, StepReport};
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
    if r.prompts == 0 {
        println!("{label}: no held-out prompts the checkers read (a text-only data file trains without them)");
        return;
    }
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

/// With --use-exercise-solutions: the student's passing exercise functions, for the session's inputs.
pub fn exercise_solutions(wanted: bool) -> Hooks {
    if !wanted {
        return Hooks::default();
    }
    let (hooks, used) = gapo_exercises::passing_hooks();
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
    hooks
}

/// `gapo run --check`: the resolved config, checked as a run checks it before any work, printed as JSON.
pub fn check(args: &RunArgs, seed: Option<u64>) -> Result<()> {
    let config = args.config(seed)?;
    println!("{}", serde_json::to_string_pretty(&config)?);
    Ok(())
}

/// `gapo run` (and `gapo train` on the built-in models and task).
pub fn run(args: RunArgs, choice: BackendChoice, seed: Option<u64>) -> Result<()> {
    let hooks = exercise_solutions(args.use_exercise_solutions);
    let config = args.config(seed)?;
    let device = device_for(choice)?;
    println!("device: {}", describe(choice, &device));
    let inputs = Inputs { hooks, ..Inputs::default() };
    start(config, inputs, RunSources::default(), None, device, &args)
}

/// A new run in `args.out`: the session from `config` and `inputs`, the folder's first files (config.json,
/// sources.json), then the steps to the end. `hf_config`: an imported generator's config.json.
pub fn start(
    config: RunConfig,
    inputs: Inputs,
    sources: RunSources,
    hf_config: Option<serde_json::Value>,
    device: Device,
    args: &RunArgs,
) -> Result<()> {
    let session = Session::new(config.clone(), inputs, device)?;
    let folder = RunFolder::new(&args.out);
    folder.write_start(&config, &sources)?;
    drive(session, &folder, args.checkpoint_every, String::new(), hf_config)
}

/// `gapo train --resume DIR`: restores `DIR/resume.bin`, keeps the metrics logged before it and runs on
/// to the end, as if never stopped (with `hooks`: the exercise solutions it was started with). A run with imported models or on a data file gets them again from
/// the paths its sources.json recorded.
pub fn resume(
    dir: &Path,
    choice: BackendChoice,
    checkpoint_every: usize,
    overrides: &[String],
    hooks: Hooks,
) -> Result<()> {
    let folder = RunFolder::new(dir);
    let bytes = folder.read(RESUME_FILE)?;
    let sources = folder.read_sources()?;
    let dtype = sources.imported.as_ref().map(|h| h.dtype.clone()).unwrap_or_else(|| "f32".into());
    let device = crate::sources::device_with_dtype(choice, &dtype)?;
    println!("device: {}", describe(choice, &device));
    let config = folder.read_config()?;
    let task = sources.data.as_ref().map(|d| crate::sources::task_from_file(d, &config)).transpose()?;
    let (models, hf_config) = match &sources.imported {
        Some(hf) => {
            let (models, g_config) = crate::sources::load_models(hf, &config, &device)?
                .context("a run's sources never ask for a plan only")?;
            (Some(models), Some(g_config))
        }
        None => (None, None),
    };
    let inputs = Inputs { task, models, hooks };
    let name = folder.path(RESUME_FILE).display().to_string();
    let session = Session::restore(&bytes, &name, Restore::Resume, overrides, inputs, device)?;
    let steps = session.steps_done();
    let kept = folder.metrics_before(steps)?;
    println!("resuming {} at step {steps} of {}", dir.display(), session.planned_steps());
    drive(session, &folder, checkpoint_every, kept, hf_config)
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

/// Wall time per phase, and the tokens the generator phase wrote (for tokens per second).
#[derive(Default)]
struct PhaseTimes {
    seconds: BTreeMap<String, (usize, f64)>,
    generated_tokens: f64,
}

impl PhaseTimes {
    fn add(&mut self, report: &StepReport, seconds: f64, rollout_batch: usize) {
        let entry = self.seconds.entry(report.phase.clone()).or_insert((0, 0.0));
        (entry.0, entry.1) = (entry.0 + 1, entry.1 + seconds);
        if report.phase == "generator" {
            let length = report.metrics.get("val/response_length").copied().unwrap_or(0.0);
            self.generated_tokens += length * rollout_batch as f64;
        }
    }

    fn print(&self) {
        let timing: Vec<String> = self.seconds.iter().map(|(p, (n, s))| format!("{p} {s:.1} s / {n} steps")).collect();
        println!("time by phase: {}", timing.join(", "));
        if let Some((_, s)) = self.seconds.get("generator").filter(|(_, s)| *s > 0.0) {
            println!(
                "generator phase: {:.0} tokens sampled, {:.1} tokens/s including the PPO updates",
                self.generated_tokens,
                self.generated_tokens / s
            );
        }
    }
}

/// The error of a step that failed, with where the run can go on from.
fn stopped(e: gapo_core::GapoError, folder: &RunFolder) -> Result<anyhow::Error> {
    let kept = match std::fs::read(folder.path(RESUME_FILE)) {
        Ok(bytes) => format!(
            "the run stopped; its last checkpoint is {} (step {}): continue with `gapo train --resume {}` (add --set key=value to change a setting, e.g. a smaller learning rate)",
            folder.path(RESUME_FILE).display(),
            Session::snapshot_steps(&bytes, RESUME_FILE)?,
            folder.dir.display()
        ),
        Err(_) => "no checkpoint was written yet".to_string(),
    };
    Ok(anyhow::anyhow!("{e}\n{kept}"))
}

/// Steps `session` to the end with a progress bar, appending each step's metrics to metrics.jsonl (which
/// starts as `logged`) and checkpointing, then evaluates and writes the run's files. `hf_config` is the
/// config.json of an imported generator, which is written back as a Hugging Face folder.
pub fn drive(
    mut session: Session,
    folder: &RunFolder,
    checkpoint_every: usize,
    logged: String,
    hf_config: Option<serde_json::Value>,
) -> Result<()> {
    let started = Instant::now();
    let config = session.config.clone();
    if session.task.text_only {
        println!(
            "task: {} (prompt, response) pairs of a data file, learned as text; tokenizer {} entries; algo {:?}",
            session.task.train.len(),
            session.tokenizer.vocab_size(),
            config.algo
        );
    } else {
        println!(
            "task: {} training examples (k = 1..{}), {} held-out prompts (unseen combinations, k up to {}); tokenizer {} entries; algo {:?}",
            session.task.train.len(),
            session.task.config.k_max - 1,
            session.task.eval.len(),
            session.task.config.k_max,
            session.tokenizer.vocab_size(),
            config.algo
        );
    }
    folder.save(METRICS_FILE, logged.as_bytes())?;
    let metrics_path = folder.path(METRICS_FILE);
    let mut metrics = std::fs::OpenOptions::new()
        .append(true)
        .open(&metrics_path)
        .with_context(|| format!("opening {}", metrics_path.display()))?;
    let mut last_phase = String::new();
    let bar = progress_bar(&session);
    let mut times = PhaseTimes::default();
    while !session.is_done() {
        let step_started = Instant::now();
        let stepped = block_on(session.step());
        let report = match stepped {
            Ok(r) => r,
            Err(e) => {
                bar.abandon();
                return Err(stopped(e, folder)?);
            }
        };
        bar.inc(1);
        times.add(&report, step_started.elapsed().as_secs_f64(), config.ppo.rollout_batch);
        print_step(&report, 50, &mut last_phase, &bar);
        if let Some(e) = &report.eval {
            bar.suspend(|| print_report(if report.phase == "eval_sft" { "SFT start" } else { "result" }, e));
        }
        metrics.write_all(metrics_line(&report)?.as_bytes()).context("appending to metrics.jsonl")?;
        if checkpoint_every > 0 && session.steps_done() % checkpoint_every == 0 && !session.is_done() {
            folder.save(RESUME_FILE, &session.snapshot()?)?;
        }
    }
    bar.finish_and_clear();
    times.print();
    let (last, responses) = block_on(session.evaluate())?;
    if last.prompts > 0 {
        print_kinds_and_mistakes(&last, 3);
    }

    folder.save("config.json", serde_json::to_string_pretty(&config)?.as_bytes())?;
    let generator_files = folder.write_models(&session, hf_config.as_ref())?;
    metrics.sync_all().context("flushing metrics.jsonl")?;
    // The learning curves, from every line of metrics.jsonl (a resumed run's earlier steps included).
    let logged = std::fs::read_to_string(&metrics_path).context("reading metrics.jsonl back")?;
    folder.save("curves.svg", crate::curves::svg(&logged).as_bytes())?;
    folder.write_samples(&session.task.eval, &responses)?;
    // The run is complete: its resume point is no longer needed.
    let _ = std::fs::remove_file(folder.path(RESUME_FILE));

    // Prompt- and instruction-level strict, held out (unseen combinations) and in distribution.
    if last.prompts == 0 {
        println!(
            "\nfinished in {:.1}s (this process); files in {}/ (config.json, tokenizer.json, {generator_files}, metrics.jsonl, curves.svg)",
            started.elapsed().as_secs_f64(),
            folder.dir.display()
        );
        return Ok(());
    }
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
        folder.dir.display()
    );
    Ok(())
}

/// The pass rates per constraint kind, then the first `mistakes` mistakes with each failed check.
pub fn print_kinds_and_mistakes(report: &EvalReport, mistakes: usize) {
    println!("\n{:<14} {:>10} {:>10}", "kind", "instr.", "prompt");
    for (kind, s) in &report.per_kind {
        println!("{kind:<14} {:>10.3} {:>10.3}", s.instruction_strict(), s.prompt_strict());
    }
    if !report.mistakes.is_empty() && mistakes > 0 {
        println!("\nsome mistakes:");
    }
    for m in report.mistakes.iter().take(mistakes) {
        println!("  prompt:   {}", m.prompt.replace('\n', " | "));
        println!("  response: {}", m.response.replace('\n', " | "));
        for (kind, why) in &m.failed {
            println!("    ✗ {kind}: {why}");
        }
    }
}
