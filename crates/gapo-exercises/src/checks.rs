//! The checks: each compares one exercise against the written-out formula and gapo-core's own tested
//! implementation, on fixed and random inputs. A check returns `Err(what is wrong)`; a `todo!()` or any
//! other panic in the student's code is caught and reported, never a crash of the runner.

use crate::{e1_bce, e2_preferential, e3_kl_reward, e4_gae, e5_ppo_clip};
use burn::tensor::{Device, Tensor, TensorData};
use gapo_core::algo::ppo::{gae_naive, policy_loss, shaped_rewards as builtin_shaped_rewards};
use gapo_core::hooks::{BceLoss, ClippedPolicyLoss, Gae, ShapedRewards, TighterMaxWords};
use gapo_core::rng::SplitMix64;
use gapo_core::task::text::words;
use gapo_core::task::{Constraint, Product};
use std::panic::{AssertUnwindSafe, catch_unwind};

/// One exercise: its file, title, hints and check.
pub struct Exercise {
    pub name: &'static str,
    pub file: &'static str,
    pub title: &'static str,
    pub hints: &'static [&'static str],
    check: fn() -> Result<(), String>,
}

/// Where an exercise stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum State {
    /// Still `todo!()`.
    Todo,
    /// Written, but wrong: what the check found.
    Failing(String),
    Passing,
}

impl Exercise {
    /// Runs the check on the student's code.
    pub fn run(&self) -> State {
        run_check(self.check)
    }
}

/// Runs a check, catching panics (a `todo!()` is `Todo`; any other panic is `Failing`).
pub fn run_check(check: impl FnOnce() -> Result<(), String>) -> State {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = catch_unwind(AssertUnwindSafe(check));
    std::panic::set_hook(previous);
    match result {
        Ok(Ok(())) => State::Passing,
        Ok(Err(why)) => State::Failing(why),
        Err(payload) => {
            let msg = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            if msg.starts_with("not yet implemented") {
                State::Todo
            } else {
                State::Failing(format!("panicked: {msg}"))
            }
        }
    }
}

pub const EXERCISES: [Exercise; 5] = [
    Exercise {
        name: "e1_bce",
        file: "exercises/e1_bce.rs",
        title: "the discriminator's BCE loss",
        hints: &[
            "softplus(s) = log(1 + e^s); burn has it as burn::tensor::activation::softplus(x, 1.0).",
            "Tensors are consumed by ops: clone `logits` where you use it twice.",
            "The whole loss is one line: (softplus(s) − y·s).mean().",
        ],
        check: || check_bce(e1_bce::bce_loss),
    },
    Exercise {
        name: "e2_preferential",
        file: "exercises/e2_preferential.rs",
        title: "a preferential prompt for a word limit",
        hints: &[
            "words(response).len() from gapo_core::task::text counts words as the checker does.",
            "rng.below(k) draws 0..k: w/2 + rng.below(w − w/2) lands in [w/2, w).",
            "Return Some(Constraint::MaxWords(n)); None when there are 4 words or fewer.",
        ],
        check: || check_preferential(e2_preferential::tighter_max_words),
    },
    Exercise {
        name: "e3_kl_reward",
        file: "exercises/e3_kl_reward.rs",
        title: "the per-token reward with a KL penalty",
        hints: &[
            "The penalty part is kl.mul_scalar(−β) * mask.",
            "mask.sum_dim(1) − 1 is each row's last index, shape [B, 1]; compare it with arange(0..N) to get a one-hot.",
            "scores.clamp(−c, c).reshape([B, 1]).expand([B, N]) puts each score on every token of its row.",
        ],
        check: || check_kl_reward(e3_kl_reward::shaped_rewards),
    },
    Exercise {
        name: "e4_gae",
        file: "exercises/e4_gae.rs",
        title: "generalised advantage estimation",
        hints: &[
            "Walk t from N−1 down to 0, keeping next_value and next_advantage as [B, 1] columns (zeros at first).",
            "tensor.clone().narrow(1, t, 1) is column t; Tensor::cat(columns, 1) glues them back (reverse the list first).",
            "Returns are advantages + values, masked.",
        ],
        check: || check_gae(e4_gae::gae),
    },
    Exercise {
        name: "e5_ppo_clip",
        file: "exercises/e5_ppo_clip.rs",
        title: "PPO's clipped policy loss",
        hints: &[
            "ratio = (logp − old_logp).exp(); clamp(1 − ε, 1 + ε) clips it.",
            "−min(a, b): a.min_pair(b).neg().",
            "Mask, sum over tokens (sum_dim(1)), divide by each row's token count, then .mean() over rows.",
        ],
        check: || check_ppo_clip(e5_ppo_clip::clipped_policy_loss),
    },
];

fn device() -> Device {
    Device::flex()
}

fn host1(t: Tensor<1>) -> Vec<f32> {
    t.into_data().convert::<f32>().try_into_vec::<f32>().expect("f32 data")
}

