//! The `gapo` binary end to end: the default job on a few steps writes loadable files, and bad input
//! (device, preset) fails with a message that names it.

use std::process::Command;

fn gapo(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_gapo"))
        .args(args)
        .output()
        .expect("run gapo")
}

fn text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn env_reports_versions_and_backends() {
    let out = gapo(&["env"]);
    assert!(out.status.success(), "{}", text(&out));
    let t = text(&out);
    assert!(
        t.contains("burn 0.22.1")
            && t.contains("backends compiled in: cpu")
            && t.contains("device: cpu"),
        "{t}"
    );
}

#[test]
fn unknown_or_missing_backends_are_clear_errors() {
    let out = gapo(&["--device", "tpu", "env"]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("tpu") && text(&out).contains("expected one of"),
        "{}",
        text(&out)
    );
    if !cfg!(feature = "cuda") {
        let out = gapo(&["--device", "cuda", "run", "--steps", "1"]);
        assert!(!out.status.success());
        assert!(text(&out).contains("--features cuda"), "{}", text(&out));
    }
    let out = gapo(&["run", "--preset", "enormous"]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("unknown preset `enormous`") && text(&out).contains("tiny"),
        "{}",
        text(&out)
    );
}

#[test]
fn the_default_job_writes_loadable_files() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("run");
    let out = gapo(&["run", "--steps", "4", "--out", out_dir.to_str().unwrap()]);
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    assert!(
        t.contains("sft step    0/4") && t.contains("samples after training"),
        "{t}"
    );
    for name in [
        "tokenizer.json",
        "preset.toml",
        "generator.safetensors",
        "discriminator.safetensors",
        "metrics.jsonl",
    ] {
        assert!(out_dir.join(name).is_file(), "{name} missing: {t}");
    }
    // No temporary files are left behind.
    let leftovers: Vec<_> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    assert_eq!(
        std::fs::read_to_string(out_dir.join("metrics.jsonl"))
            .unwrap()
            .lines()
            .count(),
        4
    );

    // The checkpoint loads into a model built from the config it records.
    let bytes = std::fs::read(out_dir.join("generator.safetensors")).unwrap();
    let info = gapo_core::checkpoint::read_info(&bytes, "generator.safetensors").unwrap();
    let cfg: gapo_core::model::GeneratorConfig = serde_json::from_str(&info.config_json).unwrap();
    let device = burn::tensor::Device::flex();
    gapo_core::checkpoint::load_bytes(
        cfg.init(&device),
        bytes,
        "generator",
        "generator.safetensors",
    )
    .unwrap();
    let tok = std::fs::read(out_dir.join("tokenizer.json")).unwrap();
    gapo_core::tokenizer::GapoTokenizer::from_json(&tok, "tokenizer.json").unwrap();
}
