//! Experiment behind README "What we found": GAPO with the built-in generator and a pretrained encoder as
//! D (the paper's setting: its D is a pretrained Longformer), optionally with answered rejected prompts.
//! Prints, per stage, the checker's pass rate of the rollouts and how D's reward correlates with it, D's
//! probes, and the held-out evaluation of the SFT start and of the end.
//!     cargo run --release -p gapo-lab --bin gapo_pretrained_d -- HF_ENCODER_DIR SEED LR [answered] [KEY=VALUE…]
#[path = "../common/hf_dir.rs"]
mod hf_dir;

use burn::tensor::Device;
use futures_lite::future::block_on;
use gapo_core::hf::{self, EncoderSpec, HfEncoder, Weights};
use gapo_core::model::Pooling;
use gapo_core::players::HfDiscriminator;
use gapo_core::session::{Inputs, RunConfig, Session};
use std::collections::BTreeMap;

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let dir = &a[1];
    let seed: u64 = a[2].parse().unwrap();
    let lr: f64 = a[3].parse().unwrap();
    let answered = a.get(4).map(String::as_str) == Some("answered");
    let mut overrides: Vec<String> = vec![
        format!("seed={seed}"),
        format!("disc.lr={lr}"),
        format!("gapo.answer_rejected_prompts={answered}"),
        "task.n_train=1000".into(),
        "disc.warmup_epochs=1".into(),
        "disc.epochs_per_stage=1".into(),
        "gapo.disc_items_per_stage=256".into(),
    ];
    overrides.extend(a.iter().skip(5).cloned());
    let config = RunConfig::named("quick").unwrap().with_overrides(&overrides).unwrap();
    let device = Device::flex();
    let src = hf_dir::read_folder(dir);
    let hf_config = hf::read_config(&src).unwrap();
    let td = device.clone().autodiff();
    let enc =
        HfEncoder::load(&EncoderSpec::from_config(&hf_config).unwrap(), &Weights::read(&src).unwrap(), &td).unwrap();
    let t = hf::tokenize::encoder_tokenizer(&src, &hf_config).unwrap();
    let mut s = Session::new(config.clone(), Inputs::default(), device.clone())
        .and_then(|s| s.with_discriminator(HfDiscriminator::new(enc, t, Pooling::Mean, &td)))
        .unwrap();
    let t0 = std::time::Instant::now();
    let mut per_stage: BTreeMap<usize, Vec<(f64, f64)>> = BTreeMap::new();
    loop {
        let r = block_on(s.step()).unwrap();
        let m = &r.metrics;
        if let (Some(p), Some(c)) = (m.get("rollout/checker_pass"), m.get("rollout/score_checker_corr")) {
            per_stage.entry(r.stage.unwrap_or(0)).or_default().push((*p, *c));
        }
        if let Some(point) = r.probe {
            println!(
                "[{:.0}s] stage {:?} probe {point:?}: real {:.3} fake {:.3} held-out pairs acc {:.3}",
                t0.elapsed().as_secs_f64(),
                r.stage,
                m.get("disc/real_score").unwrap_or(&f64::NAN),
                m.get("disc/fake_score").unwrap_or(&f64::NAN),
                m.get("disc/accuracy").unwrap_or(&f64::NAN)
            );
        }
        if let Some(e) = &r.eval {
            println!(
                "[{:.0}s] eval ({}): prompt {:.3} instruction {:.3}",
                t0.elapsed().as_secs_f64(),
                r.phase,
                e.prompt_strict,
                e.instruction_strict
            );
        }
        if r.done {
            break;
        }
    }
    for (stage, v) in per_stage {
        let n = v.len() as f64;
        println!(
            "stage {stage}: rollout checker pass {:.3}, reward-checker correlation {:.3}",
            v.iter().map(|x| x.0).sum::<f64>() / n,
            v.iter().map(|x| x.1).sum::<f64>() / n
        );
    }
}
