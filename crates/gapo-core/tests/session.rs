//! The Session stepper: config files and overrides, every method running to the end on a tiny setup, the
//! phase order of GAPO, and the metric names of DESIGN §6.

mod common;

use burn::tensor::Device;
use futures_lite::future::block_on;
use gapo_core::session::{Algo, Inputs, ProbePoint, RunConfig, Session, StepReport};

fn tiny(algo: Algo) -> RunConfig {
    common::tiny_run(algo)
}

fn run(config: RunConfig) -> Vec<StepReport> {
    let algo = config.algo;
    let mut s = Session::new(config, Inputs::default(), Device::flex()).unwrap();
    let planned = s.planned_steps();
    let mut schedule: Vec<(String, Option<usize>)> =
        s.schedule().iter().map(|p| (p.name().to_string(), p.stage())).collect();
    schedule.dedup();
    let mut reports = Vec::new();
    let phase_steps = s.phase_steps();
    for _ in 0..10_000 {
        // The place the page's diagram lights: a phase of the schedule, and a step inside it. (A
        // discriminator phase's rows are counted exactly only once its fakes are sampled.)
        let (phase, step) = s.position();
        let estimate = matches!(s.schedule()[phase], gapo_core::session::Phase::DiscTrain { .. });
        assert!(estimate || step < phase_steps[phase], "{algo:?}: step {step} of phase {phase}");
        let r = block_on(s.step()).unwrap();
        let done = r.done;
        reports.push(r);
        if done {
            assert_eq!(reports.len(), planned, "{algo:?}: planned_steps (for progress bars) is exact");
            let mut followed: Vec<(String, Option<usize>)> =
                reports.iter().map(|r| (r.phase.clone(), r.stage)).collect();
            followed.dedup();
            assert_eq!(followed, schedule, "{algo:?}: the steps go through the method's schedule in order");
            return reports;
        }
    }
    panic!("session did not finish");
}

#[test]
fn config_toml_and_overrides_fail_loudly() {
    let c = RunConfig::default();
    assert_eq!(RunConfig::from_toml(&c.to_toml(), "x.toml").unwrap(), c);
    let o = c.with_overrides(&["ppo.actor_lr=1e-4".into(), "gapo.stages=7".into(), "algo=\"dpo\"".into()]).unwrap();
    assert_eq!((o.ppo.actor_lr, o.gapo.stages, o.algo), (1e-4, 7, Algo::Dpo));
    let err = c.with_overrides(&["ppo.actor_lrr=1".into()]).unwrap_err().to_string();
    assert!(err.contains("ppo.actor_lrr") && err.contains("unknown"), "{err}");
    let err = c.with_overrides(&["gapo.stages=many".into()]).unwrap_err().to_string();
    assert!(err.contains("gapo.stages"), "{err}");
    let err = c.with_overrides(&["stages".into()]).unwrap_err().to_string();
    assert!(err.contains("key=value"), "{err}");
    // A file's table changes only the keys it names: the run's other PPO defaults stay (they differ from
    // PpoConfig::default()), and a tagged variant (ppo.kl) is taken whole.
    let f = RunConfig::from_toml("[ppo]\nactor_lr = 3e-4\n", "f.toml").unwrap();
    assert_eq!(f.ppo, gapo_core::algo::ppo_trainer::PpoConfig { actor_lr: 3e-4, ..c.ppo.clone() });
    let f =
        RunConfig::from_toml("[ppo.kl]\nkind = \"adaptive\"\nbeta = 0.1\ntarget = 6.0\nhorizon = 10000.0\n", "f.toml");
    assert!(f.is_ok(), "{f:?}");
    // An optional key left unset can still be set; a key that is no setting is still refused.
    let o = c.with_overrides(&["disc.pooling=mean".into()]).unwrap();
    assert_eq!(o.disc.pooling, Some(gapo_core::config::PoolingSpec::Mean));
    let err = c.with_overrides(&["disc.poolin=mean".into()]).unwrap_err().to_string();
    assert!(err.contains("disc.poolin") && err.contains("unknown"), "{err}");
    let err = RunConfig::from_toml("[ppo]\nactorlr = 1.0\n", "bad.toml").unwrap_err().to_string();
    assert!(err.contains("bad.toml") && err.contains("actorlr"), "{err}");
    // Every shipped run preset parses; `default` is the defaults; an unknown name lists the shipped ones.
    for (name, _) in gapo_core::session::RUN_PRESETS {
        RunConfig::named(name).unwrap();
    }
    assert_eq!(RunConfig::named("default").unwrap(), c);
    assert_eq!(RunConfig::named("quick").unwrap().gapo.stages, 4);
    let err = RunConfig::named("fast").unwrap_err().to_string();
    assert!(err.contains("unknown run preset `fast`") && err.contains("quick"), "{err}");
    // GAPO's shares and weight are checked when a session starts, by name.
    for (key, value) in [("response_pair_share", "1.5"), ("fake_share", "-0.1"), ("reward_contrast", "nan")] {
        let config = tiny(Algo::Gapo).with_overrides(&[format!("gapo.{key}={value}")]).unwrap();
        let err =
            Session::new(config, Inputs::default(), Device::flex()).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains(&format!("gapo.{key}")), "{key} = {value}: {err}");
    }
    for value in ["-0.5", "inf"] {
        let config = tiny(Algo::Gapo).with_overrides(&[format!("ppo.ptx_coef={value}")]).unwrap();
        let err =
            Session::new(config, Inputs::default(), Device::flex()).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("ppo.ptx_coef"), "ptx_coef = {value}: {err}");
    }
}

