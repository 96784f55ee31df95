//! Rendering prompts and reference responses from a small grammar with random variation.
//!
//! A prompt is a task line, the product's facts and the rules (one phrase per constraint). Its wording is
//! fixed by a `style` number, so a preferential prompt that changes one rule differs from the original in
//! that rule's phrase only.
//!
//! A reference response is built to satisfy every rule (a noun phrase and clauses carrying the required
//! facts and words, laid out as sentences or bullets, then start word, end mark and case), and is then
//! checked by the exact checkers: a rendering that fails any rule is discarded, never returned.

use super::constraint::Constraint;
use super::world::{Attribute, Product};
use crate::rng::SplitMix64;

pub const INCLUDE_WORDS: [&str; 10] =
    ["cozy", "sturdy", "sleek", "bright", "handy", "classic", "fresh", "smart", "gentle", "bold"];
pub const FORBID_WORDS: [&str; 8] = ["cheap", "perfect", "best", "amazing", "basic", "great", "nice", "cool"];
pub const START_WORDS: [&str; 6] = ["Meet", "Discover", "Introducing", "Enjoy", "Try", "Behold"];
pub const END_MARKS: [char; 3] = ['.', '!', '?'];

const TASK_LINES: [&str; 5] = [
    "Write a product description for this item.",
    "Describe the product below for an online shop.",
    "Write a short listing for the following product.",
    "Write copy that sells the product below.",
    "Describe this item to a customer.",
];

/// Filler clauses; those holding a forbidden word are skipped. None names an attribute value.
const FILLERS: [&str; 10] = [
    "it is a great pick",
    "made to last",
    "it fits every home",
    "a nice gift",
    "easy to love",
    "built for daily use",
    "the perfect match",
    "you will use it often",
    "simply the best choice",
    "a cool find",
];

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 { format!("{n} {one}") } else { format!("{n} {many}") }
}

/// The phrase that states one rule, in one of three wordings.
pub fn rule_phrase(c: &Constraint, variant: usize) -> String {
    let v = variant % 3;
    let pick = |options: [String; 3]| options[v].clone();
    match c {
        Constraint::Mention(a) => {
            let a = a.name();
            pick([
                format!("Mention the {a}."),
                format!("Make sure to state the {a}."),
                format!("Tell the reader the {a}."),
            ])
        }
        Constraint::Omit(a) => {
            let a = a.name();
            pick([format!("Do not mention the {a}."), format!("Leave out the {a}."), format!("Never state the {a}.")])
        }
        Constraint::IncludeWord(w) => pick([
            format!("Use the word \"{w}\"."),
            format!("Include the word \"{w}\"."),
            format!("The word \"{w}\" must appear."),
        ]),
        Constraint::ForbidWord(w) => pick([
            format!("Do not use the word \"{w}\"."),
            format!("Avoid the word \"{w}\"."),
            format!("Never write \"{w}\"."),
        ]),
        Constraint::StartsWith(w) => pick([
            format!("Start with \"{w}\"."),
            format!("Begin with the word \"{w}\"."),
            format!("The first word must be \"{w}\"."),
        ]),
        Constraint::EndsWith(c) => pick([
            format!("End with \"{c}\"."),
            format!("Finish with the character \"{c}\"."),
            format!("The last character must be \"{c}\"."),
        ]),
        Constraint::MaxWords(n) => pick([
            format!("Use at most {n} words."),
            format!("Keep it under {} words.", n + 1),
            format!("No more than {n} words."),
        ]),
        Constraint::MinWords(n) => pick([
            format!("Use at least {n} words."),
            format!("Write {n} words or more."),
            format!("No fewer than {n} words."),
        ]),
        Constraint::Sentences(n) => {
            let s = plural(*n, "sentence", "sentences");
            pick([
                format!("Write exactly {s}."),
                format!("Use {s}, no more, no less."),
                format!("The text must have exactly {s}."),
            ])
        }
        Constraint::Lowercase => pick([
            "Write in all lowercase letters.".into(),
            "Use no capital letters.".into(),
            "Do not use uppercase letters.".into(),
        ]),
        Constraint::Uppercase => pick([
            "Write in all capital letters.".into(),
            "Use only uppercase letters.".into(),
            "Do not use lowercase letters.".into(),
        ]),
        Constraint::BulletList(n) => {
            let b = plural(*n, "bullet point", "bullet points");
            pick([
                format!("Format it as exactly {b}, each line starting with \"- \"."),
                format!("Give {b}, one per line, each starting with \"- \"."),
                format!("Answer with {b} (lines starting with \"- \") and nothing else."),
            ])
        }
    }
}

