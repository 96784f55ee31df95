//! Diagnostic: how close are greedy and temperature-1 samples of an SFT model (the `quick` run preset, SFT
//! steps from the first argument, default 400) to the references, on training and on held-out prompts?
//!     cargo run --release -p gapo-lab --bin diag_fakes -- 400
// held-out prompts after SFT?
use burn::tensor::Device;
use futures_lite::future::block_on;
use gapo_core::generation::complete;
use gapo_core::model::sampling::SamplingConfig;
use gapo_core::session::{Inputs, RunConfig, Session};
use gapo_core::task::evaluate;

fn main() {
    let steps: usize = std::env::args().nth(1).map(|s| s.parse().unwrap()).unwrap_or(400);
    let mut c = RunConfig::named("quick").unwrap();
    c.algo = "sft".parse().unwrap();
    c.sft.steps = steps;
    let mut s = Session::new(c, Inputs::default(), Device::flex()).unwrap();
    while !s.at_sft_end() {
        block_on(s.step()).unwrap();
    }
    let g = s.generator();
    let dev = Device::flex();
    for (name, exs) in [
        ("train", s.task.train.iter().take(100).map(|t| t.example.clone()).collect::<Vec<_>>()),
        ("heldout", s.task.eval.clone()),
    ] {
        let prompts: Vec<String> = exs.iter().map(|e| e.prompt.clone()).collect();
        for (tname, samp) in
            [("greedy", SamplingConfig::new().with_greedy(true)), ("T=1", SamplingConfig::new().with_temperature(1.0))]
        {
            let r = block_on(complete(&g, &s.tokenizer, &prompts, 48, &samp, 64, &dev)).unwrap();
            let exact = r.iter().zip(&exs).filter(|(a, e)| a.trim() == e.response.trim()).count();
            let rep = evaluate(&exs, &r);
            println!(
                "{name} {tname}: exact {exact}/{}  prompt-strict {:.3} instr {:.3}",
                exs.len(),
                rep.prompt_strict,
                rep.instruction_strict
            );
            if tname == "T=1" {
                for (a, e) in r.iter().zip(&exs).take(2) {
                    println!("   ref: {}\n   gen: {}", e.response.replace('\n', " | "), a.replace('\n', " | "));
                }
            }
        }
    }
}