#[test]
fn gapo_runs_its_phases_in_order_with_the_design_metric_names() {
    // GAE, so that the critic's metrics are there too (the run default, RLOO, trains no critic).
    let mut config = tiny(Algo::Gapo);
    config.ppo.advantage = gapo_core::algo::ppo_trainer::AdvantageEstimator::Gae;
    let reports = run(config);
    let phases: Vec<&str> = reports.iter().map(|r| r.phase.as_str()).collect();
    let first = |p: &str| phases.iter().position(|x| *x == p).unwrap_or_else(|| panic!("no {p} phase in {phases:?}"));
    assert!(first("sft") < first("eval_sft") && first("eval_sft") < first("warmup"));
    assert!(first("warmup") < first("probe") && first("probe") < first("generator"));
    assert!(first("generator") < first("discriminator") && *phases.last().unwrap() == "eval");
    let probes: Vec<(usize, ProbePoint)> = reports.iter().filter_map(|r| Some((r.stage?, r.probe?))).collect();
    use ProbePoint::*;
    assert_eq!(
        probes,
        vec![
            (0, StageStart),
            (0, AfterGenerator),
            (0, AfterDiscriminator),
            (1, StageStart),
            (1, AfterGenerator),
            (1, AfterDiscriminator)
        ]
    );
    let generator = reports.iter().find(|r| r.phase == "generator").unwrap();
    for k in [
        "objective/kl",
        "objective/entropy",
        "objective/non_score_reward",
        "objective/rlhf_reward",
        "objective/scores",
        "policy/approxkl_avg",
        "policy/clipfrac_avg",
        "loss/policy_avg",
        "loss/value_avg",
        "val/clipfrac_avg",
        "val/ratio",
        "val/num_eos_tokens",
    ] {
        assert!(generator.metrics.contains_key(k), "generator step lacks {k}: {:?}", generator.metrics.keys());
    }
    let probe = reports.iter().find(|r| r.phase == "probe").unwrap();
    for k in [
        "disc/real_score",
        "disc/fake_score",
        "disc/accuracy",
        "disc/precision",
        "disc/recall",
        "disc/f1",
        "disc/pairwise_accuracy",
        "disc/blank_response_accuracy",
    ] {
        assert!(probe.metrics.contains_key(k), "probe lacks {k}");
    }
    let eval = reports.last().unwrap();
    let held_out = eval.eval.as_ref().unwrap();
    assert_eq!(held_out.in_distribution.as_ref().map(|r| r.prompts), Some(8), "the in-distribution report rides along");
    for k in ["eval/prompt_strict", "eval/instruction_strict", "eval_in/prompt_strict", "eval_in/instruction_strict"] {
        assert!(eval.metrics.contains_key(k), "eval lacks {k}: {:?}", eval.metrics.keys());
    }
    assert!(reports.iter().any(|r| r.metrics.contains_key("disc/loss") && r.phase == "discriminator"));
}

#[test]
fn every_method_runs_to_the_end() {
    for algo in [
        Algo::Sft,
        Algo::SftContinued,
        Algo::Ppo,
        Algo::PpoOracle,
        Algo::PpoDecoderRm,
        Algo::Dpo,
        Algo::Ipo,
        Algo::Kto,
        Algo::Simpo,
        Algo::Orpo,
    ] {
        let reports = run(tiny(algo));
        let last = reports.last().unwrap();
        assert!(last.done && last.eval.is_some(), "{algo:?}");
        for r in &reports {
            for (k, v) in &r.metrics {
                assert!(v.is_finite(), "{algo:?} step {}: {k} = {v}", r.step);
            }
        }
        if let Some(key) = match algo {
            Algo::Dpo | Algo::Ipo => Some("rewards/margins"),
            Algo::Kto => Some("kl"),
            Algo::Orpo => Some("log_odds_ratio"),
            Algo::PpoDecoderRm => Some("rm/accuracy"),
            Algo::PpoOracle | Algo::Ppo => Some("objective/scores"),
            _ => None,
        } {
            assert!(reports.iter().any(|r| r.metrics.contains_key(key)), "{algo:?} never reported {key}");
        }
    }
}

