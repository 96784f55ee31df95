//! Every number of the run config, walked through the CLI with the values a typo or a careless script
//! gives: zero, negative, NaN, infinite, absurdly large. Each either makes sense (the config is accepted)
//! or is refused with a message that names the field; never a panic. A non-finite or absurd value is
//! never accepted. `gapo run --check` resolves and checks the config exactly as a run does before any work,
//! then stops; the last test runs the accepted edge values for real.

use serde_json::Value;
use std::process::{Command, Output};

fn gapo(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gapo")).args(args).output().expect("run gapo")
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// The dotted path of every number in `tree`.
fn numeric_paths(tree: &Value, path: &str, into: &mut Vec<String>) {
    match tree {
        Value::Object(fields) => {
            for (k, v) in fields {
                numeric_paths(v, &if path.is_empty() { k.clone() } else { format!("{path}.{k}") }, into);
            }
        }
        Value::Number(_) => into.push(path.to_string()),
        _ => {}
    }
}

/// The checked config as `gapo run --check` prints it, with `sets` applied.
fn checked_config(sets: &[&str]) -> Value {
    let mut args = vec!["run", "--check"];
    for s in sets {
        args.extend(["--set", s]);
    }
    let out = gapo(&args);
    assert!(out.status.success(), "{}", text(&out));
    serde_json::from_slice(&out.stdout).expect("--check prints the config as JSON")
}

#[test]
fn every_numeric_field_takes_or_names_each_bad_value_without_a_panic() {
    // The adaptive KL controller's fields exist only in its variant; the optional ones only when set.
    let variants: [&[&str]; 2] = [
        &["disc.warmup_lr=1e-3"],
        &["ppo.kl={kind=\"adaptive\",beta=0.1,target=6.0,horizon=10000}", "disc.warmup_lr=1e-3"],
    ];
    let mut walked = 0;
    for base in variants {
        let mut paths = Vec::new();
        numeric_paths(&checked_config(base), "", &mut paths);
        assert!(paths.len() > 40, "{paths:?}");
        for path in &paths {
            for value in ["0", "-1", "-3.5", "nan", "inf", "-inf", "1e30", "18446744073709551615"] {
                let set = format!("{path}={value}");
                let mut args = vec!["run", "--check"];
                for s in base {
                    args.extend(["--set", s]);
                }
                args.extend(["--set", &set]);
                let out = gapo(&args);
                let said = text(&out);
                assert!(!said.contains("panicked"), "--set {set}: {said}");
                if out.status.success() {
                    let absurd = ["nan", "inf", "-inf", "1e30"].contains(&value);
                    assert!(!absurd || path == "seed" || path == "task.seed", "--set {set} was accepted");
                    if path != "seed" && path != "task.seed" {
                        assert!(value != "18446744073709551615", "--set {set} was accepted");
                    }
                } else {
                    assert!(said.contains(path.as_str()), "--set {set}: the error does not name the field: {said}");
                }
                walked += 1;
            }
        }
    }
    assert!(walked > 600, "{walked}");
}

#[test]
fn the_values_seen_to_break_runs_are_refused_with_their_range() {
    for (set, says) in [
        ("eval.max_new_tokens=0", "at least 1"),
        ("ppo.max_new_tokens=0", "at least 1"),
        ("ppo.rollout_batch=0", "at least 1"),
        ("ppo.kl.beta=-3", "at least 0"),
        ("sft.lr=nan", "NaN or infinite"),
        ("eval.max_new_tokens=500", "context of 160 tokens"),
    ] {
        let out = gapo(&["run", "--check", "--set", set]);
        let field = set.split('=').next().unwrap();
        assert!(!out.status.success(), "--set {set} was accepted");
        assert!(text(&out).contains(field) && text(&out).contains(says), "--set {set}: {}", text(&out));
    }
    // A seed TOML cannot hold (its integers are i64), given as the global flag.
    let out = gapo(&["--seed", "18446744073709551615", "run", "--check"]);
    assert!(!out.status.success() && !text(&out).contains("panicked"), "{}", text(&out));
    assert!(text(&out).contains("seed") && text(&out).contains("at most 9223372036854775807"), "{}", text(&out));
}

#[test]
fn the_accepted_edge_values_run_to_the_end() {
    // Zero where zero means "off": no KL penalty, no fakes, no warm-up, D never retrained, no top-k cut,
    // whole minibatches, no in-distribution split, no PPO-ptx.
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("run");
    let mut args: Vec<String> =
        "run --steps 3 --n-train 40 --n-eval 6 --stages 1 --rollouts 1 --out".split(' ').map(String::from).collect();
    args.push(out_dir.to_string_lossy().into_owned());
    for s in [
        "ppo.kl.beta=0",
        "gapo.fake_share=0",
        "disc.warmup_epochs=0",
        "disc.epochs_per_stage=0",
        "ppo.top_k=0",
        "ppo.micro_batch=0",
        "task.n_eval_in=0",
        "ppo.ptx_coef=0",
        "seed=0",
    ] {
        args.extend(["--set".to_string(), s.to_string()]);
    }
    let out = Command::new(env!("CARGO_BIN_EXE_gapo")).args(&args).output().unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let metrics = std::fs::read_to_string(out_dir.join("metrics.jsonl")).unwrap();
    assert!(metrics.contains("\"phase\":\"eval\""), "the run did not reach its evaluation");
}