/// A rule as a prompt of `style` words it.
pub fn rule_in_prompt(c: &Constraint, style: u64) -> String {
    rule_phrase(c, (style / 7 + c.kind() as u64) as usize)
}

/// The prompt for `product` under `constraints`, worded by `style`.
pub fn render_prompt(product: &Product, constraints: &[Constraint], style: u64) -> String {
    let task = TASK_LINES[(style % TASK_LINES.len() as u64) as usize];
    let rules: Vec<String> = constraints.iter().map(|c| rule_in_prompt(c, style)).collect();
    format!("{task}\nProduct: {}.\nRules: {}", product.facts(), rules.join(" "))
}

/// What the rules ask of a response, gathered.
#[derive(Default)]
struct Plan {
    mention: Vec<Attribute>,
    omit: Vec<Attribute>,
    include: Vec<String>,
    forbid: Vec<String>,
    start: Option<String>,
    end: Option<char>,
    max_words: Option<usize>,
    min_words: Option<usize>,
    sentences: Option<usize>,
    bullets: Option<usize>,
    lowercase: bool,
    uppercase: bool,
}

impl Plan {
    fn of(constraints: &[Constraint]) -> Self {
        let mut p = Plan::default();
        for c in constraints {
            match c {
                Constraint::Mention(a) => p.mention.push(*a),
                Constraint::Omit(a) => p.omit.push(*a),
                Constraint::IncludeWord(w) => p.include.push(w.clone()),
                Constraint::ForbidWord(w) => p.forbid.push(w.to_lowercase()),
                Constraint::StartsWith(w) => p.start = Some(w.clone()),
                Constraint::EndsWith(c) => p.end = Some(*c),
                Constraint::MaxWords(n) => p.max_words = Some(*n),
                Constraint::MinWords(n) => p.min_words = Some(*n),
                Constraint::Sentences(n) => p.sentences = Some(*n),
                Constraint::BulletList(n) => p.bullets = Some(*n),
                Constraint::Lowercase => p.lowercase = true,
                Constraint::Uppercase => p.uppercase = true,
            }
        }
        p
    }

    fn allowed(&self, text: &str) -> bool {
        super::text::words(text).iter().all(|w| !self.forbid.contains(w))
    }
}

/// A clause that states one fact about the product ("it costs $45").
fn fact_clause(product: &Product, a: Attribute, rng: &mut SplitMix64) -> String {
    let v = product.value(a);
    let options: Vec<String> = match a {
        Attribute::Category => vec![format!("it is a {v}"), format!("this {v} delivers")],
        Attribute::Colour => vec![format!("it comes in {v}"), format!("the finish is {v}")],
        Attribute::Material => vec![format!("it is made of {v}"), format!("the body is {v}")],
        Attribute::Size => vec![format!("it is {v}"), format!("the size is {v}")],
        Attribute::Price => vec![format!("it costs {v}"), format!("the price is {v}")],
        Attribute::Feature => vec![format!("it is {v}"), format!("it is fully {v}")],
    };
    rng.pick(&options).clone()
}

