//! Diagnostic behind README "What we found": can the discriminator learn to tell an accepted prompt from a
//! preferential (rejected) prompt for the same response, given enough pairs? Trains a fresh D on the
//! preferential-prompt pairs of N training items and reports accuracy on the training pairs, on pairs of
//! 500 further training-distribution items it never saw, and on the held-out prompts' pairs (unseen
//! combinations and k = K), per kind of the changed constraint.
//! The task's settings come from the environment variable GAPO_TASK (TOML, e.g. `k_max = 3`).
//!     cargo run --release -p gapo-lab --bin diag_pp -- N EPOCHS LR [first|last|mean|pair] D_MODEL LAYERS [noresp|answered|answered-noresp] [HF_ENCODER_DIR]
use burn::module::Module;
#[path = "../common/hf_dir.rs"]
mod hf_dir;

use burn::tensor::Device;
use futures_lite::future::block_on;
use gapo_core::algo::discriminator::{DiscConfig, DiscTrainer, Labelled, logits};
use gapo_core::algo::gapo::answered_rows;
use gapo_core::config::ModelPreset;
use gapo_core::rng::SplitMix64;
use gapo_core::task::preferential::{Perturbation, reject_prompt};
use gapo_core::task::{TaskConfig, TaskData};
use gapo_core::tokenizer::GapoTokenizer;
use std::collections::BTreeMap;

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let arg = |i: usize, d: &str| a.get(i).cloned().unwrap_or_else(|| d.to_string());
    let n: usize = arg(1, "2000").parse().unwrap();
    let epochs: usize = arg(2, "10").parse().unwrap();
    let lr: f64 = arg(3, "1e-3").parse().unwrap();
    let pooling = match arg(4, "first").as_str() {
        "mean" => gapo_core::model::Pooling::Mean,
        "pair" => gapo_core::model::Pooling::Pair,
        "last" => gapo_core::model::Pooling::Last,
        _ => gapo_core::model::Pooling::First,
    };
    let d_model: usize = arg(5, "64").parse().unwrap();
    let layers: usize = arg(6, "2").parse().unwrap();
    // GAPO_TASK: a TOML table of task settings, e.g. 'k_max = 3
    // kinds = ["ends_with", "lowercase", "uppercase", "starts_with"]'.
    let base: TaskConfig = toml::from_str(&std::env::var("GAPO_TASK").unwrap_or_default()).unwrap();
    let task = TaskData::build(&TaskConfig { n_train: n + 500, ..base }).unwrap();
    let corpus: Vec<&str> = task
        .train
        .iter()
        .flat_map(|t| [t.example.prompt.as_str(), t.example.response.as_str(), t.rejected_prompt.prompt.as_str()])
        .collect();
    let tok = GapoTokenizer::train(&corpus, 1024).unwrap();
    // `noresp`: D sees the prompts only (every response blanked) — how far the prompts alone give the
    // label away.
    // `answered`: also the rejected prompt with a response written for it (gapo.answer_rejected_prompts).
    let mode = arg(7, "");
    let blank = mode.contains("noresp");
    let answered = mode.contains("answered");
    let pairs = |items: &[gapo_core::task::TrainItem], answered: bool| -> Vec<Labelled> {
        items
            .iter()
            .flat_map(|t| {
                let r = if blank { String::new() } else { t.example.response.clone() };
                let mut rows =
                    vec![(t.example.prompt.clone(), r.clone(), 1.0), (t.rejected_prompt.prompt.clone(), r, 0.0)];
                if answered {
                    rows.extend(
                        answered_rows(t).into_iter().map(|(p, r, y)| (p, if blank { String::new() } else { r }, y)),
                    );
                }
                rows
            })
            .collect()
    };
    let train = pairs(&task.train[..n], answered);
    // The kind of the constraint that the rejected prompt changed or inserted, per unseen item.
    let changed: Vec<&'static str> = task.train[n..]
        .iter()
        .map(|t| {
            let i = match t.rejected_prompt.how {
                Perturbation::Modified { index } | Perturbation::Inserted { index } => index,
            };
            t.rejected_prompt.constraints[i].kind().name()
        })
        .collect();
    let unseen = pairs(&task.train[n..], false);
    let mut rng = SplitMix64::new(7);
    let mut held = Vec::new();
    for e in &task.eval {
        if let Some(r) = reject_prompt(e, 0.5, &task.config.kinds, &Default::default(), &mut rng) {
            held.push((e.prompt.clone(), e.response.clone(), 1.0));
            held.push((r.prompt, e.response.clone(), 0.0));
        }
    }
    let dev = Device::flex();
    dev.seed(1);
    let td = dev.clone().autodiff();
    let preset = ModelPreset::named("tiny").unwrap();
    // An 8th argument: a Hugging Face encoder folder (BERT/RoBERTa, e.g. all-MiniLM-L6-v2) as D instead.
    let disc: gapo_core::players::DiscriminatorModel = match a.get(8) {
        Some(dir) => {
            use gapo_core::hf::{self, EncoderSpec, HfEncoder, Weights};
            let src = hf_dir::read_folder(dir);
            let config = hf::read_config(&src).unwrap();
            let enc = HfEncoder::load(&EncoderSpec::from_config(&config).unwrap(), &Weights::read(&src).unwrap(), &td)
                .unwrap();
            let t = hf::tokenize::encoder_tokenizer(&src, &config).unwrap();
            gapo_core::players::HfDiscriminator::new(enc, t, pooling, &td).into()
        }
        None => preset
            .discriminator_config(tok.vocab_size())
            .with_pooling(pooling)
            .with_d_model(d_model)
            .with_n_layers(layers)
            .init(&td)
            .into(),
    };
    let mut d = DiscTrainer::new(DiscConfig { lr, ..DiscConfig::default() }, disc);
    let t0 = std::time::Instant::now();
    for e in 0..epochs {
        let loss = block_on(d.epoch(&tok, &train, &mut rng, &dev)).unwrap();
        let tr = block_on(d.evaluate(&tok, &train[..1000.min(train.len())], &dev)).unwrap();
        let un = block_on(d.evaluate(&tok, &unseen, &dev)).unwrap();
        let he = block_on(d.evaluate(&tok, &held, &dev)).unwrap();
        println!(
            "epoch {e} ({:.0}s): loss {loss:.3}  train acc {:.3} | unseen items acc {:.3} | held-out acc {:.3}",
            t0.elapsed().as_secs_f64(),
            tr.metrics.accuracy,
            un.metrics.accuracy,
            he.metrics.accuracy
        );
    }
    // Pairwise view on the unseen items: D ranks (P_acc, R) above (P_rej, R), per changed kind.
    let valid = d.disc.valid();
    let mut scores: Vec<f32> = Vec::new();
    for chunk in unseen.chunks(64) {
        let refs: Vec<&Labelled> = chunk.iter().collect();
        let l = logits(&valid, &tok, &refs, &dev).unwrap();
        scores.extend(l.into_data().try_to_vec::<f32>().unwrap());
    }
    let mut per: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for (i, kind) in changed.iter().enumerate() {
        let e = per.entry(kind).or_default();
        e.1 += 1;
        if scores[2 * i] > scores[2 * i + 1] {
            e.0 += 1;
        }
    }
    for (k, (right, all)) in per {
        println!("  {k:>13}: pairwise {:.2} of {all}", right as f64 / all as f64);
    }
}
