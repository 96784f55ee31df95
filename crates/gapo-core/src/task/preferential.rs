//! The two kinds of preference pairs.
//!
//! **Preferential prompt** (GAPO's data): keep the response R, change the prompt so R no longer satisfies
//! it: either *modify* one constraint's value (mention ↔ omit, another start word, a word limit below R's
//! length, …) or *insert* a new constraint that R violates. The pair is (P_acc, R) ≻ (P_rej, R).
//!
//! **Preferential response** (the usual RLHF data, for the ablation): keep the prompt, mutate R into R′
//! that fails one constraint. The pair is (P, R) ≻ (P, R′).
//!
//! Every builder confirms its label with the exact checkers before returning: a rejected prompt that R
//! still satisfies, or a mutation that still passes, is never returned.

use super::constraint::{Constraint, Kind};
use super::example::{Example, random_constraint};
use super::render::{END_MARKS, INCLUDE_WORDS, START_WORDS, render_prompt, render_response};
use super::text::{bullet_lines, has_word, sentence_count, words};
use super::world::{Attribute, CATEGORIES, COLOURS, FEATURES, MATERIALS, Product, SIZES};
use crate::hooks::Hooks;
use crate::rng::SplitMix64;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Perturbation {
    /// Constraint `index` got another value.
    Modified { index: usize },
    /// A constraint was inserted at `index`.
    Inserted { index: usize },
}

/// (P_acc, R) ≻ (P_rej, R).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RejectedPrompt {
    pub constraints: Vec<Constraint>,
    pub prompt: String,
    pub how: Perturbation,
}

/// (P, R) ≻ (P, R′).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RejectedResponse {
    pub response: String,
    /// The constraint R′ was made to fail.
    pub failed: usize,
}

/// Whether `response` satisfies every constraint.
pub fn passes(product: &Product, constraints: &[Constraint], response: &str) -> bool {
    constraints.iter().all(|c| c.check(product, response).pass)
}

fn other<T: Clone + PartialEq>(options: &[T], not: impl Fn(&T) -> bool, rng: &mut SplitMix64) -> Option<T> {
    let free: Vec<T> = options.iter().filter(|o| !not(o)).cloned().collect();
    (!free.is_empty()).then(|| rng.pick(&free).clone())
}

/// A word limit `response` breaks, close to its length (a hard negative: at least half its words), or
/// `None` for a response of 4 words or fewer.
pub fn tighter_max_words(response: &str, rng: &mut SplitMix64) -> Option<Constraint> {
    let n_words = words(response).len();
    (n_words > 4).then(|| Constraint::MaxWords(n_words / 2 + rng.below(n_words / 2)))
}

/// The exercise solution in `hooks`, else [`tighter_max_words`].
fn max_words_for(response: &str, hooks: &Hooks, rng: &mut SplitMix64) -> Option<Constraint> {
    match hooks.tighter_max_words {
        Some(student) => student(response, rng),
        None => tighter_max_words(response, rng),
    }
}

/// A new value for `c` that `response` fails.
fn modified(
    c: &Constraint,
    product: &Product,
    response: &str,
    hooks: &Hooks,
    rng: &mut SplitMix64,
) -> Option<Constraint> {
    let n_words = words(response).len();
    Some(match c {
        Constraint::Mention(a) => Constraint::Omit(*a),
        Constraint::Omit(a) => Constraint::Mention(*a),
        Constraint::IncludeWord(w) => match rng.below(2) {
            0 => Constraint::ForbidWord(w.clone()),
            _ => Constraint::IncludeWord(other(&INCLUDE_WORDS, |x| has_word(response, x), rng)?.to_string()),
        },
        Constraint::ForbidWord(w) => Constraint::IncludeWord(w.clone()),
        Constraint::StartsWith(_) => {
            let first = words(response).into_iter().next().unwrap_or_default();
            Constraint::StartsWith(other(&START_WORDS, |x| x.to_lowercase() == first, rng)?.to_string())
        }
        Constraint::EndsWith(_) => {
            let last = response.trim_end().chars().last();
            Constraint::EndsWith(other(&END_MARKS, |x| Some(*x) == last, rng)?)
        }
        Constraint::MaxWords(_) => max_words_for(response, hooks, rng)?,
        Constraint::MinWords(_) => Constraint::MinWords(n_words + 1 + rng.below(8)),
        Constraint::Sentences(n) => {
            let have = sentence_count(response);
            Constraint::Sentences(if *n > 1 && rng.below(2) == 0 { have - 1 } else { have + 1 })
        }
        Constraint::Lowercase => Constraint::Uppercase,
        Constraint::Uppercase => Constraint::Lowercase,
        Constraint::BulletList(_) => {
            let have = bullet_lines(response);
            Constraint::BulletList(if have > 2 && rng.below(2) == 0 { have - 1 } else { have + 1 })
        }
    })
    .filter(|new| !new.check(product, response).pass)
}

