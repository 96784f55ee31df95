//! Classroom exercises for gapo-playground, in the spirit of rustlings: five pieces of GAPO written in
//! gapo-core's own terms. The student edits the files in `exercises/`; `cargo run -p gapo-exercises --
//! check` says which pass; `gapo train --use-exercise-solutions` trains with the passing ones.
//!
//! With the `solutions` feature the reference solutions in `solutions/` are compiled instead (for teachers
//! and CI).

#[cfg_attr(feature = "solutions", path = "../solutions/e1_bce.rs")]
#[cfg_attr(not(feature = "solutions"), path = "../exercises/e1_bce.rs")]
pub mod e1_bce;
#[cfg_attr(feature = "solutions", path = "../solutions/e2_preferential.rs")]
#[cfg_attr(not(feature = "solutions"), path = "../exercises/e2_preferential.rs")]
pub mod e2_preferential;
#[cfg_attr(feature = "solutions", path = "../solutions/e3_kl_reward.rs")]
#[cfg_attr(not(feature = "solutions"), path = "../exercises/e3_kl_reward.rs")]
pub mod e3_kl_reward;
#[cfg_attr(feature = "solutions", path = "../solutions/e4_gae.rs")]
#[cfg_attr(not(feature = "solutions"), path = "../exercises/e4_gae.rs")]
pub mod e4_gae;
#[cfg_attr(feature = "solutions", path = "../solutions/e5_ppo_clip.rs")]
#[cfg_attr(not(feature = "solutions"), path = "../exercises/e5_ppo_clip.rs")]
pub mod e5_ppo_clip;

pub mod checks;

use checks::{EXERCISES, State};
use gapo_core::hooks::Hooks;

/// Hooks for every exercise whose check passes, and the names of those exercises. Exercises that are
/// still todo or failing keep gapo-core's built-in code.
pub fn passing_hooks() -> (Hooks, Vec<&'static str>) {
    let mut hooks = Hooks::default();
    let mut used = Vec::new();
    for e in &EXERCISES {
        if e.run() != State::Passing {
            continue;
        }
        used.push(e.name);
        match e.name {
            "e1_bce" => hooks.bce_loss = Some(e1_bce::bce_loss),
            "e2_preferential" => hooks.tighter_max_words = Some(e2_preferential::tighter_max_words),
            "e3_kl_reward" => hooks.shaped_rewards = Some(e3_kl_reward::shaped_rewards),
            "e4_gae" => hooks.gae = Some(e4_gae::gae),
            "e5_ppo_clip" => hooks.clipped_policy_loss = Some(e5_ppo_clip::clipped_policy_loss),
            other => unreachable!("exercise {other} has no hook"),
        }
    }
    (hooks, used)
}