fn host2(t: Tensor<2>) -> Vec<f32> {
    t.into_data().convert::<f32>().try_into_vec::<f32>().expect("f32 data")
}

fn t1(v: &[f32], d: &Device) -> Tensor<1> {
    Tensor::from_data(TensorData::new(v.to_vec(), [v.len()]), d)
}

fn t2(v: &[Vec<f32>], d: &Device) -> Tensor<2> {
    let (b, n) = (v.len(), v[0].len());
    Tensor::from_data(TensorData::new(v.concat(), [b, n]), d)
}

fn close(what: &str, got: &[f32], want: &[f32], tol: f32) -> Result<(), String> {
    if got.len() != want.len() {
        return Err(format!("{what}: {} values, expected {}", got.len(), want.len()));
    }
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        if !g.is_finite() || (g - w).abs() > tol * (1.0 + w.abs()) {
            return Err(format!("{what}: value {i} is {g}, expected {w} (got {got:?}, expected {want:?})"));
        }
    }
    Ok(())
}

/// Random right-padded masks: every row has 1..=n generated tokens.
fn random_batch(rng: &mut SplitMix64, b: usize, n: usize) -> (Vec<Vec<f32>>, Vec<Vec<f32>>, Vec<Vec<f32>>) {
    let mut normal = || (rng.unit() as f32 - 0.5) * 4.0;
    let a: Vec<Vec<f32>> = (0..b).map(|_| (0..n).map(|_| normal()).collect()).collect();
    let c: Vec<Vec<f32>> = (0..b).map(|_| (0..n).map(|_| normal()).collect()).collect();
    let lens: Vec<usize> = (0..b)
        .map(|i| {
            if i == 0 {
                n
            } else if i == 1 {
                1
            } else {
                1 + rng.below(n)
            }
        })
        .collect();
    let m: Vec<Vec<f32>> = lens.iter().map(|&l| (0..n).map(|t| if t < l { 1.0 } else { 0.0 }).collect()).collect();
    (a, c, m)
}

pub fn check_bce(bce_loss: BceLoss) -> Result<(), String> {
    let d = device();
    let logits = [2.0f32, -1.0, 0.0, 0.5, -3.0];
    let labels = [1.0f32, 0.0, 1.0, 0.0, 1.0];
    let sigmoid = |s: f32| 1.0 / (1.0 + (-s).exp());
    let want: f32 = logits
        .iter()
        .zip(&labels)
        .map(|(&s, &y)| -(y * sigmoid(s).ln() + (1.0 - y) * (1.0 - sigmoid(s)).ln()))
        .sum::<f32>()
        / logits.len() as f32;
    let got = host1(bce_loss(t1(&logits, &d), t1(&labels, &d)));
    close("the loss of 5 rows", &got, &[want], 1e-5)?;
    // Large logits must not overflow: log σ(−60) is −60, not −∞.
    let got = host1(bce_loss(t1(&[60.0, -60.0], &d), t1(&[0.0, 1.0], &d)));
    close("the loss at logits ±60 (a form that overflows gives inf or NaN here)", &got, &[60.0], 1e-4)?;
    // The gradient is (σ(s) − y)/B.
    let ad = d.clone().autodiff();
    let s = t1(&logits, &ad).require_grad();
    let loss = bce_loss(s.clone(), t1(&labels, &ad));
    let grads = loss.backward();
    let g = s.grad(&grads).ok_or("no gradient reaches the logits: build the loss from tensor ops")?;
    let want: Vec<f32> = logits.iter().zip(&labels).map(|(&s, &y)| (sigmoid(s) - y) / 5.0).collect();
    close("the gradient with respect to the logits", &host1(g), &want, 1e-5)
}

pub fn check_preferential(tighter_max_words: TighterMaxWords) -> Result<(), String> {
    let product = Product {
        category: "lamp".into(),
        colour: "red".into(),
        material: "oak".into(),
        size: "small".into(),
        price: 45,
        feature: "quiet".into(),
    };
    let vocab = ["this", "lamp", "glows", "red", "and", "it", "is", "made", "of", "oak"];
    let mut rng = SplitMix64::new(7);
    for n_words in 0..40 {
        let response: String = (0..n_words).map(|i| vocab[i % vocab.len()]).collect::<Vec<_>>().join(" ") + ".";
        let w = words(&response).len();
        let mut limits = std::collections::BTreeSet::new();
        for _ in 0..60 {
            match tighter_max_words(&response, &mut rng) {
                None if w <= 4 => {}
                None => return Err(format!("a response of {w} words got None; expected a limit in [{}, {w})", w / 2)),
                Some(_) if w <= 4 => return Err(format!("a response of {w} words (≤ 4) must give None")),
                Some(Constraint::MaxWords(n)) => {
                    if n < w / 2 || n >= w {
                        return Err(format!("a response of {w} words got MaxWords({n}); expected {} ≤ n < {w}", w / 2));
                    }
                    if Constraint::MaxWords(n).check(&product, &response).pass {
                        return Err(format!("the response passes MaxWords({n}), so the prompt is not rejected"));
                    }
                    limits.insert(n);
                }
                Some(other) => return Err(format!("expected a MaxWords constraint, got {other:?}")),
            }
        }
        if w >= 10 && limits.len() < 3 {
            return Err(format!("a response of {w} words always got one of {limits:?}: draw n with rng"));
        }
    }
    Ok(())
}

