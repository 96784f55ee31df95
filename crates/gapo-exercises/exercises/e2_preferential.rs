//! # Exercise 2 — a preferential prompt for a word limit
//!
//! **What.** GAPO's data keeps a reference response R and changes the prompt so that R no longer satisfies
//! it: (P_accepted, R) ≻ (P_rejected, R). Here you build the rejected rule for one constraint kind, the word
//! limit `MaxWords(n)` ("Use at most n words."): given R, return a limit that R breaks.
//!
//! **Why.** Only the prompt changes, so the discriminator must read the rule and count to tell the two
//! apart. A limit far below R's length would be easy to spot; a limit just under it is a *hard negative*
//! that teaches the counting.
//!
//! **The rule.** Let `w` be R's number of words (`gapo_core::task::text::words(r).len()`).
//!
//! ```text
//! w ≤ 4:  None                                  (too short to tighten meaningfully)
//! w > 4:  Some(MaxWords(n)) with  ⌊w/2⌋ ≤ n < w  (R breaks it: it has more than n words)
//! ```
//!
//! Draw `n` with `rng` (`rng.below(k)` gives 0..k), so different items get different limits.
//!
//! Check it: `cargo run -p gapo-exercises -- check`.

use gapo_core::rng::SplitMix64;
use gapo_core::task::Constraint;

pub fn tighter_max_words(response: &str, rng: &mut SplitMix64) -> Option<Constraint> {
    let _ = (response, rng);
    todo!("exercise 2: a MaxWords limit the response breaks, between half its words and its length")
}
