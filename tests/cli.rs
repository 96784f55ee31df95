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
    for name in [
        "config.json",
        "tokenizer.json",
        "generator.safetensors",
        "discriminator.safetensors",
        "metrics.jsonl",
        "curves.svg",
        "samples.jsonl",
    ] {
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

    // `gapo generate`: a held-out prompt or a typed one in; sample, D's score and verdicts out.
    let d = out_dir.to_str().unwrap();
    let g = gapo(&["generate", "--run", d, "--heldout", "0", "--samples", "2", "--temperature", "1", "--json"]);
    assert!(g.status.success(), "{}", text(&g));
    let lines: Vec<serde_json::Value> =
        String::from_utf8_lossy(&g.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[0]["disc_score"].as_f64().is_some_and(|s| (0.0..=1.0).contains(&s)), "{}", lines[0]);
    assert_eq!(lines[0]["verdicts"].as_array().unwrap().len(), first["constraints"].as_array().unwrap().len());
    let typed = "Describe it.\nProduct: category: lamp; colour: red; material: oak; size: small; price: $5; \
                 feature: quiet.\nRules: Use the word \"banana\". Use at most 12 words.";
    let g = gapo(&["generate", "--run", d, "--prompt", typed]);
    let t = text(&g);
    assert!(g.status.success() && t.contains("include_word") && t.contains("max_words") && t.contains("σ(D)"), "{t}");
    let g = gapo(&["generate", "--run", d, "--prompt", "Product: category: lamp\nRules: Sing."]);
    assert!(!g.status.success() && text(&g).contains("prompt:"), "{}", text(&g));
    let g = gapo(&["generate", "--run", d, "--heldout", "99"]);
    assert!(!g.status.success() && text(&g).contains("--heldout 99: the run has 6 held-out prompts"), "{}", text(&g));

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
        // The session's SFT phase wrote the steps, in the same metrics.jsonl as every other run.
        let metrics = std::fs::read_to_string(run_dir.join("metrics.jsonl")).unwrap();
        assert_eq!(metrics.lines().filter(|l| l.contains("\"phase\":\"sft\"")).count(), 2, "{metrics}");
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

/// Every float tensor of a run's generator, by path.
fn generator_weights(dir: &Path) -> Vec<(String, Vec<usize>, Vec<f32>)> {
    let bytes = std::fs::read(dir.join("generator.safetensors")).unwrap();
    let info = gapo_core::checkpoint::read_info(&bytes, "generator.safetensors").unwrap();
    let cfg: gapo_core::model::GeneratorConfig = serde_json::from_str(&info.config_json).unwrap();
    let device = burn::tensor::Device::flex();
    let g = gapo_core::checkpoint::load_bytes(cfg.init(&device), bytes, "generator", "generator.safetensors").unwrap();
    gapo_core::model::init::collect_params(&g, gapo_core::model::init::Read::Values)
}

/// Starts `gapo ARGS` and SIGKILLs it as soon as `out/metrics.jsonl` shows a generator step of stage 1.
fn kill_in_stage_1_generator_phase(args: &[String], out: &Path) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gapo"))
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let metrics = out.join("metrics.jsonl");
    let in_stage_1 = |s: &str| s.lines().any(|l| l.contains(r#""phase":"generator""#) && l.contains(r#""stage":1"#));
    loop {
        if in_stage_1(&std::fs::read_to_string(&metrics).unwrap_or_default()) {
            child.kill().unwrap(); // SIGKILL on Unix
            break;
        }
        assert!(child.try_wait().unwrap().is_none(), "the run ended before it could be killed");
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    child.wait().unwrap();
}

#[test]
fn a_run_killed_mid_stage_and_resumed_ends_as_an_uninterrupted_one() {
    let dir = tempfile::tempdir().unwrap();
    let (killed, whole) = (dir.path().join("killed"), dir.path().join("whole"));
    let args = |out: &Path| -> Vec<String> {
        let s = "run --steps 6 --n-train 40 --n-eval 6 --stages 4 --rollouts 3 --checkpoint-every 4 \
                 --set ppo.max_new_tokens=8 --set eval.max_new_tokens=8 --set gapo.disc_items_per_stage=8 \
                 --set disc.warmup_epochs=1 --set ppo.rollout_batch=8 --set gapo.probe_prompts=4 --out";
        s.split_whitespace().map(str::to_string).chain([out.display().to_string()]).collect()
    };
    let out = gapo(&args(&whole).iter().map(String::as_str).collect::<Vec<_>>());
    assert!(out.status.success(), "{}", text(&out));
    assert!(!whole.join("resume.bin").exists(), "a finished run removes its resume point");

    // Start the same run and SIGKILL it in the generator phase of stage 1.
    kill_in_stage_1_generator_phase(&args(&killed), &killed);
    assert!(killed.join("resume.bin").is_file() && !killed.join("samples.jsonl").exists());
    no_temporaries(&killed);

    // One flipped bit in the checkpoint is refused before anything is touched; the intact file resumes.
    let intact = std::fs::read(killed.join("resume.bin")).unwrap();
    let mut damaged = intact.clone();
    let middle = damaged.len() / 2;
    damaged[middle] ^= 0x10;
    std::fs::write(killed.join("resume.bin"), &damaged).unwrap();
    let out = gapo(&["train", "--resume", killed.to_str().unwrap()]);
    assert!(!out.status.success() && text(&out).contains("resume.bin: is damaged"), "{}", text(&out));
    std::fs::write(killed.join("resume.bin"), &intact).unwrap();

    let out = gapo(&["train", "--resume", killed.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("resuming") && text(&out).contains("result: prompt-level strict"), "{}", text(&out));
    for name in ["metrics.jsonl", "samples.jsonl", "config.json"] {
        let (a, b) =
            (std::fs::read_to_string(whole.join(name)).unwrap(), std::fs::read_to_string(killed.join(name)).unwrap());
        assert!(a == b, "{name} differs after resuming:\n{a}\n---\n{b}");
    }
    assert!(generator_weights(&whole) == generator_weights(&killed), "the final generator weights differ");

    // Resuming a folder with no checkpoint, or a damaged one, says which file and why.
    let out = gapo(&["train", "--resume", whole.to_str().unwrap()]);
    assert!(!out.status.success() && text(&out).contains("resume.bin"), "{}", text(&out));
    std::fs::write(killed.join("resume.bin"), b"GAPOSNAP3\n\x05").unwrap();
    let out = gapo(&["train", "--resume", killed.to_str().unwrap()]);
    assert!(!out.status.success() && text(&out).contains("resume.bin: is cut short"), "{}", text(&out));
    // A snapshot of an older layout is named as such, not misread.
    std::fs::write(killed.join("resume.bin"), b"GAPOSNAP2\n\x05").unwrap();
    let out = gapo(&["train", "--resume", killed.to_str().unwrap()]);
    assert!(!out.status.success() && text(&out).contains("written by an older gapo"), "{}", text(&out));
}

#[test]
fn a_diverging_update_stops_the_run_naming_the_metric_and_step_and_keeps_the_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let run_dir = dir.path().join("run");
    let d = run_dir.to_str().unwrap();
    let small = "--n-train 40 --n-eval 6 --stages 2 --rollouts 2 --checkpoint-every 1 --set ppo.max_new_tokens=8 \
                 --set eval.max_new_tokens=8 --set disc.warmup_epochs=1 --set ppo.rollout_batch=8 \
                 --set gapo.probe_prompts=4 --set gapo.disc_items_per_stage=8";
    let with = |extra: &str| -> Vec<String> {
        format!("run --steps 3 {small} {extra} --out {d}").split_whitespace().map(String::from).collect()
    };

    // A huge SFT step: the loss turns NaN at the next step.
    let out = gapo(&with("--set sft.lr=1e9").iter().map(String::as_str).collect::<Vec<_>>());
    let t = text(&out);
    assert!(!out.status.success(), "{t}");
    assert!(t.contains("(sft): loss/sft is NaN: the update was skipped") && t.contains("step 1"), "{t}");
    assert!(t.contains("resume.bin (step 1)"), "{t}");

    // A huge policy step: the ratio of the next minibatch leaves its clip range by far.
    let out = gapo(&with("--set ppo.actor_lr=10").iter().map(String::as_str).collect::<Vec<_>>());
    let t = text(&out);
    assert!(!out.status.success(), "{t}");
    assert!(t.contains("(generator): val/ratio is") && t.contains("far outside the clip range"), "{t}");
    assert!(run_dir.join("resume.bin").is_file() && !run_dir.join("samples.jsonl").exists());

    // The kept checkpoint resumes with a sane step size; what the checkpoint was built for cannot change.
    let out = gapo(&["train", "--resume", d, "--set", "algo=ppo"]);
    assert!(!out.status.success() && text(&out).contains("`algo`: cannot change when resuming"), "{}", text(&out));
    let out = gapo(&["train", "--resume", d, "--set", "ppo.actor_lr=1e-5"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(run_dir.join("samples.jsonl").is_file());
    let config: serde_json::Value =
        serde_json::from_slice(&std::fs::read(run_dir.join("config.json")).unwrap()).unwrap();
    assert_eq!(config["ppo"]["actor_lr"].as_f64(), Some(1e-5), "the resumed run records the changed setting");
}

#[test]
fn compare_trains_every_method_from_one_sft_start_and_prints_the_table() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("cmp");
    let args = "compare --seeds 2 --methods gapo,ppo-oracle,sft-continued,dpo --steps 3 --n-train 40 --n-eval 6 --stages 1 \
                --rollouts 1 --set ppo.max_new_tokens=8 --set disc.warmup_epochs=1 --set gapo.probe_prompts=4 \
                --set pref.steps=2 --set gapo.disc_items_per_stage=8 --out";
    let mut args: Vec<&str> = args.split_whitespace().collect();
    args.push(out_dir.to_str().unwrap());
    let out = gapo(&args);
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    for row in [
        "| SFT start (pass rate, %) |",
        "| SFT continued (control) |",
        "| GAPO (encoder D, retrained), PP |",
        "| GAPO (encoder D, retrained), PR |",
        "| PPO, exact checker (ceiling) |",
        "| DPO, PP |",
        "| DPO, PR |",
    ] {
        assert!(t.contains(row), "missing {row}: {t}");
    }
    assert!(t.contains("over 2 seeds (42..43)") && t.contains("| held out: gain | signs | in dist.: gain |"), "{t}");
    let results: Vec<serde_json::Value> = std::fs::read_to_string(out_dir.join("results.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(results.len(), 2 * 6);
    // Every method's row holds the seed's SFT start and its end, held out and in distribution.
    assert!(results.iter().all(|r| r["in_prompt_strict"].is_f64() && r["sft_in_prompt_strict"].is_f64()));
    for seed in [42, 43] {
        let starts: Vec<f64> = results
            .iter()
            .filter(|r| r["seed"] == seed)
            .map(|r| r["sft_instruction_strict"].as_f64().unwrap())
            .collect();
        assert!(starts.windows(2).all(|w| w[0] == w[1]), "seed {seed}: every method starts from one SFT model");
    }
    assert!(std::fs::read_to_string(out_dir.join("compare.md")).unwrap().contains("| DPO, PR |"));
    let out = gapo(&["compare", "--methods", "gapo,magic", "--steps", "1"]);
    assert!(!out.status.success() && text(&out).contains("magic"), "{}", text(&out));
}

#[test]
fn run_configs_by_preset_name_or_file_with_flags_and_set_on_top() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mine.toml");
    std::fs::write(&file, "algo = \"sft\"\nseed = 7\n[sft]\nsteps = 2\n[task]\nn_train = 40\nn_eval = 6\n").unwrap();
    let out_dir = dir.path().join("run");
    let (f, o) = (file.to_str().unwrap(), out_dir.to_str().unwrap());
    let out = gapo(&["run", "--config", f, "--n-eval", "5", "--set", "eval.max_new_tokens=8", "--out", o]);
    assert!(out.status.success(), "{}", text(&out));
    let config: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out_dir.join("config.json")).unwrap()).unwrap();
    assert_eq!(
        (
            &config["algo"],
            &config["seed"],
            &config["sft"]["steps"],
            &config["task"]["n_eval"],
            &config["eval"]["max_new_tokens"]
        ),
        (
            &serde_json::json!("sft"),
            &serde_json::json!(7),
            &serde_json::json!(2),
            &serde_json::json!(5),
            &serde_json::json!(8)
        ),
        "file, then flags, then --set"
    );
    // The global --seed beats the file's.
    let out = gapo(&["--seed", "9", "run", "--config", f, "--out", o]);
    assert!(out.status.success(), "{}", text(&out));
    let config: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out_dir.join("config.json")).unwrap()).unwrap();
    assert_eq!(config["seed"], 9);

    std::fs::write(&file, "[ppo]\nactor_lr = \"fast\"\n").unwrap();
    let out = gapo(&["run", "--config", f]);
    assert!(
        !out.status.success() && text(&out).contains("mine.toml") && text(&out).contains("actor_lr"),
        "{}",
        text(&out)
    );
    std::fs::write(&file, "[gapo]\nstage = 3\n").unwrap();
    let out = gapo(&["run", "--config", f]);
    assert!(!out.status.success() && text(&out).contains("unknown field `stage`"), "{}", text(&out));
    let out = gapo(&["run", "--config", "speedy"]);
    assert!(!out.status.success() && text(&out).contains("unknown run preset `speedy`"), "{}", text(&out));
    let out = gapo(&["run", "--set", "ppo.actor_lrr=1"]);
    assert!(!out.status.success() && text(&out).contains("ppo.actor_lrr"), "{}", text(&out));
}

#[test]
fn use_exercise_solutions_trains_with_the_passing_exercises() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("run");
    let args = "run --use-exercise-solutions --steps 3 --n-train 40 --n-eval 6 --stages 1 --rollouts 2 \
                --set ppo.max_new_tokens=8 --set disc.warmup_epochs=1 --set gapo.probe_prompts=4 \
                --set gapo.disc_items_per_stage=8 --out";
    let mut args: Vec<&str> = args.split_whitespace().collect();
    args.push(out_dir.to_str().unwrap());
    let out = gapo(&args);
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    if cfg!(feature = "exercise-solutions") {
        // CI builds the reference solutions in: all five replace the built-in pieces and the run trains.
        assert!(t.contains("your code for e1_bce, e2_preferential, e3_kl_reward, e4_gae, e5_ppo_clip"), "{t}");
        let metrics = std::fs::read_to_string(out_dir.join("metrics.jsonl")).unwrap();
        for name in ["disc/loss", "loss/policy_avg", "objective/kl"] {
            assert!(metrics.contains(name), "metrics.jsonl lacks {name}");
        }
        assert!(!metrics.contains("NaN"), "{metrics}");
    } else {
        // The repository's stubs are all todo: the built-in code trains.
        assert!(t.contains("none passes its check yet"), "{t}");
    }
    assert!(t.contains("result: prompt-level strict"), "{t}");
}

