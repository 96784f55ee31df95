//! `gapo compare`: the paper's comparison on the built-in task. For each seed, SFT is trained once; every
//! method then starts from that same SFT model (a `Session::branch` of the SFT-end snapshot) with the same
//! data and budget, on preferential-prompt and on preferential-response pairs. It prints the table of
//! held-out prompt- and instruction-level strict accuracy, mean ± std over seeds, and writes it with every
//! single result to the output folder.

use crate::atomic::write_atomic;
use crate::run::RunArgs;
use anyhow::{Context, Result, bail};
use clap::Args;
use futures_lite::future::block_on;
use gapo_core::device::{BackendChoice, describe, device_for};
use gapo_core::session::{Algo, Session};
use gapo_core::task::EvalReport;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Instant;

#[derive(Args, Debug)]
pub struct CompareArgs {
    /// Seeds: --seed, --seed + 1, …
    #[arg(long, default_value_t = 3)]
    pub seeds: u64,
    /// Methods to compare with the SFT start.
    #[arg(long, value_delimiter = ',', default_value = "gapo,ppo,ppo-decoder-rm,ppo-oracle,dpo,kto,simpo,orpo")]
    pub methods: Vec<String>,
    /// Pair kinds the pair-trained methods learn from: prompt (preferential prompts), response.
    #[arg(long, value_delimiter = ',', default_value = "prompt,response")]
    pub pairs: Vec<String>,
    /// The budget and settings every method shares (as `gapo run`; --algo is not used).
    #[command(flatten)]
    pub run: RunArgs,
}

/// One trained method on one seed.
#[derive(serde::Serialize)]
struct Outcome {
    seed: u64,
    method: String,
    pairs: Option<String>,
    sft_prompt_strict: f64,
    sft_instruction_strict: f64,
    prompt_strict: f64,
    instruction_strict: f64,
    seconds: f64,
}

fn label(method: &str, pairs: Option<&str>) -> String {
    let name = match method {
        "gapo" => "GAPO (encoder D, retrained)",
        "ppo" => "PPO, encoder D (fixed)",
        "ppo-decoder-rm" => "PPO, decoder RM (fixed)",
        "ppo-oracle" => "PPO, exact checker (ceiling)",
        "dpo" => "DPO",
        "ipo" => "IPO",
        "kto" => "KTO",
        "simpo" => "SimPO",
        "orpo" => "ORPO",
        other => other,
    };
    match pairs {
        Some("prompt") => format!("{name}, PP"),
        Some(_) => format!("{name}, PR"),
        None => name.to_string(),
    }
}

fn mean_std(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let var = if v.len() > 1 { v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0) } else { 0.0 };
    (mean, var.sqrt())
}

/// Steps `session` to its end behind one progress bar named `what`; returns the final evaluation.
fn run_to_end(session: &mut Session, what: &str, stop_at_sft_end: bool) -> Result<Option<EvalReport>> {
    let bar = crate::run::progress_bar(session);
    bar.set_message(what.to_string());
    while !session.is_done() && !(stop_at_sft_end && session.at_sft_end()) {
        let r = block_on(session.step())?;
        bar.inc(1);
        bar.set_message(format!("{what}: {}", r.phase));
    }
    bar.finish_and_clear();
    Ok(session.final_eval.clone())
}

