//! Every objective against reference values computed from the TRL / OpenRLHF formulas on fixed inputs
//! (tests/golden/make_loss_golden.py, float64), plus GAE against the textbook loop and both KL controllers.

use burn::tensor::{Device, Tensor, TensorData};
use gapo_core::algo::dpo::{DpoLoss, dpo_loss};
use gapo_core::algo::kl_control::KlController;
use gapo_core::algo::kto::{KtoWeights, kto_loss};
use gapo_core::algo::orpo::orpo_loss;
use gapo_core::algo::ppo::{
    KlEstimator, gae, gae_naive, group_norm, kl_estimate, leave_one_out, policy_loss, shaped_rewards, value_loss,
    whiten,
};
use gapo_core::algo::reward::{bce_loss, bradley_terry_loss, classification};
use gapo_core::algo::simpo::simpo_loss;
use gapo_core::rng::SplitMix64;
use serde_json::Value;

const PC: [f32; 4] = [-12.0, -20.5, -7.25, -30.0];
const PR: [f32; 4] = [-14.0, -19.0, -9.5, -28.0];
const RC: [f32; 4] = [-12.5, -20.0, -8.0, -29.0];
const RR: [f32; 4] = [-13.0, -19.5, -9.0, -29.5];
const LC: [f32; 4] = [6.0, 9.0, 4.0, 12.0];
const LR: [f32; 4] = [7.0, 8.0, 5.0, 11.0];
const BETA: f64 = 0.1;
const LOGP: [[f32; 5]; 2] = [[-1.0, -0.5, -2.0, -0.3, -1.2], [-0.7, -1.5, -0.2, 0.0, 0.0]];
const OLD_LOGP: [[f32; 5]; 2] = [[-1.1, -0.4, -2.3, -0.3, -1.0], [-0.6, -1.6, -0.25, 0.0, 0.0]];
const REF_LOGP: [[f32; 5]; 2] = [[-1.2, -0.6, -1.9, -0.5, -1.1], [-0.9, -1.4, -0.3, 0.0, 0.0]];
const VALUES: [[f32; 5]; 2] = [[0.1, 0.2, -0.1, 0.4, 0.3], [0.5, -0.2, 0.1, 0.0, 0.0]];
const OLD_VALUES: [[f32; 5]; 2] = [[0.0, 0.3, 0.0, 0.2, 0.5], [0.4, 0.0, 0.3, 0.0, 0.0]];
const MASK: [[f32; 5]; 2] = [[1.0; 5], [1.0, 1.0, 1.0, 0.0, 0.0]];

fn golden() -> Value {
    serde_json::from_str(include_str!("golden/loss_golden.json")).unwrap()
}

fn dev() -> Device {
    Device::flex()
}

fn t1(x: &[f32]) -> Tensor<1> {
    Tensor::from_data(TensorData::new(x.to_vec(), [x.len()]), &dev())
}

fn t2(x: &[[f32; 5]; 2]) -> Tensor<2> {
    Tensor::from_data(TensorData::new(x.iter().flatten().copied().collect::<Vec<f32>>(), [2, 5]), &dev())
}

fn div(a: &[f32], b: &[f32]) -> Vec<f32> {
    a.iter().zip(b).map(|(x, y)| x / y).collect()
}

fn vals<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().convert::<f32>().try_into_vec::<f32>().unwrap()
}

fn scalar(t: Tensor<1>) -> f64 {
    vals(t)[0] as f64
}

fn flat(v: &Value) -> Vec<f32> {
    fn go(v: &Value, out: &mut Vec<f32>) {
        match v {
            Value::Array(a) => a.iter().for_each(|x| go(x, out)),
            x => out.push(x.as_f64().unwrap() as f32),
        }
    }
    let mut out = Vec::new();
    go(v, &mut out);
    out
}

fn close(what: &str, ours: f64, theirs: &Value) {
    let theirs = theirs.as_f64().unwrap();
    assert!((ours - theirs).abs() <= 1e-5 * theirs.abs().max(1.0), "{what}: ours {ours} vs reference {theirs}");
}

fn close_all(what: &str, ours: &[f32], theirs: &Value) {
    let theirs = flat(theirs);
    assert_eq!(ours.len(), theirs.len(), "{what}");
    for (i, (a, b)) in ours.iter().zip(&theirs).enumerate() {
        assert!((a - b).abs() <= 1e-5 * b.abs().max(1.0), "{what}[{i}]: ours {a} vs reference {b}");
    }
}