/// A constraint that `response` fails, for insertion: a word it uses forbidden, a fact it states omitted, …
fn inserted(
    taken: &[Constraint],
    kinds: &[Kind],
    product: &Product,
    response: &str,
    hooks: &Hooks,
    rng: &mut SplitMix64,
) -> Option<Constraint> {
    let mut kinds = kinds.to_vec();
    rng.shuffle(&mut kinds);
    let present: Vec<Kind> = taken.iter().map(Constraint::kind).collect();
    let used = words(response);
    for kind in kinds.into_iter().filter(|k| !present.contains(k)) {
        let candidate = match kind {
            Kind::ForbidWord => {
                let content: Vec<&String> = used.iter().filter(|w| w.len() > 3 && !w.starts_with('$')).collect();
                (!content.is_empty()).then(|| Constraint::ForbidWord(rng.pick(&content).to_string()))
            }
            Kind::Omit => {
                let said: Vec<Attribute> =
                    Attribute::ALL.into_iter().filter(|a| has_word(response, &product.value(*a))).collect();
                (!said.is_empty()).then(|| Constraint::Omit(*rng.pick(&said)))
            }
            Kind::Mention => {
                let unsaid: Vec<Attribute> =
                    Attribute::ALL.into_iter().filter(|a| !has_word(response, &product.value(*a))).collect();
                (!unsaid.is_empty()).then(|| Constraint::Mention(*rng.pick(&unsaid)))
            }
            Kind::MaxWords => max_words_for(response, hooks, rng),
            Kind::MinWords => Some(Constraint::MinWords(used.len() + 1 + rng.below(8))),
            Kind::Sentences => Some(Constraint::Sentences(sentence_count(response) + 1)),
            _ => random_constraint(kind, &[], rng),
        };
        if let Some(c) = candidate
            && !c.check(product, response).pass
            && !taken.iter().any(|t| t.conflicts_with(&c))
        {
            return Some(c);
        }
    }
    None
}

/// Builds a rejected prompt for `example`: modify one constraint (probability `modify_share`) or insert a
/// conflicting one of the task's `kinds`. The response provably fails the result. `hooks` may hold the
/// classroom's word-limit builder.
pub fn reject_prompt(
    example: &Example,
    modify_share: f64,
    kinds: &[Kind],
    hooks: &Hooks,
    rng: &mut SplitMix64,
) -> Option<RejectedPrompt> {
    let (product, response) = (&example.product, example.response.as_str());
    for _ in 0..16 {
        let mut constraints = example.constraints.clone();
        let how = if rng.unit() < modify_share {
            let index = rng.below(constraints.len());
            let Some(new) = modified(&constraints[index], product, response, hooks, rng) else {
                continue;
            };
            constraints[index] = new;
            Perturbation::Modified { index }
        } else {
            let Some(new) = inserted(&constraints, kinds, product, response, hooks, rng) else {
                continue;
            };
            let index = rng.below(constraints.len() + 1);
            constraints.insert(index, new);
            Perturbation::Inserted { index }
        };
        if !passes(product, &constraints, response) {
            let prompt = render_prompt(product, &constraints, example.style);
            return Some(RejectedPrompt { constraints, prompt, how });
        }
    }
    None
}

/// The other side of a preferential-prompt pair: a response R′ written for the rejected prompt, so that
/// P_rej also appears with an answer it accepts. Returns R′ (it passes every constraint of P_rej) and
/// whether it fails the accepted prompt P_acc (a modified constraint: yes; an inserted one: no, R′
/// satisfies P_acc's constraints too). `None` when the rejected prompt's constraints cannot be met together.
///
/// Why (README, "What we found"): a rejected prompt is built so that R fails it, which skews its
/// constraint values towards what R violates (a word limit below R's length, a forbidden word R uses, one
/// constraint more). A discriminator trained on (P_acc, R) ≻ (P_rej, R) alone can then tell the two prompts
/// apart without reading R. With (P_rej, R′, 1) and (P_acc, R′, 0) beside them every prompt is seen both
/// accepted and rejected, and only the match of response and prompt tells the labels apart.
pub fn answer_rejected_prompt(
    example: &Example,
    rejected: &RejectedPrompt,
    rng: &mut SplitMix64,
) -> Option<(String, bool)> {
    let product = &example.product;
    (0..8).find_map(|_| {
        let r = render_response(product, &rejected.constraints, rng)?;
        passes(product, &rejected.constraints, &r).then(|| {
            let fails_accepted = !passes(product, &example.constraints, &r);
            (r, fails_accepted)
        })
    })
}

