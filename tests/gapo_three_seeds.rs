//! GAPO's bar on the `form` preset, in one test: on seeds 42, 43 and 44, not one chosen seed, the `form` preset
//! shows the adversarial dynamics in every phase and raises the held-out pass rate above each seed's SFT
//! start (docs/findings.md, at 62ed2b9: +5.0, +12.0 and +10.5 points, 60 of 60 phases; on
//! seeds 45, 46 and 47, which are not tested, +5.0, -8.5 and +8.5).
//!
//! The test runs three `gapo` processes side by side: burn's CPU backend keeps one random stream per
//! process, so runs in one process would draw from each other's; and three runs on two cores finish sooner
//! than one after the other (release CLI at 62ed2b9: seed 42 alone 372 s, three side by side 763–773
//! s each). Minutes, so ignored by a plain `cargo test`; `.ci/run` runs it with `-- --ignored on_three_seeds`.

use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// One run's `metrics.jsonl`: D's mean score of the generator's samples at each probe, by stage, and the
/// held-out prompt- and instruction-level strict pass rates at the SFT start and at the end.
struct Run {
    /// The run's `gapo.stages` (its config.json).
    stages: usize,
    /// (stage start, after the generator phase, after the discriminator phase), stage by stage.
    fake_scores: Vec<[f64; 3]>,
    sft: (f64, f64),
    gapo: (f64, f64),
}

fn read_run(dir: &Path) -> Run {
    let text = std::fs::read_to_string(dir.join("metrics.jsonl")).expect("metrics.jsonl");
    let rows: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).expect("a json line")).collect();
    let mut fake_scores: Vec<[f64; 3]> = Vec::new();
    let (mut sft, mut gapo) = (None, None);
    for row in &rows {
        let metric = |k: &str| row["metrics"][k].as_f64().unwrap_or_else(|| panic!("{k} in {row}"));
        match row["phase"].as_str().expect("phase") {
            "probe" => {
                let stage = row["stage"].as_u64().expect("stage") as usize;
                if fake_scores.len() <= stage {
                    fake_scores.resize(stage + 1, [f64::NAN; 3]);
                }
                let point = match row["probe"].as_str().expect("probe point") {
                    "stage_start" => 0,
                    "after_generator" => 1,
                    "after_discriminator" => 2,
                    other => panic!("unknown probe point {other}"),
                };
                fake_scores[stage][point] = metric("disc/fake_score");
            }
            "eval_sft" => sft = Some((metric("eval/prompt_strict"), metric("eval/instruction_strict"))),
            "eval" => gapo = Some((metric("eval/prompt_strict"), metric("eval/instruction_strict"))),
            _ => {}
        }
    }
    let config: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("config.json")).expect("config.json"))
        .expect("config.json is json");
    let stages = config["gapo"]["stages"].as_u64().expect("gapo.stages in config.json") as usize;
    Run { stages, fake_scores, sft: sft.expect("an eval_sft row"), gapo: gapo.expect("an eval row") }
}

/// `gapo run --config form` for seeds 42, 43 and 44 at once; each run's metrics.
fn three_runs() -> Vec<(u64, Run)> {
    let dir = tempfile::tempdir().unwrap();
    let children: Vec<_> = [42u64, 43, 44]
        .into_iter()
        .map(|seed| {
            let out = dir.path().join(seed.to_string());
            let child = Command::new(env!("CARGO_BIN_EXE_gapo"))
                .args(["run", "--config", "form", "--checkpoint-every", "0", "--seed", &seed.to_string()])
                .arg("--out")
                .arg(&out)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("start gapo");
            (seed, out, child)
        })
        .collect();
    children
        .into_iter()
        .map(|(seed, out, child)| {
            let output = child.wait_with_output().unwrap();
            assert!(output.status.success(), "seed {seed}: {}", String::from_utf8_lossy(&output.stderr));
            let run = read_run(&out);
            for (stage, [start, after_g, after_d]) in run.fake_scores.iter().enumerate() {
                println!(
                    "seed {seed} stage {stage}: D's score of samples {start:.3} → G → {after_g:.3} → D → {after_d:.3}"
                );
            }
            println!(
                "seed {seed}: held-out prompt / instruction strict {:.3} / {:.3} (SFT) → {:.3} / {:.3} (GAPO)",
                run.sft.0, run.sft.1, run.gapo.0, run.gapo.1
            );
            (seed, run)
        })
        .collect()
}

/// The bar in one configuration, the `form` preset as it is, on seeds 42, 43 and 44: D's score of
/// the generator's samples (training prompts, common random numbers) rises in every generator phase and
/// falls in every discriminator phase, and the held-out prompt-level strict pass rate (IFEval's headline
/// number, 200 held-out prompts) ends above each seed's own SFT start.
#[test]
#[ignore = "minutes: .ci/run runs it with -- --ignored on_three_seeds"]
fn gapo_shows_the_adversarial_dynamics_and_beats_its_sft_start_on_three_seeds() {
    let mut failures = Vec::new();
    for (seed, run) in three_runs() {
        if run.fake_scores.len() != run.stages || run.stages < 2 {
            failures.push(format!("seed {seed}: probes of {} stages of {}", run.fake_scores.len(), run.stages));
        }
        for (stage, [start, after_g, after_d]) in run.fake_scores.into_iter().enumerate() {
            if !(after_g > start) {
                failures.push(format!(
                    "seed {seed} stage {stage}: the generator phase did not raise it ({start:.3} → {after_g:.3})"
                ));
            }
            if !(after_d < after_g) {
                failures.push(format!(
                    "seed {seed} stage {stage}: the discriminator phase did not lower it ({after_g:.3} → {after_d:.3})"
                ));
            }
        }
        let gain = run.gapo.0 - run.sft.0;
        println!("seed {seed}: prompt-level strict {:+.1} points", gain * 100.0);
        if !(gain > 0.0) {
            failures.push(format!(
                "seed {seed}: held-out prompt-level strict {:.3} (SFT) → {:.3} (GAPO), no gain",
                run.sft.0, run.gapo.0
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
