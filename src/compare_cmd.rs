//! `gapo compare`: the paper's comparison on the built-in task. For each seed, SFT is trained once; every
//! method then starts from that same SFT model (a `Restore::Branch` of the SFT-end snapshot) with the same
//! data and budget, on preferential-prompt and on preferential-response pairs. It prints the table of
//! held-out prompt- and instruction-level strict accuracy, mean ± std over seeds, and writes it with every
//! single result to the output folder.

use crate::atomic::write_atomic;
use crate::run::RunArgs;
use anyhow::{Context, Result, bail};
use clap::Args;
use futures_lite::future::block_on;
use gapo_core::device::{BackendChoice, describe, device_for};
use gapo_core::session::{Algo, Inputs, Restore, Session};
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
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "gapo,ppo,ppo-oracle,sft-continued,ppo-decoder-rm,dpo,kto,simpo,orpo"
    )]
    pub methods: Vec<String>,
    /// Pair kinds the pair-trained methods learn from: prompt (preferential prompts), response.
    #[arg(long, value_delimiter = ',', default_value = "prompt,response")]
    pub pairs: Vec<String>,
    /// The budget and settings every method shares (as `gapo run`; --algo is not used).
    #[command(flatten)]
    pub run: RunArgs,
}

/// One trained method on one seed: held-out (out-of-distribution) and in-distribution pass rates of its SFT
/// start and of its end.
#[derive(serde::Serialize)]
struct Outcome {
    seed: u64,
    method: String,
    pairs: Option<String>,
    sft_prompt_strict: f64,
    sft_instruction_strict: f64,
    prompt_strict: f64,
    instruction_strict: f64,
    sft_in_prompt_strict: Option<f64>,
    in_prompt_strict: Option<f64>,
    generator_updates: usize,
    seconds: f64,
}

impl Outcome {
    /// Paired gain in points of held-out prompt-level strict over the seed's SFT start.
    fn gain(&self) -> f64 {
        100.0 * (self.prompt_strict - self.sft_prompt_strict)
    }
    /// The same on the in-distribution prompts.
    fn gain_in(&self) -> Option<f64> {
        Some(100.0 * (self.in_prompt_strict? - self.sft_in_prompt_strict?))
    }
}

fn label(method: &str, pairs: Option<&str>) -> String {
    let name = match method {
        "gapo" => "GAPO (encoder D, retrained)",
        "sft-continued" => "SFT continued (control)",
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
    let hooks = crate::run::exercise_solutions(args.run.use_exercise_solutions);
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
        let mut sft = Session::new(config.clone(), Inputs { hooks, ..Inputs::default() }, device.clone())?;
        run_to_end(&mut sft, &format!("seed {s}: SFT"), true)?;
        let snapshot = sft.snapshot()?;
        drop(sft);
        for method in &args.methods {
            let uses_pairs = !matches!(method.as_str(), "ppo-oracle" | "sft" | "sft-continued");
            let kinds: Vec<Option<&str>> =
                if uses_pairs { args.pairs.iter().map(|p| Some(p.as_str())).collect() } else { vec![None] };
            for pairs in kinds {
                let t0 = Instant::now();
                let mut overrides = vec![format!("algo={method}")];
                if let Some(p) = pairs {
                    overrides.push(format!("pref.pairs={p}"));
                }
                let mut session = Session::restore(
                    &snapshot,
                    "the SFT snapshot",
                    Restore::Branch,
                    &overrides,
                    Inputs { hooks, ..Inputs::default() },
                    device.clone(),
                )?;
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
                    sft_in_prompt_strict: first.in_distribution.as_ref().map(|r| r.prompt_strict),
                    in_prompt_strict: last.in_distribution.as_ref().map(|r| r.prompt_strict),
                    generator_updates: updates(&session.config),
                    seconds: t0.elapsed().as_secs_f64(),
                };
                println!(
                    "seed {s}  {name:<36} prompt-strict {:.3} (SFT {:.3}, {:+.1} points)  instruction-strict {:.3} (SFT {:.3})  {:.0}s",
                    o.prompt_strict,
                    o.sft_prompt_strict,
                    o.gain(),
                    o.instruction_strict,
                    o.sft_instruction_strict,
                    o.seconds
                );
                log.push_str(&(serde_json::to_string(&o)? + "\n"));
                write_atomic(&out.join("results.jsonl"), log.as_bytes()).context("saving results.jsonl")?;
                outcomes.push(o);
            }
        }
    }

    let table = table(&outcomes)?;
    let n_eval = args.run.config(Some(seed))?.task.n_eval;
    let command: Vec<String> = std::env::args().collect();
    let header = format!(
        "Gain of each method over its own SFT start, in points of prompt-level strict accuracy (exact checkers, \
         greedy decoding), paired per seed: held out = {n_eval} prompts of unseen constraint combinations (out of \
         distribution), in dist. = unseen prompts of the training combinations. Mean with a 95% interval \
         (Student's t) over {} seeds ({}..{}); signs = seeds with a gain / with a loss. Every method starts from the \
         same SFT model of its seed and makes the same number of generator updates (PPO-style methods; SFT \
         continued makes as many SFT updates); seconds are per run, mean over seeds.\n\
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

/// Generator updates a method's run makes: the PPO budget for PPO-style methods and continued SFT, the
/// preference steps for the offline methods.
fn updates(config: &gapo_core::session::RunConfig) -> usize {
    match config.algo {
        Algo::Dpo | Algo::Ipo | Algo::Kto | Algo::Simpo | Algo::Orpo => config.pref.steps,
        Algo::Sft => 0,
        _ => config.generator_updates(),
    }
}

/// Two-sided 95% Student's t quantile for `df` degrees of freedom (table to 30, then the normal's 1.96).
fn t95(df: usize) -> f64 {
    const T: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
        2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
    ];
    if df == 0 { f64::NAN } else { T.get(df - 1).copied().unwrap_or(1.96) }
}