pub fn run(args: CompareArgs, choice: BackendChoice, seed: Option<u64>) -> Result<()> {
    if args.run.algo.is_some() {
        bail!("compare trains every method in --methods; --algo is not used here");
    }
    if args.seeds == 0 {
        bail!("--seeds must be at least 1");
    }
    for m in &args.methods {
        m.parse::<Algo>()?;
    }
    for p in &args.pairs {
        if p != "prompt" && p != "response" {
            bail!("--pairs {p}: expected prompt or response");
        }
    }
    crate::run::install_exercise_solutions(args.run.use_exercise_solutions);
    let seed = args.run.config(seed)?.seed;
    let out =
        if args.run.out == std::path::Path::new("runs/latest") { "runs/compare".into() } else { args.run.out.clone() };
    let device = device_for(choice)?;
    println!("device: {}", describe(choice, &device));
    let started = Instant::now();
    let mut outcomes: Vec<Outcome> = Vec::new();
    let mut log = String::new();
    for s in seed..seed + args.seeds {
        let mut config = args.run.config(Some(s))?;
        config.algo = Algo::Sft;
        let mut sft = Session::new(config.clone(), device.clone())?;
        run_to_end(&mut sft, &format!("seed {s}: SFT"), true)?;
        let snapshot = sft.snapshot()?;
        drop(sft);
        for method in &args.methods {
            let uses_pairs = method != "ppo-oracle" && method != "sft";
            let kinds: Vec<Option<&str>> =
                if uses_pairs { args.pairs.iter().map(|p| Some(p.as_str())).collect() } else { vec![None] };
            for pairs in kinds {
                let t0 = Instant::now();
                let mut overrides = vec![format!("algo={method}")];
                if let Some(p) = pairs {
                    overrides.push(format!("pref.pairs={p}"));
                }
                let mut session = Session::branch(&snapshot, device.clone(), "the SFT snapshot", &overrides)?;
                let name = label(method, pairs);
                let last = run_to_end(&mut session, &format!("seed {s}: {name}"), false)?
                    .or_else(|| session.sft_eval.clone())
                    .context("the run ended without an evaluation")?;
                let first = session.sft_eval.clone().context("the run has no SFT evaluation")?;
                let o = Outcome {
                    seed: s,
                    method: method.clone(),
                    pairs: pairs.map(str::to_string),
                    sft_prompt_strict: first.prompt_strict,
                    sft_instruction_strict: first.instruction_strict,
                    prompt_strict: last.prompt_strict,
                    instruction_strict: last.instruction_strict,
                    seconds: t0.elapsed().as_secs_f64(),
                };
                println!(
                    "seed {s}  {name:<36} prompt-strict {:.3} (SFT {:.3})  instruction-strict {:.3} (SFT {:.3})  {:.0}s",
                    o.prompt_strict, o.sft_prompt_strict, o.instruction_strict, o.sft_instruction_strict, o.seconds
                );
                log.push_str(&(serde_json::to_string(&o)? + "\n"));
                write_atomic(&out.join("results.jsonl"), log.as_bytes()).context("saving results.jsonl")?;
                outcomes.push(o);
            }
        }
    }

    // The table: the SFT start once, then each method (and pair kind) in the order asked.
    let mut rows: Vec<(String, Vec<f64>, Vec<f64>)> = Vec::new();
    let mut sft_by_seed: BTreeMap<u64, (f64, f64)> = BTreeMap::new();
    for o in &outcomes {
        sft_by_seed.insert(o.seed, (o.sft_prompt_strict, o.sft_instruction_strict));
    }
    rows.push((
        "SFT start".into(),
        sft_by_seed.values().map(|v| v.0).collect(),
        sft_by_seed.values().map(|v| v.1).collect(),
    ));
    let mut order: Vec<(String, Option<String>)> = Vec::new();
    for o in &outcomes {
        let key = (o.method.clone(), o.pairs.clone());
        if !order.contains(&key) {
            order.push(key);
        }
    }
    for (method, pairs) in &order {
        let picked: Vec<&Outcome> = outcomes.iter().filter(|o| &o.method == method && &o.pairs == pairs).collect();
        rows.push((
            label(method, pairs.as_deref()),
            picked.iter().map(|o| o.prompt_strict).collect(),
            picked.iter().map(|o| o.instruction_strict).collect(),
        ));
    }
    let mut table = String::new();
    writeln!(table, "| method | prompt-level strict | instruction-level strict |")?;
    writeln!(table, "|---|---|---|")?;
    for (name, p, i) in &rows {
        let ((pm, ps), (im, is)) = (mean_std(p), mean_std(i));
        writeln!(table, "| {name} | {:.1} ± {:.1} | {:.1} ± {:.1} |", 100.0 * pm, 100.0 * ps, 100.0 * im, 100.0 * is)?;
    }
    let n_eval = args.run.config(Some(seed))?.task.n_eval;
    let command: Vec<String> = std::env::args().collect();
    let header = format!(
        "Held-out prompts of the built-in task (unseen constraint combinations), {n_eval} prompts, greedy decoding; \
         % strict accuracy, mean ± std over {} seeds ({}..{}). Every method starts from the same SFT model of its seed.\n\
         Command: `{}`; {:.0} s on {}.\n\n",
        args.seeds,
        seed,
        seed + args.seeds - 1,
        command.join(" "),
        started.elapsed().as_secs_f64(),
        describe(choice, &device)
    );
    write_atomic(&out.join("compare.md"), (header.clone() + &table).as_bytes()).context("saving compare.md")?;
    println!("\n{header}{table}");
    println!("files in {}/ (compare.md, results.jsonl)", out.display());
    Ok(())
}