#[test]
fn dpo_sigmoid_and_ipo_match_trl() {
    let g = golden();
    let out = dpo_loss(DpoLoss::Sigmoid, BETA, t1(&PC), t1(&PR), t1(&RC), t1(&RR));
    close("dpo sigmoid", scalar(out.loss), &g["dpo_sigmoid"]);
    close_all("rewards/chosen", &vals(out.rewards_chosen), &g["dpo_rewards_chosen"]);
    close_all("rewards/rejected", &vals(out.rewards_rejected), &g["dpo_rewards_rejected"]);
    let ipo =
        dpo_loss(DpoLoss::Ipo, BETA, t1(&div(&PC, &LC)), t1(&div(&PR, &LR)), t1(&div(&RC, &LC)), t1(&div(&RR, &LR)));
    close("ipo", scalar(ipo.loss), &g["dpo_ipo"]);
}

#[test]
fn kto_simpo_orpo_match_trl() {
    let g = golden();
    let (loss, z0) = kto_loss(
        KtoWeights { beta: BETA, ..KtoWeights::default() },
        t1(&[0.3, -0.2, 0.5, -0.7, 0.1]),
        t1(&[1.0, 0.0, 1.0, 0.0, 0.0]),
        t1(&[0.05, 0.2, -0.1, 0.15]),
    );
    close("kto", scalar(loss), &g["kto"]);
    close("kto z0", scalar(z0), &g["kto_z0"]);
    close("simpo", scalar(simpo_loss(BETA, 0.5, t1(&div(&PC, &LC)), t1(&div(&PR, &LR)))), &g["simpo"]);
    let (loss, log_odds) = orpo_loss(0.2, t1(&div(&PC, &LC)), t1(&div(&PR, &LR)), t1(&[1.7]));
    close("orpo", scalar(loss), &g["orpo"]);
    close("orpo log odds", scalar(log_odds), &g["orpo_log_odds"]);
}

#[test]
fn reward_model_losses_and_metrics() {
    let g = golden();
    let logits = [2.0, -1.0, 0.5, -3.0, 0.0];
    let labels = [1.0, 0.0, 0.0, 1.0, 1.0];
    close("bce", scalar(bce_loss(t1(&logits), t1(&labels))), &g["bce"]);
    close("bradley-terry", scalar(bradley_terry_loss(t1(&PC), t1(&PR))), &g["bradley_terry"]);
    // Predictions (s > 0): 1, 0, 1, 0, 0 against labels 1, 0, 0, 1, 1: tp 1, fp 1, tn 1, fn 2.
    let m = classification(&logits, &labels);
    assert_eq!(m.accuracy, 2.0 / 5.0);
    assert_eq!(m.precision, 0.5);
    assert_eq!(m.recall, 1.0 / 3.0);
    assert!((m.f1 - 0.4).abs() < 1e-12);
    assert_eq!(classification(&[-1.0], &[0.0]).precision, 0.0, "zero division gives 0");
}

#[test]
fn ppo_pieces_match_openrlhf() {
    let g = golden();
    let mask = t2(&MASK);
    let k1 = kl_estimate(KlEstimator::K1, t2(&OLD_LOGP), t2(&REF_LOGP), mask.clone());
    close_all("k1", &vals(k1.clone()), &g["kl_k1"]);
    close_all("k3", &vals(kl_estimate(KlEstimator::K3, t2(&OLD_LOGP), t2(&REF_LOGP), mask.clone())), &g["kl_k3"]);
    let rewards = shaped_rewards(k1, t1(&[1.5, -12.0]), mask.clone(), 0.05, 10.0);
    close_all("rewards", &vals(rewards.clone()), &g["rewards"]);
    let (adv, ret) = gae(rewards, t2(&OLD_VALUES), mask.clone(), 1.0, 0.95);
    close_all("advantages", &vals(adv.clone()), &g["advantages"]);
    close_all("returns", &vals(ret.clone()), &g["returns"]);
    let white = whiten(adv, mask.clone());
    close_all("whitened", &vals(white.clone()), &g["whitened"]);
    let p = policy_loss(t2(&LOGP), t2(&OLD_LOGP), white, mask.clone(), 0.2);
    close("policy loss", scalar(p.loss), &g["policy_loss"]);
    let (v, _) = value_loss(t2(&VALUES), t2(&OLD_VALUES), ret, mask, 0.2);
    close("value loss", scalar(v), &g["value_loss"]);
}