/// "mean [lo, hi]" of paired gains with the 95% interval; "mean" alone for one seed.
fn interval(v: &[f64]) -> String {
    let (m, sd) = mean_std(v);
    if v.len() < 2 {
        return format!("{m:+.1}");
    }
    let half = t95(v.len() - 1) * sd / (v.len() as f64).sqrt();
    format!("{m:+.1} [{:+.1}, {:+.1}]", m - half, m + half)
}

/// The results table: the SFT start's pass rates, then one row per method (and pair kind) in the order run.
fn table(outcomes: &[Outcome]) -> Result<String> {
    let mut t = String::new();
    let mut sft: BTreeMap<u64, (f64, Option<f64>)> = BTreeMap::new();
    for o in outcomes {
        sft.insert(o.seed, (o.sft_prompt_strict, o.sft_in_prompt_strict));
    }
    let held: Vec<f64> = sft.values().map(|v| 100.0 * v.0).collect();
    let inside: Vec<f64> = sft.values().filter_map(|v| v.1.map(|x| 100.0 * x)).collect();
    writeln!(t, "| method | held out: gain | signs | in dist.: gain | signs | per seed (held out) | updates | s |")?;
    writeln!(t, "|---|---|---|---|---|---|---|---|")?;
    let (hm, _) = mean_std(&held);
    let im = if inside.is_empty() { "–".to_string() } else { format!("{:.1}", mean_std(&inside).0) };
    writeln!(t, "| SFT start (pass rate, %) | {hm:.1} | | {im} | | | | |")?;
    let mut order: Vec<(String, Option<String>)> = Vec::new();
    for o in outcomes {
        let key = (o.method.clone(), o.pairs.clone());
        if !order.contains(&key) {
            order.push(key);
        }
    }
    let signs =
        |v: &[f64]| format!("{}/{}", v.iter().filter(|g| **g > 0.0).count(), v.iter().filter(|g| **g < 0.0).count());
    for (method, pairs) in &order {
        let picked: Vec<&Outcome> = outcomes.iter().filter(|o| &o.method == method && &o.pairs == pairs).collect();
        let gains: Vec<f64> = picked.iter().map(|o| o.gain()).collect();
        let gains_in: Vec<f64> = picked.iter().filter_map(|o| o.gain_in()).collect();
        let per_seed: Vec<String> = gains.iter().map(|g| format!("{g:+.1}")).collect();
        let (in_cell, in_signs) = if gains_in.is_empty() {
            ("–".to_string(), String::new())
        } else {
            (interval(&gains_in), signs(&gains_in))
        };
        writeln!(
            t,
            "| {} | {} | {} | {in_cell} | {in_signs} | {} | {} | {:.0} |",
            label(method, pairs.as_deref()),
            interval(&gains),
            signs(&gains),
            per_seed.join(" "),
            picked.first().map_or(0, |o| o.generator_updates),
            mean_std(&picked.iter().map(|o| o.seconds).collect::<Vec<_>>()).0
        )?;
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(seed: u64, method: &str, sft: f64, end: f64) -> Outcome {
        Outcome {
            seed,
            method: method.into(),
            pairs: None,
            sft_prompt_strict: sft,
            sft_instruction_strict: 0.0,
            prompt_strict: end,
            instruction_strict: 0.0,
            sft_in_prompt_strict: Some(sft),
            in_prompt_strict: Some(end + 0.01),
            generator_updates: 960,
            seconds: 10.0,
        }
    }

    #[test]
    fn the_table_pairs_each_method_with_its_own_sft_start() {
        // Seeds start from different SFT models; the gains are end − start of the same seed.
        let outcomes = vec![
            outcome(1, "gapo", 0.30, 0.40),
            outcome(1, "sft-continued", 0.30, 0.29),
            outcome(2, "gapo", 0.50, 0.56),
            outcome(2, "sft-continued", 0.50, 0.52),
            outcome(3, "gapo", 0.40, 0.48),
            outcome(3, "sft-continued", 0.40, 0.40),
        ];
        let t = table(&outcomes).unwrap();
        // GAPO: gains 10, 6, 8 → mean 8, sd 2, half-width 4.303 · 2 / √3 = 4.97.
        assert!(t.contains("| GAPO (encoder D, retrained) | +8.0 [+3.0, +13.0] | 3/0 | +9.0 [+4.0, +14.0] | 3/0 | +10.0 +6.0 +8.0 | 960 | 10 |"), "{t}");
        assert!(t.contains("| SFT continued (control) | +0.3 [") && t.contains("| 1/1 |"), "{t}");
        assert!(t.contains("| SFT start (pass rate, %) | 40.0 |"), "{t}");
    }

    #[test]
    fn the_t_quantile_falls_to_the_normal() {
        assert_eq!(t95(1), 12.706);
        assert_eq!(t95(7), 2.365);
        assert_eq!(t95(200), 1.96);
        assert_eq!(interval(&[5.0]), "+5.0");
    }
}
