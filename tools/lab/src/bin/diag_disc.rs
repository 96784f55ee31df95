//! Diagnostic behind README "What we found": can the discriminator alone separate temperature-1 samples of
//! the SFT model (the `quick` preset) from the references? Trains a fresh D on n training prompts (each with
//! its reference, label 1, and a sample, label 0) and reports train and held-out accuracy per epoch.
//!     cargo run --release -p gapo-lab --bin diag_disc -- LR EPOCHS N [first|last|mean] [gen|upper] [scratch|fromgen]
//! `upper` replaces the samples by the uppercased reference plus " XX" (a trivially separable control);
//! `fromgen` starts D from the SFT generator's weights.
use burn::tensor::Device;
use futures_lite::future::block_on;
use gapo_core::algo::discriminator::{DiscConfig, DiscTrainer, Labelled};
use gapo_core::config::ModelPreset;
use gapo_core::generation::complete;
use gapo_core::model::sampling::SamplingConfig;
use gapo_core::rng::SplitMix64;
use gapo_core::session::{Inputs, RunConfig, Session};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let lr: f64 = args.get(1).map(|s| s.parse().unwrap()).unwrap_or(3e-4);
    let epochs: usize = args.get(2).map(|s| s.parse().unwrap()).unwrap_or(5);
    let n: usize = args.get(3).map(|s| s.parse().unwrap()).unwrap_or(512);
    let mut c = RunConfig::named("quick").unwrap();
    c.algo = "sft".parse().unwrap();
    let mut s = Session::new(c, Inputs::default(), Device::flex()).unwrap();
    while !s.at_sft_end() {
        block_on(s.step()).unwrap();
    }
    let g = s.generator();
    let dev = Device::flex();
    let samp = SamplingConfig::new().with_temperature(1.0);
    let rows = |exs: Vec<(String, String)>| -> Vec<Labelled> {
        let prompts: Vec<String> = exs.iter().map(|e| e.0.clone()).collect();
        let fakes = if std::env::args().nth(5).as_deref() == Some("upper") {
            exs.iter().map(|e| e.1.to_uppercase() + " XX").collect::<Vec<_>>()
        } else {
            block_on(complete(&g, &s.tokenizer, &prompts, 48, &samp, 64, &dev)).unwrap()
        };
        let mut out = Vec::new();
        for ((p, r), f) in exs.into_iter().zip(fakes) {
            out.push((p.clone(), r, 1.0));
            out.push((p, f, 0.0));
        }
        out
    };
    let train =
        rows(s.task.train.iter().take(n).map(|t| (t.example.prompt.clone(), t.example.response.clone())).collect());
    let held = rows(s.task.eval.iter().map(|e| (e.prompt.clone(), e.response.clone())).collect());
    let preset = ModelPreset::named("tiny").unwrap();
    let td = dev.clone().autodiff();
    let pooling = match args.get(4).map(String::as_str) {
        Some("mean") => gapo_core::model::Pooling::Mean,
        Some("last") => gapo_core::model::Pooling::Last,
        _ => gapo_core::model::Pooling::First,
    };
    let disc = preset.discriminator_config(s.tokenizer.vocab_size()).with_pooling(pooling).init(&td);
    let disc = if std::env::args().nth(6).as_deref() == Some("fromgen") {
        let gapo_core::players::LanguageModel::Tiny(tiny) = &g else { panic!("the built-in generator") };
        gapo_core::model::encoder::discriminator_from_generator(disc, tiny).unwrap()
    } else {
        disc
    };
    let mut d = DiscTrainer::new(DiscConfig { lr, ..DiscConfig::default() }, disc);
    let mut rng = SplitMix64::new(1);
    for e in 0..epochs {
        let loss = block_on(d.epoch(&s.tokenizer, &train, &mut rng, &dev)).unwrap();
        let tr = block_on(d.evaluate(&s.tokenizer, &train, &dev)).unwrap();
        let he = block_on(d.evaluate(&s.tokenizer, &held, &dev)).unwrap();
        println!(
            "epoch {e}: loss {loss:.3}  train acc {:.3} real {:.3} fake {:.3} | held acc {:.3} real {:.3} fake {:.3}",
            tr.metrics.accuracy, tr.real_score, tr.fake_score, he.metrics.accuracy, he.real_score, he.fake_score
        );
    }
}
