//! The offline preference methods learn what their pairs say: trained on preferential-response pairs
//! (P, R) ≻ (P, R′), each of DPO, IPO, KTO, SimPO and ORPO raises the policy's log-probability margin
//! log π(R | P) − log π(R′ | P) on pairs of items it never trained on. The loss values themselves are
//! checked against TRL's formulas in `losses.rs`; this is the test that fails if the update does not follow
//! the loss (a detached gradient, a sign error, an optimizer that never steps).

use burn::tensor::Device;
use futures_lite::future::block_on;
use gapo_core::algo::logprob::sequence_logps;
use gapo_core::data::batch::{PadSide, example_batch, int_table};
use gapo_core::data::export::Pairs;
use gapo_core::model::CausalLm;
use gapo_core::players::LanguageModel;
use gapo_core::readback::floats;
use gapo_core::session::{Algo, Inputs, RunConfig, Session};
use gapo_core::task::{TaskConfig, TaskData, TrainItem};
use gapo_core::tokenizer::GapoTokenizer;

mod common;

/// Mean over `items` of the per-token log-probability margin of the reference response over the
/// preferential (rejected) one, both under the item's prompt.
fn margin(model: &LanguageModel, tokenizer: &GapoTokenizer, items: &[TrainItem], device: &Device) -> f64 {
    let rows: Vec<(&str, &str)> = items
        .iter()
        .flat_map(|t| {
            [
                (t.example.prompt.as_str(), t.example.response.as_str()),
                (t.example.prompt.as_str(), t.rejected_response.response.as_str()),
            ]
        })
        .collect();
    let (batch, masks) = example_batch(tokenizer, &rows, model.max_len()).unwrap();
    let (ids, mask) = batch.to_device(device);
    let target = int_table(&masks, 0, PadSide::Right, device).unwrap().float();
    let (sum, count) = sequence_logps(model, ids, mask, target);
    let per_token = block_on(floats(sum / count)).unwrap();
    per_token.chunks(2).map(|p| (p[0] - p[1]) as f64).sum::<f64>() / items.len() as f64
}

#[test]
fn each_preference_method_raises_the_held_out_margin_of_chosen_over_rejected() {
    // 160 items: the run trains on the first 128, the last 32 are the held-out pairs.
    let base = {
        let mut c = common::tiny_run(Algo::Dpo);
        c.task.n_train = 160;
        c.sft.steps = 20;
        c.sft.batch = 16;
        c.pref = gapo_core::algo::preference::PrefConfig {
            pairs: Pairs::Response,
            steps: 24,
            batch: 16,
            lr: 1e-3,
            ..c.pref.clone()
        };
        c
    };
    let full = TaskData::build(&TaskConfig { seed: base.seed, ..base.task.clone() }).unwrap();
    let held_out: Vec<TrainItem> = full.train[128..].to_vec();
    let task = TaskData { train: full.train[..128].to_vec(), ..full };
    let device = Device::flex();
    for algo in [Algo::Dpo, Algo::Ipo, Algo::Kto, Algo::Simpo, Algo::Orpo] {
        let config = RunConfig { algo, ..base.clone() };
        let mut session =
            Session::new(config, Inputs { task: Some(task.clone()), ..Inputs::default() }, device.clone()).unwrap();
        while !session.at_sft_end() {
            block_on(session.step()).unwrap();
        }
        let before = margin(&session.generator(), &session.tokenizer, &held_out, &device);
        let mut trained = 0;
        while !session.is_done() {
            let r = block_on(session.step()).unwrap();
            trained += usize::from(r.phase == "preference");
        }
        assert_eq!(trained, 24, "{algo:?}: every preference step ran");
        let after = margin(&session.generator(), &session.tokenizer, &held_out, &device);
        eprintln!("{algo:?}: held-out margin {before:.4} -> {after:.4}");
        assert!(after > before + 0.05, "{algo:?}: the held-out margin went from {before:.4} to {after:.4}");
    }
}
