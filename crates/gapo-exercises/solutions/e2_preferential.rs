//! Reference solution of exercise 2 (see `exercises/e2_preferential.rs` for the text).

use gapo_core::rng::SplitMix64;
use gapo_core::task::Constraint;
use gapo_core::task::text::words;

pub fn tighter_max_words(response: &str, rng: &mut SplitMix64) -> Option<Constraint> {
    let w = words(response).len();
    if w <= 4 {
        return None;
    }
    // n in [⌊w/2⌋, w): the response has w > n words, so it breaks the limit, but only just.
    Some(Constraint::MaxWords(w / 2 + rng.below(w - w / 2)))
}
