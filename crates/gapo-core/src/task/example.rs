//! One example of the task: a product, k constraints, the prompt that states them and a reference
//! response that satisfies them all; and how to draw one at random.

use super::constraint::{Constraint, Kind};
use super::render::{END_MARKS, FORBID_WORDS, INCLUDE_WORDS, START_WORDS, render_prompt, render_response};
use super::world::{Attribute, Product};
use crate::rng::SplitMix64;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Example {
    pub product: Product,
    pub constraints: Vec<Constraint>,
    /// Fixes the prompt's wording (see `render_prompt`).
    pub style: u64,
    pub prompt: String,
    pub response: String,
}

impl Example {
    /// The combination of constraint kinds, sorted: `ends_with+mention+max_words`. Train and held-out
    /// prompts are split by it.
    pub fn signature(&self) -> String {
        signature(&self.constraints)
    }

    pub fn k(&self) -> usize {
        self.constraints.len()
    }
}

pub fn signature(constraints: &[Constraint]) -> String {
    let mut kinds: Vec<Kind> = constraints.iter().map(Constraint::kind).collect();
    kinds.sort();
    kinds.iter().map(|k| k.name()).collect::<Vec<_>>().join("+")
}

/// A random constraint of `kind`, or `None` if it would conflict with one already `taken`.
pub fn random_constraint(kind: Kind, taken: &[Constraint], rng: &mut SplitMix64) -> Option<Constraint> {
    let free_attr = |rng: &mut SplitMix64| {
        let used: Vec<Attribute> = taken
            .iter()
            .filter_map(|c| match c {
                Constraint::Mention(a) | Constraint::Omit(a) => Some(*a),
                _ => None,
            })
            .collect();
        let free: Vec<Attribute> = Attribute::ALL.into_iter().filter(|a| !used.contains(a)).collect();
        (!free.is_empty()).then(|| *rng.pick(&free))
    };
    let c = match kind {
        Kind::Mention => Constraint::Mention(free_attr(rng)?),
        // Omitting the category, colour… is natural; omitting one of several facts keeps the text sensible.
        Kind::Omit => Constraint::Omit(free_attr(rng)?),
        Kind::IncludeWord => Constraint::IncludeWord(rng.pick(&INCLUDE_WORDS).to_string()),
        Kind::ForbidWord => Constraint::ForbidWord(rng.pick(&FORBID_WORDS).to_string()),
        Kind::StartsWith => Constraint::StartsWith(rng.pick(&START_WORDS).to_string()),
        Kind::EndsWith => Constraint::EndsWith(*rng.pick(&END_MARKS)),
        Kind::MaxWords => Constraint::MaxWords(14 + rng.below(17)),
        Kind::MinWords => Constraint::MinWords(6 + rng.below(10)),
        Kind::Sentences => Constraint::Sentences(1 + rng.below(3)),
        Kind::Lowercase => Constraint::Lowercase,
        Kind::Uppercase => Constraint::Uppercase,
        Kind::BulletList => Constraint::BulletList(2 + rng.below(3)),
    };
    (!taken.iter().any(|t| t.conflicts_with(&c))).then_some(c)
}

/// Draws k compatible constraints of the given `kinds` and renders a passing response for them. `accept`
/// filters constraint sets (the train/held-out split). `None` only if no acceptable set renders after many
/// tries.
pub fn sample_example(
    k: usize,
    kinds: &[Kind],
    rng: &mut SplitMix64,
    accept: &dyn Fn(&[Constraint]) -> bool,
) -> Option<Example> {
    for _ in 0..400 {
        let product = Product::sample(rng);
        let mut kinds = kinds.to_vec();
        rng.shuffle(&mut kinds);
        let mut constraints = Vec::with_capacity(k);
        for kind in kinds {
            if constraints.len() == k {
                break;
            }
            if let Some(c) = random_constraint(kind, &constraints, rng) {
                constraints.push(c);
            }
        }
        if constraints.len() < k || !accept(&constraints) {
            continue;
        }
        for _ in 0..8 {
            if let Some(response) = render_response(&product, &constraints, rng) {
                let style = rng.next_u64();
                let prompt = render_prompt(&product, &constraints, style);
                return Some(Example { product, constraints, style, prompt, response });
            }
        }
    }
    None
}