pub fn check_kl_reward(shaped_rewards: ShapedRewards) -> Result<(), String> {
    let d = device();
    // A hand example: row 0 has 3 tokens, row 1 has 1; the score 5 is clipped to 2.
    let kl = vec![vec![0.5, 1.0, -0.5, 9.0], vec![2.0, 9.0, 9.0, 9.0]];
    let mask = vec![vec![1.0, 1.0, 1.0, 0.0], vec![1.0, 0.0, 0.0, 0.0]];
    let got = host2(shaped_rewards(t2(&kl, &d), t1(&[5.0, -1.0], &d), t2(&mask, &d), 0.1, 2.0));
    close("the hand example (β 0.1, clip 2)", &got, &[-0.05, -0.1, 2.05, 0.0, -1.2, 0.0, 0.0, 0.0], 1e-5)?;
    let mut rng = SplitMix64::new(3);
    for (b, n) in [(5, 7), (3, 1), (8, 12)] {
        let (kl, scores, mask) = random_batch(&mut rng, b, n);
        let scores: Vec<f32> = scores.iter().map(|r| r[0] * 3.0).collect();
        let args = |d: &Device| (t2(&kl, d), t1(&scores, d), t2(&mask, d));
        let (k, s, m) = args(&d);
        let got = host2(shaped_rewards(k, s, m, 0.05, 2.5));
        let (k, s, m) = args(&d);
        let want = host2(builtin_shaped_rewards(k, s, m, 0.05, 2.5));
        close(&format!("random batch {b}×{n}"), &got, &want, 1e-5)?;
    }
    Ok(())
}

pub fn check_gae(gae: Gae) -> Result<(), String> {
    let d = device();
    let mut rng = SplitMix64::new(11);
    for (b, n, gamma, lambda) in [(4, 6, 1.0, 0.95), (3, 1, 0.9, 0.9), (6, 10, 0.99, 0.5)] {
        let (rewards, values, mask) = random_batch(&mut rng, b, n);
        let (adv, ret) = gae(t2(&rewards, &d), t2(&values, &d), t2(&mask, &d), gamma, lambda);
        let (want_adv, want_ret) = gae_naive(&rewards, &values, &mask, gamma, lambda);
        close(&format!("advantages, batch {b}×{n}, γ {gamma}, λ {lambda}"), &host2(adv), &want_adv.concat(), 1e-4)?;
        close(&format!("returns, batch {b}×{n}, γ {gamma}, λ {lambda}"), &host2(ret), &want_ret.concat(), 1e-4)?;
    }
    Ok(())
}

pub fn check_ppo_clip(clipped_policy_loss: ClippedPolicyLoss) -> Result<(), String> {
    let d = device();
    let ad = d.clone().autodiff();
    let mut rng = SplitMix64::new(5);
    for (b, n, eps) in [(4, 5, 0.2), (6, 3, 0.1), (2, 8, 0.3)] {
        let (logp, shift, mask) = random_batch(&mut rng, b, n);
        // Ratios from about e^−0.6 to e^0.6: inside and outside the clip range.
        let old: Vec<Vec<f32>> =
            logp.iter().zip(&shift).map(|(l, s)| l.iter().zip(s).map(|(a, b)| a - 0.3 * b).collect()).collect();
        let (adv, _, _) = random_batch(&mut rng, b, n);
        let run = |f: &dyn Fn(Tensor<2>, Tensor<2>, Tensor<2>, Tensor<2>) -> Tensor<1>| -> (Vec<f32>, Vec<f32>) {
            let x = t2(&logp, &ad).require_grad();
            let loss = f(x.clone(), t2(&old, &ad), t2(&adv, &ad), t2(&mask, &ad));
            let grads = loss.clone().backward();
            let g = x.grad(&grads).map(host2).unwrap_or_default();
            (host1(loss.detach()), g)
        };
        let (got, got_grad) = run(&|l, o, a, m| clipped_policy_loss(l, o, a, m, eps));
        let (want, want_grad) = run(&|l, o, a, m| policy_loss(l, o, a, m, eps).loss);
        close(&format!("the loss, batch {b}×{n}, ε {eps}"), &got, &want, 1e-5)?;
        if got_grad.is_empty() {
            return Err("no gradient reaches logp: build the loss from tensor ops on logp".into());
        }
        close(&format!("the gradient with respect to logp, batch {b}×{n}"), &got_grad, &want_grad, 1e-4)?;
    }
    Ok(())
}