#[test]
fn rollouts_are_checked_against_the_checker() {
    // With the checker as the reward, the logged score is the checker's pass rate on the same rollouts and
    // the two correlate perfectly; a GAPO run logs the same diagnostics for D's reward.
    let reports = run(tiny(Algo::PpoOracle));
    let generator_steps: Vec<&StepReport> =
        reports.iter().filter(|r| r.metrics.contains_key("rollout/checker_pass")).collect();
    assert!(!generator_steps.is_empty(), "no generator step logged rollout/checker_pass");
    let varied =
        generator_steps.iter().filter(|r| (r.metrics["rollout/score_checker_corr"] - 1.0).abs() < 1e-6).count();
    assert!(varied > 0, "no rollout whose pass rates varied: the correlation was never checked");
    for r in generator_steps {
        let (pass, score) = (r.metrics["rollout/checker_pass"], r.metrics["objective/scores"]);
        assert!((0.0..=1.0).contains(&pass));
        assert!((pass - score).abs() < 1e-6, "step {}: checker pass {pass} vs oracle score {score}", r.step);
        let corr = r.metrics["rollout/score_checker_corr"];
        assert!(corr == 0.0 || (corr - 1.0).abs() < 1e-6, "step {}: correlation {corr}", r.step);
    }
    let gapo = run(tiny(Algo::Gapo));
    assert!(gapo.iter().any(|r| r.metrics.contains_key("rollout/score_checker_corr")));
}

#[test]
fn continued_sft_makes_as_many_updates_as_the_ppo_methods() {
    // The control for "more training": after the SFT start's evaluation, as many SFT updates as a PPO run
    // makes generator updates (2 stages × 2 rollouts × 2 epochs × 8 rows / minibatch 4 = 16), then the
    // final evaluation.
    let config = tiny(Algo::SftContinued);
    assert_eq!(config.generator_updates(), 16);
    let reports = run(config);
    let phases: Vec<&str> = reports.iter().map(|r| r.phase.as_str()).collect();
    let sft_eval = phases.iter().position(|p| *p == "eval_sft").unwrap();
    assert_eq!(phases[sft_eval + 1..].iter().filter(|p| **p == "sft").count(), 16, "{phases:?}");
    assert_eq!(*phases.last().unwrap(), "eval");
}

#[test]
fn a_text_only_task_trains_sft_and_refuses_every_other_method() {
    use gapo_core::task::TaskData;
    // Free text no checker reads: SFT learns it through the same session as the built-in task.
    let pairs: Vec<(String, String)> =
        (0..24).map(|i| (format!("Say hello to guest {i}."), format!("Hello, guest {i}! Welcome in."))).collect();
    let mut config = tiny(Algo::Sft);
    config.sft.steps = 30;
    let task = TaskData::text_only(&pairs, &config.task, "hello.jsonl").unwrap();
    let inputs = || Inputs { task: Some(task.clone()), ..Inputs::default() };
    let mut s = Session::new(config.clone(), inputs(), Device::flex()).unwrap();
    let mut losses = Vec::new();
    while !s.is_done() {
        let r = block_on(s.step()).unwrap();
        losses.extend(r.metrics.get("loss/sft").copied());
        if let Some(e) = &r.eval {
            assert_eq!(e.prompts, 0, "nothing is held out of a text-only task");
        }
    }
    assert_eq!(losses.len(), 30);
    let (first, last) = (losses[..5].iter().sum::<f64>() / 5.0, losses[25..].iter().sum::<f64>() / 5.0);
    assert!(last < 0.5 * first, "SFT learns the text: loss {first:.3} → {last:.3}");
    for algo in [Algo::Gapo, Algo::Dpo, Algo::PpoOracle] {
        let err = Session::new(RunConfig { algo, ..config.clone() }, inputs(), Device::flex()).err().unwrap();
        assert!(err.to_string().contains("text-only"), "{algo:?}: {err}");
    }
}

#[test]
fn the_discriminators_view_scores_a_held_out_response_under_both_prompts_and_a_fake() {
    let mut s = Session::new(tiny(Algo::Gapo), Inputs::default(), Device::flex()).unwrap();
    assert!(block_on(s.discriminator_view(0)).unwrap().is_some(), "D exists from the start");
    while s.current_phase() != Some(&gapo_core::session::Phase::EvalSft) {
        block_on(s.step()).unwrap();
    }
    let v = block_on(s.discriminator_view(1)).unwrap().expect("a view");
    assert_ne!(v.accepted_prompt, v.rejected_prompt);
    assert!(v.rejected_prompt.contains(&v.rule_after), "the changed rule is in the rejected prompt: {v:?}");
    assert!(v.rule_before.is_empty() || v.accepted_prompt.contains(&v.rule_before), "{v:?}");
    for x in [v.real.under_accepted, v.real.under_rejected, v.fake.under_accepted, v.fake.under_rejected] {
        assert!(x > 0.0 && x < 1.0, "σ(D) is a probability: {v:?}");
    }
    assert_eq!(block_on(s.discriminator_view(1)).unwrap().unwrap(), v, "the same models give the same view");
    let sft = Session::new(tiny(Algo::Sft), Inputs::default(), Device::flex()).unwrap();
    assert!(block_on(sft.discriminator_view(0)).unwrap().is_none(), "no D, no view");
}