#[test]
fn vectorised_gae_equals_the_backward_loop() {
    let mut rng = SplitMix64::new(3);
    for (b, n) in [(1, 1), (3, 7), (5, 16)] {
        for (gamma, lambda) in [(1.0, 0.95), (0.9, 0.8), (0.99, 1.0)] {
            let mut r = vec![vec![0.0f32; n]; b];
            let mut v = vec![vec![0.0f32; n]; b];
            let mut m = vec![vec![0.0f32; n]; b];
            for row in 0..b {
                let len = 1 + rng.below(n);
                for t in 0..n {
                    r[row][t] = (rng.unit() * 2.0 - 1.0) as f32;
                    v[row][t] = (rng.unit() * 2.0 - 1.0) as f32;
                    m[row][t] = if t < len { 1.0 } else { 0.0 };
                }
            }
            let (adv_ref, ret_ref) = gae_naive(&r, &v, &m, gamma, lambda);
            let up = |x: &Vec<Vec<f32>>| {
                Tensor::<2>::from_data(TensorData::new(x.iter().flatten().copied().collect::<Vec<_>>(), [b, n]), &dev())
            };
            let (adv, ret) = gae(up(&r), up(&v), up(&m), gamma, lambda);
            for (ours, theirs) in [(vals(adv), adv_ref), (vals(ret), ret_ref)] {
                let theirs: Vec<f32> = theirs.into_iter().flatten().collect();
                for (a, e) in ours.iter().zip(&theirs) {
                    assert!((a - e).abs() < 1e-4, "b {b} n {n} γ {gamma} λ {lambda}: {a} vs {e}");
                }
            }
        }
    }
}

#[test]
fn kl_controllers_follow_ziegler() {
    let mut fixed = KlController::Fixed { beta: 0.05 };
    fixed.update(10.0, 64);
    assert_eq!(fixed.beta(), 0.05);
    let mut adaptive = KlController::Adaptive { beta: 0.1, target: 6.0, horizon: 10_000.0 };
    adaptive.update(9.0, 1000); // error = clip(9/6 − 1) = 0.2 (clipped from 0.5)
    assert!((adaptive.beta() - 0.1 * (1.0 + 0.2 * 1000.0 / 10_000.0)).abs() < 1e-12);
    let before = adaptive.beta();
    adaptive.update(4.5, 500); // error = 4.5/6 − 1 = −0.25 → −0.2
    assert!((adaptive.beta() - before * (1.0 - 0.2 * 500.0 / 10_000.0)).abs() < 1e-12);
    let before = adaptive.beta();
    adaptive.update(6.6, 100); // error 0.1, inside the clip
    assert!((adaptive.beta() - before * (1.0 + 0.1 * 100.0 / 10_000.0)).abs() < 1e-12);
    assert_eq!(KlController::Fixed { beta: -1.0 }.beta(), 0.0, "a negative β counts as 0, as OpenRLHF");
}

#[test]
fn group_norm_centres_and_scales_each_prompts_samples() {
    // OpenRLHF `group_norm`: (r - r.mean(-1)) / (r.std(-1) + 1e-9), torch.std unbiased. Two prompts of three
    // samples: [1, 0, 0.5] has mean 0.5 and std 0.5; [0.2, 0.2, 0.2] has std 0 and gives zeros.
    let s = [1.0, 0.0, 0.5, 0.2, 0.2, 0.2];
    let got = vals(group_norm(t1(&s), 3));
    let want = [1.0, -1.0, 0.0, 0.0, 0.0, 0.0];
    for (g, w) in got.iter().zip(want) {
        assert!((g - w).abs() < 1e-5, "{got:?}");
    }
}

#[test]
fn leave_one_out_baseline_subtracts_the_other_samples_mean() {
    // Two prompts, three samples each.
    let s = [1.0, 0.0, 0.5, 0.2, 0.2, 0.8];
    let got = vals(leave_one_out(t1(&s), 3));
    let want = [1.0 - 0.25, 0.0 - 0.75, 0.5 - 0.5, 0.2 - 0.5, 0.2 - 0.5, 0.8 - 0.2];
    for (g, w) in got.iter().zip(want) {
        assert!((g - w).abs() < 1e-6, "{got:?}");
    }
}