#[test]
fn train_with_imported_hugging_face_models_writes_a_hugging_face_folder() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/gapo-core/tests/fixtures/hf");
    let (generator, discriminator) = (fixtures.join("qwen2"), fixtures.join("bert"));
    let out = tempfile::tempdir().unwrap();
    let o = gapo(&[
        "train",
        "--generator",
        generator.to_str().unwrap(),
        "--discriminator",
        discriminator.to_str().unwrap(),
        "--config",
        "quick",
        "--n-train",
        "24",
        "--n-eval",
        "4",
        "--max-len",
        "64",
        "--out",
        out.path().to_str().unwrap(),
    ]);
    let t = text(&o);
    assert!(o.status.success(), "{t}");
    assert!(t.contains("Qwen2") && t.contains("Bert"), "the models it read are named: {t}");
    let folder = out.path().join("generator");
    let config: serde_json::Value =
        serde_json::from_slice(&std::fs::read(folder.join("config.json")).unwrap()).unwrap();
    assert_eq!(config["model_type"], "qwen2");
    assert!(folder.join("tokenizer.json").is_file() && folder.join("model.safetensors").is_file());
    no_temporaries(&folder);
    // eval and generate read the run back: the tuned Hugging Face folder, the run's own held-out prompts.
    let o = gapo(&["eval", "--run", out.path().to_str().unwrap(), "--mistakes", "1"]);
    let t = text(&o);
    assert!(o.status.success(), "{t}");
    assert!(t.contains("evaluation: prompt-level strict") && t.contains("on 4 held-out prompts"), "{t}");
    let o = gapo(&["generate", "--run", out.path().to_str().unwrap(), "--heldout", "0", "--max-new-tokens", "8"]);
    let t = text(&o);
    assert!(o.status.success() && t.contains("response:") && t.contains("constraints:"), "{t}");
    // The folder is a valid input again: a second run starts from the tuned model.
    let again = tempfile::tempdir().unwrap();
    let o = gapo(&[
        "train",
        "--generator",
        folder.to_str().unwrap(),
        "--algo",
        "sft",
        "--config",
        "quick",
        "--n-train",
        "24",
        "--n-eval",
        "4",
        "--steps",
        "1",
        "--lora-rank",
        "2",
        "--dtype",
        "bf16",
        "--out",
        again.path().to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(again.path().join("generator/model.safetensors").is_file(), "the LoRA run's merged export");
    assert!(text(&o).contains("(bf16)"), "{}", text(&o));

    // Bad folders are named.
    let o = gapo(&[
        "train",
        "--generator",
        out.path().join("nowhere").to_str().unwrap(),
        "--out",
        again.path().to_str().unwrap(),
    ]);
    assert!(!o.status.success() && text(&o).contains("nowhere/config.json"), "{}", text(&o));
    let o = gapo(&["train", "--generator", discriminator.to_str().unwrap(), "--out", again.path().to_str().unwrap()]);
    assert!(!o.status.success() && text(&o).contains("model_type") && text(&o).contains("bert"), "{}", text(&o));
    let o = gapo(&["train", "--generator", generator.to_str().unwrap(), "--out", again.path().to_str().unwrap()]);
    assert!(!o.status.success() && text(&o).contains("--discriminator"), "GAPO without D: {}", text(&o));
}

#[test]
fn gapo_trains_on_a_data_file_whose_prompts_the_checkers_read() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("gapo.jsonl");
    let o = gapo(&["data", "export", "--format", "gapo", "--n", "40", "--out", data.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let out = dir.path().join("run");
    let o = gapo(&[
        "train",
        "--data",
        data.to_str().unwrap(),
        "--algo",
        "gapo",
        "--config",
        "quick",
        "--steps",
        "4",
        "--stages",
        "1",
        "--rollouts",
        "1",
        "--set",
        "task.n_eval=6",
        "--out",
        out.to_str().unwrap(),
    ]);
    let t = text(&o);
    assert!(o.status.success(), "{t}");
    assert!(t.contains("34 train, 6 held out"), "{t}");
    let samples = std::fs::read_to_string(out.join("samples.jsonl")).unwrap();
    assert_eq!(samples.lines().count(), 6, "one sample per held-out row of the file");

    // A row whose prompt the checkers cannot read is refused with its line and field.
    let mut lines: Vec<String> = std::fs::read_to_string(&data).unwrap().lines().map(String::from).collect();
    lines[6] =
        serde_json::json!({"chosen": "Tell me a joke.\n# 生成内容\nNo.", "reject": "Tell me two.\n# 生成内容\nNo."})
            .to_string();
    std::fs::write(&data, lines.join("\n") + "\n").unwrap();
    let o = gapo(&["train", "--data", data.to_str().unwrap(), "--algo", "gapo", "--out", out.to_str().unwrap()]);
    let t = text(&o);
    assert!(!o.status.success() && t.contains("gapo.jsonl:7") && t.contains("`prompt`"), "{t}");
}

#[test]
fn an_imported_run_on_a_data_file_killed_and_resumed_ends_as_an_uninterrupted_one() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/gapo-core/tests/fixtures/hf");
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("rows.jsonl");
    let o = gapo(&["data", "export", "--format", "gapo", "--n", "30", "--out", data.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let (killed, whole) = (dir.path().join("killed"), dir.path().join("whole"));
    let args = |out: &Path| -> Vec<String> {
        let mut v: Vec<String> = ["train", "--generator"].map(String::from).to_vec();
        v.push(fixtures.join("qwen2").display().to_string());
        v.push("--discriminator".into());
        v.push(fixtures.join("bert").display().to_string());
        v.push("--data".into());
        v.push(data.display().to_string());
        let s = "--algo gapo --config quick --lora-rank 2 --max-len 64 --steps 4 --stages 3 --rollouts 2 \
                 --checkpoint-every 3 --set task.n_eval=4 --out";
        v.extend(s.split_whitespace().map(String::from));
        v.push(out.display().to_string());
        v
    };
    let o = gapo(&args(&whole).iter().map(String::as_str).collect::<Vec<_>>());
    assert!(o.status.success(), "{}", text(&o));
    kill_in_stage_1_generator_phase(&args(&killed), &killed);
    assert!(killed.join("resume.bin").is_file() && killed.join("sources.json").is_file());
    let o = gapo(&["train", "--resume", killed.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    for name in ["metrics.jsonl", "samples.jsonl", "generator/model.safetensors"] {
        let (a, b) = (std::fs::read(whole.join(name)).unwrap(), std::fs::read(killed.join(name)).unwrap());
        assert!(a == b, "{name} differs after resuming");
    }
}

/// `gapo bench --iters 1` times every step once (the tiny preset, so that the debug build takes seconds)
/// and its JSON holds, per step, the median time and the tokens per second it implies.
#[test]
fn bench_times_every_step_and_writes_its_json() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("bench.json");
    let out = gapo(&["bench", "--iters", "1", "--warmup", "0", "--preset", "tiny", "--json", json.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let names: Vec<&str> = rows.iter().map(|r| r["step"].as_str().unwrap()).collect();
    assert_eq!(rows.len(), 5, "an SFT step, a PPO update, a D step, sampling and a stage: {names:?}");
    for r in &rows {
        let (ms, tokens, tps) =
            (r["median_ms"].as_f64().unwrap(), r["tokens"].as_f64().unwrap(), r["tokens_per_s"].as_f64().unwrap());
        assert!(ms > 0.0 && ms.is_finite() && tokens > 0.0, "{r}");
        assert!((tps - tokens / (ms / 1e3)).abs() <= 1e-6 * tps, "{r}: tokens per second is tokens over the median");
        // The printed table has the step's row too.
        assert!(text(&out).contains(r["step"].as_str().unwrap()), "{}", text(&out));
    }
    no_temporaries(dir.path());
}

/// `gapo generate --generator DIR` on free text: the prompt ids are the folder's tokenizer's, and greedy
/// decoding with the KV cache gives the tokens that repeated full forward passes pick; a broken folder is an
/// error naming the file.
#[test]
fn generate_from_an_imported_folder_on_free_text() {
    use burn::tensor::{Device, Int, Tensor, TensorData};
    use gapo_core::hf::{self, DecoderSpec, HfDecoder, Weights};
    use gapo_core::model::CausalLm;
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/gapo-core/tests/fixtures/hf");
    for family in ["qwen2", "llama"] {
        let dir = fixtures.join(family);
        let o = gapo(&[
            "generate",
            "--generator",
            dir.to_str().unwrap(),
            "--prompt",
            "a lamp of oak",
            "--temperature",
            "0",
            "--max-new-tokens",
            "6",
            "--json",
        ]);
        assert!(o.status.success(), "{}", text(&o));
        let out: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let ids = |key: &str| -> Vec<u32> {
            out[key].as_array().unwrap().iter().map(|v| v.as_u64().unwrap() as u32).collect()
        };
        let source = hf_folder(&dir);
        let tokenizer = hf::read_tokenizer(&source).unwrap();
        assert_eq!(ids("prompt_ids"), tokenizer.encode("a lamp of oak", true).unwrap().get_ids(), "{family}");
        let config = hf::read_config(&source).unwrap();
        let eos = config["eos_token_id"].as_u64().unwrap() as u32;
        let device = Device::flex();
        let spec = DecoderSpec::from_config(&config).unwrap();
        let model = HfDecoder::load(&spec, &Weights::read(&source).unwrap(), &device).unwrap();
        let mut seq = ids("prompt_ids");
        let mut greedy = Vec::new();
        while greedy.len() < 6 && greedy.last() != Some(&eos) {
            let n = seq.len();
            let input = Tensor::<2, Int>::from_data(
                TensorData::new(seq.iter().map(|&i| i64::from(i)).collect::<Vec<_>>(), [1, n]),
                &device,
            );
            let logits = model.forward(input, Tensor::<2>::ones([1, n], &device)).narrow(1, n - 1, 1);
            let next = logits.argmax(2).into_data().convert::<i64>().try_to_vec::<i64>().unwrap()[0] as u32;
            greedy.push(next);
            seq.push(next);
        }
        assert_eq!(ids("token_ids"), greedy, "{family}: KV-cache greedy vs full forward passes");
        assert_eq!(out["text"], tokenizer.decode(&greedy, true).unwrap().as_str(), "{family}");
    }
    // Broken folders: each an error that names the file, never a panic.
    let broken = tempfile::tempdir().unwrap();
    for f in ["config.json", "tokenizer.json", "model.safetensors"] {
        std::fs::copy(fixtures.join("qwen2").join(f), broken.path().join(f)).unwrap();
    }
    let run = || gapo(&["generate", "--generator", broken.path().to_str().unwrap(), "--prompt", "a lamp"]);
    for (file, bytes, says) in
        [("tokenizer.json", &b"{\"model\": "[..], "tokenizer.json"), ("config.json", &b"not json"[..], "not JSON")]
    {
        std::fs::write(broken.path().join(file), bytes).unwrap();
        let o = run();
        assert!(!o.status.success() && text(&o).contains(file) && text(&o).contains(says), "{}", text(&o));
        assert!(!text(&o).contains("panicked"), "{}", text(&o));
    }
}

/// A Hugging Face folder's files, in memory.
fn hf_folder(dir: &Path) -> gapo_core::hf::MemorySource {
    let files = ["config.json", "tokenizer.json", "model.safetensors"]
        .iter()
        .map(|f| (f.to_string(), std::fs::read(dir.join(f)).unwrap()))
        .collect();
    gapo_core::hf::MemorySource { label: dir.display().to_string(), files }
}