fn replace_word(text: &str, from: &str, to: &str) -> String {
    text.split(' ')
        .map(|tok| {
            let core = tok.trim_matches(|c: char| !(c.is_alphanumeric() || c == '$'));
            if !core.is_empty() && core.eq_ignore_ascii_case(from) {
                tok.replacen(core, to, 1)
            } else {
                tok.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn other_value(product: &Product, a: Attribute, rng: &mut SplitMix64) -> String {
    let v = product.value(a);
    match a {
        Attribute::Category => other(&CATEGORIES, |x| *x == v, rng).unwrap_or("thing").to_string(),
        Attribute::Colour => other(&COLOURS, |x| *x == v, rng).unwrap_or("grey").to_string(),
        Attribute::Material => other(&MATERIALS, |x| *x == v, rng).unwrap_or("stone").to_string(),
        Attribute::Size => other(&SIZES, |x| *x == v, rng).unwrap_or("huge").to_string(),
        Attribute::Price => format!("${}", product.price + 5),
        Attribute::Feature => other(&FEATURES, |x| *x == v, rng).unwrap_or("fancy").to_string(),
    }
}

/// One mutation of `response` aimed at constraint `c`.
fn mutate(c: &Constraint, product: &Product, response: &str, rng: &mut SplitMix64) -> String {
    let r = response.trim_end();
    match c {
        Constraint::Mention(a) => replace_word(r, &product.value(*a), &other_value(product, *a, rng)),
        Constraint::Omit(a) => format!("{} {}", r, product.value(*a)),
        Constraint::IncludeWord(w) => {
            let to = other(&INCLUDE_WORDS, |x| x.eq_ignore_ascii_case(w) || has_word(r, x), rng).unwrap_or("fine");
            replace_word(r, w, to)
        }
        Constraint::ForbidWord(w) => {
            let mut ws: Vec<&str> = r.split(' ').collect();
            let at = rng.below(ws.len() + 1).max(1).min(ws.len());
            ws.insert(at, w);
            ws.join(" ")
        }
        Constraint::StartsWith(w) => {
            let to = other(&START_WORDS, |x| x.eq_ignore_ascii_case(w), rng).unwrap_or("So");
            let first = r.split_whitespace().next().unwrap_or("");
            r.replacen(first, to, 1)
        }
        Constraint::EndsWith(e) => {
            let to = other(&END_MARKS, |x| x == e, rng).unwrap_or(';');
            let mut s = r.to_string();
            if s.ends_with(*e) {
                s.pop();
            }
            s.push(to);
            s
        }
        Constraint::MaxWords(n) => {
            let pad = n + 1 - words(r).len().min(*n);
            let filler = ["and", "it", "is", "here", "now", "for", "you"];
            let extra: Vec<&str> = (0..pad).map(|i| filler[i % filler.len()]).collect();
            format!("{r} {}", extra.join(" "))
        }
        Constraint::MinWords(n) => {
            let keep = (n - 1).min(words(r).len().saturating_sub(1)).max(1);
            r.split_whitespace().take(keep).collect::<Vec<_>>().join(" ")
        }
        Constraint::Sentences(_) => match r.find(['.', '!', '?']) {
            Some(i) if i + 1 < r.len() => format!("{},{}", &r[..i], &r[i + 1..]),
            _ => format!("{r} That is all."),
        },
        Constraint::Lowercase => {
            let mut cs = r.chars();
            cs.next().map(|f| f.to_uppercase().collect::<String>() + cs.as_str()).unwrap_or_default()
        }
        Constraint::Uppercase => {
            let mut ws: Vec<String> = r.split(' ').map(String::from).collect();
            let i = rng.below(ws.len());
            ws[i] = ws[i].to_lowercase();
            ws.join(" ")
        }
        Constraint::BulletList(_) => {
            let lines: Vec<&str> = r.lines().collect();
            if lines.len() > 1 && rng.below(2) == 0 {
                lines[..lines.len() - 1].join("\n")
            } else {
                format!("{r}\n- and more")
            }
        }
    }
}

/// Builds R′ from the example's response so that it fails one constraint (preferring mutations after which
/// every other constraint still holds). R′ provably fails the prompt.
pub fn reject_response(example: &Example, rng: &mut SplitMix64) -> Option<RejectedResponse> {
    let (product, cs) = (&example.product, &example.constraints);
    let mut fallback = None;
    for _ in 0..24 {
        let failed = rng.below(cs.len());
        let response = mutate(&cs[failed], product, &example.response, rng);
        if cs[failed].check(product, &response).pass {
            continue;
        }
        let others_hold = cs.iter().enumerate().all(|(i, c)| i == failed || c.check(product, &response).pass);
        if others_hold {
            return Some(RejectedResponse { response, failed });
        }
        fallback.get_or_insert(RejectedResponse { response, failed });
    }
    fallback
}
