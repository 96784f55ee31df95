//! The checks can fail: typical wrong answers are reported as failing (with what is wrong), a panic is
//! caught, and gapo-core's built-in pieces pass. (That the stubs read `todo` and the reference solutions
//! pass is checked by CI with `check --expect todo` and `--features solutions -- check --expect passing`.)

use burn::tensor::activation::{log_sigmoid, softplus};
use gapo_core::algo::ppo::{gae, policy_loss, shaped_rewards};
use gapo_core::algo::reward::bce_loss;
use gapo_core::task::Constraint;
use gapo_core::task::preferential::tighter_max_words;
use gapo_core::task::text::words;
use gapo_exercises::checks::{
    State, check_bce, check_gae, check_kl_reward, check_ppo_clip, check_preferential, run_check,
};

fn failing(state: State, what: &str) {
    assert!(matches!(state, State::Failing(_)), "{what}: expected failing, got {state:?}");
}

#[test]
fn the_built_in_pieces_pass() {
    assert_eq!(run_check(|| check_bce(bce_loss)), State::Passing);
    assert_eq!(run_check(|| check_preferential(tighter_max_words)), State::Passing);
    assert_eq!(run_check(|| check_kl_reward(shaped_rewards)), State::Passing);
    assert_eq!(run_check(|| check_gae(gae)), State::Passing);
    assert_eq!(run_check(|| check_ppo_clip(|l, o, a, m, e| policy_loss(l, o, a, m, e).loss)), State::Passing);
}

#[test]
fn typical_mistakes_fail() {
    // BCE summed instead of averaged; BCE by the naive log σ that overflows at large logits; a wrong sign.
    failing(run_check(|| check_bce(|s, y| softplus(s.clone(), 1.0).sum() - (y * s).sum())), "bce sum");
    failing(
        run_check(|| {
            check_bce(|s, y| {
                let p = burn::tensor::activation::sigmoid(s);
                (-(y.clone() * p.clone().log()) - (y.neg().add_scalar(1.0)) * p.neg().add_scalar(1.0).log()).mean()
            })
        }),
        "bce overflow",
    );
    failing(run_check(|| check_bce(|s, y| (log_sigmoid(s.clone()) * y).mean())), "bce sign");
    // A limit the response still meets; a limit far too low; always the same limit.
    failing(run_check(|| check_preferential(|r, _| Some(Constraint::MaxWords(words(r).len())))), "limit met");
    failing(
        run_check(|| check_preferential(|r, _| (words(r).len() > 4).then_some(Constraint::MaxWords(1)))),
        "too low",
    );
    failing(
        run_check(|| check_preferential(|r, _| (words(r).len() > 4).then(|| Constraint::MaxWords(words(r).len() - 1)))),
        "no variety",
    );
    // The score on every token instead of the last; the KL not masked.
    failing(
        run_check(|| {
            check_kl_reward(|kl, s, m, beta, clip| {
                let [b, n] = m.dims();
                kl.mul_scalar(-beta) * m.clone() + s.clamp(-clip, clip).reshape([b, 1]).expand([b, n]) * m
            })
        }),
        "score everywhere",
    );
    failing(
        run_check(|| {
            check_kl_reward(|kl, s, m, beta, clip| {
                let padding = m.ones_like() - m.clone();
                shaped_rewards(kl.clone(), s, m, beta, clip) - kl.mul_scalar(beta) * padding
            })
        }),
        "kl on padding",
    );
    // GAE without λ; without masking.
    failing(run_check(|| check_gae(|r, v, m, g, _| gae(r, v, m, g, 1.0))), "gae λ");
    failing(run_check(|| check_gae(|r, v, m, g, l| gae(r, v, m.ones_like(), g, l))), "gae mask");
    // The unclipped surrogate; the loss with the wrong sign; a detached loss.
    failing(run_check(|| check_ppo_clip(|l, o, a, m, _| policy_loss(l, o, a, m, 100.0).loss)), "no clip");
    failing(run_check(|| check_ppo_clip(|l, o, a, m, e| policy_loss(l, o, a, m, e).loss.neg())), "sign");
    failing(run_check(|| check_ppo_clip(|l, o, a, m, e| policy_loss(l, o, a, m, e).loss.detach())), "no gradient");
    // A panic in the student's code is caught and reported.
    let s = run_check(|| check_gae(|r, _, _, _, _| (r.clone().narrow(1, 0, 99), r)));
    assert!(matches!(&s, State::Failing(m) if m.starts_with("panicked")), "{s:?}");
    let s = run_check(|| check_bce(|_, _| todo!()));
    assert_eq!(s, State::Todo);
}