fn word_clause(word: &str, rng: &mut SplitMix64) -> String {
    rng.pick(&[format!("it feels {word}"), format!("a {word} choice"), format!("truly {word}")]).clone()
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// One attempt at a response that satisfies every constraint; `None` when this attempt failed a check
/// (the caller tries again or picks other constraints).
pub fn render_response(product: &Product, constraints: &[Constraint], rng: &mut SplitMix64) -> Option<String> {
    let plan = Plan::of(constraints);
    let units = plan.sentences.or(plan.bullets).unwrap_or(1 + rng.below(3));
    // Clauses that must appear, then optional ones for variety.
    let mut required: Vec<String> = Vec::new();
    let mut in_subject: Vec<Attribute> = Vec::new();
    for &a in &plan.mention {
        if matches!(a, Attribute::Colour | Attribute::Material | Attribute::Size) && rng.below(2) == 0 {
            in_subject.push(a);
        } else if a != Attribute::Category {
            required.push(fact_clause(product, a, rng));
        }
    }
    for w in &plan.include {
        required.push(word_clause(w, rng));
    }
    let mut optional: Vec<String> = Vec::new();
    for a in Attribute::ALL {
        if !plan.mention.contains(&a) && !plan.omit.contains(&a) && a != Attribute::Category && rng.below(3) == 0 {
            optional.push(fact_clause(product, a, rng));
        }
    }
    let mut fillers: Vec<&str> = FILLERS.iter().copied().filter(|f| plan.allowed(f)).collect();
    rng.shuffle(&mut fillers);
    rng.shuffle(&mut required);

    // The subject of the first unit: "[start] this [size] [colour] [material] noun".
    let noun = if plan.omit.contains(&Attribute::Category) {
        rng.pick(&["item", "piece", "one"]).to_string()
    } else {
        product.category.clone()
    };
    in_subject.sort();
    let adjectives: Vec<String> = in_subject.iter().map(|a| product.value(*a)).collect();
    let determiner = *rng.pick(&["this", "the", "our"]);
    let mut subject = std::iter::once(determiner.to_string())
        .chain(adjectives)
        .chain(std::iter::once(noun))
        .collect::<Vec<_>>()
        .join(" ");
    if let Some(s) = &plan.start {
        subject = format!("{s} {subject}");
    }

    // Distribute clauses over the units; every unit gets at least one clause.
    let mut clauses: Vec<Vec<String>> = vec![Vec::new(); units];
    for (i, c) in required.into_iter().enumerate() {
        clauses[i % units].push(c);
    }
    let mut fill = fillers.iter().cycle().take(FILLERS.len() * 4);
    let mut opt = optional.into_iter();
    for unit in clauses.iter_mut() {
        if unit.is_empty() {
            unit.push(match opt.next() {
                Some(c) => c,
                None => fill.next()?.to_string(),
            });
        }
    }
    let assemble = |clauses: &Vec<Vec<String>>| -> String {
        let texts: Vec<String> = clauses
            .iter()
            .enumerate()
            .map(|(i, cs)| {
                let body = cs.join(" and ");
                let unit = if i == 0 { format!("{subject}: {body}") } else { body };
                capitalise(&unit)
            })
            .collect();
        let n = texts.len();
        let mut out = String::new();
        for (i, t) in texts.into_iter().enumerate() {
            let last = i + 1 == n;
            if plan.bullets.is_some() {
                let mark = if last { plan.end.map(String::from).unwrap_or_default() } else { String::new() };
                out.push_str(&format!("- {t}{mark}"));
                if !last {
                    out.push('\n');
                }
            } else {
                let mark = if last { plan.end.unwrap_or('.') } else { '.' };
                out.push_str(&format!("{t}{mark}"));
                if !last {
                    out.push(' ');
                }
            }
        }
        if plan.lowercase {
            out = out.to_lowercase();
        } else if plan.uppercase {
            out = out.to_uppercase();
        }
        out
    };

    // Grow to the minimum length with optional facts, then fillers.
    let mut text = assemble(&clauses);
    let min = plan.min_words.unwrap_or(0);
    let mut unit = 0;
    while super::text::words(&text).len() < min {
        let extra = match opt.next() {
            Some(c) => c,
            None => fill.next()?.to_string(),
        };
        clauses[unit % units].push(extra);
        unit += 1;
        text = assemble(&clauses);
    }
    constraints.iter().all(|c| c.check(product, &text).pass).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_has_three_wordings_and_names_its_value() {
        let c = Constraint::IncludeWord("cozy".into());
        let phrases: std::collections::HashSet<_> = (0..3).map(|v| rule_phrase(&c, v)).collect();
        assert_eq!(phrases.len(), 3);
        assert!(phrases.iter().all(|p| p.contains("\"cozy\"")));
        assert!(rule_phrase(&Constraint::Sentences(1), 0).contains("1 sentence."));
    }
}
