//! The `gapo` binary end to end: the default job on a few steps writes loadable files, data export and
//! check round-trip, `train --data` reads user files, and bad input (device, preset, data) fails with a
//! message that names it.

use std::path::Path;
use std::process::Command;

fn gapo(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_gapo")).args(args).output().expect("run gapo")
}

fn text(out: &std::process::Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

fn no_temporaries(dir: &Path) {
    let leftovers: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn env_reports_versions_and_backends() {
    let out = gapo(&["env"]);
    assert!(out.status.success(), "{}", text(&out));
    let t = text(&out);
    assert!(t.contains("burn 0.22.1") && t.contains("backends compiled in: cpu") && t.contains("device: cpu"), "{t}");
}

#[test]
fn unknown_or_missing_backends_are_clear_errors() {
    let out = gapo(&["--device", "tpu", "env"]);
    assert!(!out.status.success());
    assert!(text(&out).contains("tpu") && text(&out).contains("expected one of"), "{}", text(&out));
    if !cfg!(feature = "cuda") {
        let out = gapo(&["--device", "cuda", "run", "--steps", "1"]);
        assert!(!out.status.success());
        assert!(text(&out).contains("--features cuda"), "{}", text(&out));
    }
    let out = gapo(&["run", "--preset", "enormous"]);
    assert!(!out.status.success());
    assert!(text(&out).contains("unknown preset `enormous`") && text(&out).contains("tiny"), "{}", text(&out));
}

#[test]
fn the_default_job_writes_loadable_files_and_a_report() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("run");
    let args = ["run", "--steps", "3", "--n-train", "40", "--n-eval", "6", "--stages", "1", "--rollouts", "1", "--out"];
    let out = gapo(&[&args[..], &[out_dir.to_str().unwrap()]].concat());
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    for want in [
        "[    0] sft",
        "SFT start: prompt-level strict",
        "warmup",
        "probe StageStart",
        "stage 0 generator",
        "stage 0 discriminator",
        "result: prompt-level strict",
        "instruction-strict",
    ] {
        assert!(t.contains(want), "missing `{want}` in:\n{t}");
    }
    for name in ["config.json", "tokenizer.json", "generator.safetensors", "metrics.jsonl", "samples.jsonl"] {
        assert!(out_dir.join(name).is_file(), "{name} missing: {t}");
    }
    no_temporaries(&out_dir);
    let metrics = std::fs::read_to_string(out_dir.join("metrics.jsonl")).unwrap();
    for name in ["loss/sft", "disc/loss", "objective/kl", "loss/policy_avg", "disc/fake_score", "eval/prompt_strict"] {
        assert!(metrics.contains(name), "metrics.jsonl lacks {name}");
    }
    // `gapo eval` reloads the run's files and scores the same held-out prompts the same way.
    let numbers = |t: &str, label: &str| t.lines().find_map(|l| l.strip_prefix(label)).map(str::to_string);
    let eval = gapo(&["eval", "--run", out_dir.to_str().unwrap()]);
    assert!(eval.status.success(), "{}", text(&eval));
    assert_eq!(numbers(&text(&eval), "evaluation:"), numbers(&t, "result:"), "{}", text(&eval));
    let samples = std::fs::read_to_string(out_dir.join("samples.jsonl")).unwrap();
    assert_eq!(samples.lines().count(), 6);
    let first: serde_json::Value = serde_json::from_str(samples.lines().next().unwrap()).unwrap();
    assert!(first["constraints"][0]["verdict"]["pass"].is_boolean(), "{first}");

    // The checkpoint loads into a model built from the config it records.
    let bytes = std::fs::read(out_dir.join("generator.safetensors")).unwrap();
    let info = gapo_core::checkpoint::read_info(&bytes, "generator.safetensors").unwrap();
    let cfg: gapo_core::model::GeneratorConfig = serde_json::from_str(&info.config_json).unwrap();
    let device = burn::tensor::Device::flex();
    gapo_core::checkpoint::load_bytes(cfg.init(&device), bytes, "generator", "generator.safetensors").unwrap();
    let tok = std::fs::read(out_dir.join("tokenizer.json")).unwrap();
    gapo_core::tokenizer::GapoTokenizer::from_json(&tok, "tokenizer.json").unwrap();
}

#[test]
fn data_export_check_and_train_on_every_format() {
    let dir = tempfile::tempdir().unwrap();
    for (format, pairs) in [("trl-pref", "pr"), ("kto", "pp"), ("pointwise", "pp"), ("gapo", "pp"), ("gapo", "pr")] {
        let file = dir.path().join(format!("{format}-{pairs}.jsonl"));
        let f = file.to_str().unwrap();
        let out = gapo(&["data", "export", "--format", format, "--pairs", pairs, "--n", "30", "--out", f]);
        assert!(out.status.success(), "{}", text(&out));
        let out = gapo(&["data", "check", f]);
        assert!(out.status.success() && text(&out).contains(&format!("format {format}")), "{}", text(&out));
        let run_dir = dir.path().join(format!("train-{format}-{pairs}"));
        let out = gapo(&["train", "--data", f, "--steps", "2", "--out", run_dir.to_str().unwrap()]);
        assert!(out.status.success(), "{}", text(&out));
        assert!(text(&out).contains("preferred (prompt, response) pairs"), "{}", text(&out));
        assert!(run_dir.join("generator.safetensors").is_file());
        no_temporaries(&run_dir);
    }
    let out = gapo(&[
        "data",
        "export",
        "--format",
        "trl-pref",
        "--pairs",
        "pp",
        "--out",
        dir.path().join("x").to_str().unwrap(),
    ]);
    assert!(!out.status.success() && text(&out).contains("cannot hold preferential-prompt pairs"), "{}", text(&out));
}

#[test]
fn bad_data_files_fail_with_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, &[u8], &[&str]); 4] = [
        ("empty.jsonl", b"", &["empty.jsonl", "is empty"]),
        (
            "broken.jsonl",
            b"{\"prompt\": \"p\", \"chosen\": \"a\", \"rejected\": \"b\"}\n{oops\n",
            &["broken.jsonl:2", "not valid JSON"],
        ),
        (
            "typed.jsonl",
            b"{\"prompt\": \"p\", \"completion\": \"c\", \"label\": \"maybe\"}\n",
            &["typed.jsonl:1", "field `label`"],
        ),
        ("latin1.jsonl", b"{\"prompt\": \"caf\xe9\"}\n", &["latin1.jsonl:1", "not UTF-8"]),
    ];
    for (name, bytes, wants) in cases {
        let file = dir.path().join(name);
        std::fs::write(&file, bytes).unwrap();
        for args in [vec!["data", "check", file.to_str().unwrap()], vec!["train", "--data", file.to_str().unwrap()]] {
            let out = gapo(&args);
            assert!(!out.status.success(), "{name}: {}", text(&out));
            for want in wants {
                assert!(text(&out).contains(want), "{name}: `{}` lacks `{want}`", text(&out));
            }
            assert!(!text(&out).contains("panicked"), "{}", text(&out));
        }
    }
    let out = gapo(&["train", "--data", dir.path().join("missing.jsonl").to_str().unwrap()]);
    assert!(!out.status.success() && text(&out).contains("missing.jsonl"), "{}", text(&out));
}
