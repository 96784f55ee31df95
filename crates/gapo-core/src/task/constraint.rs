//! Constraint kinds and their exact checkers. A checker answers pass or fail and, on fail, why, from the
//! response text alone (plus the product, for attribute mentions). Content checks are case-insensitive and
//! whole-word, so `lowercase` and `uppercase` never interfere with them.

use super::text::{bullet_lines, has_lowercase, has_uppercase, has_word, lines, sentence_count, words};
use super::world::{Attribute, Product};
use serde::{Deserialize, Serialize};

/// One checkable instruction.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Constraint {
    /// The response names the product's value of this attribute.
    Mention(Attribute),
    /// The response does not name it.
    Omit(Attribute),
    /// The word appears.
    IncludeWord(String),
    /// The word does not appear.
    ForbidWord(String),
    /// The first word is this one.
    StartsWith(String),
    /// The last non-space character is this one.
    EndsWith(char),
    /// At most this many words.
    MaxWords(usize),
    /// At least this many words.
    MinWords(usize),
    /// Exactly this many sentences.
    Sentences(usize),
    /// No uppercase letter.
    Lowercase,
    /// No lowercase letter.
    Uppercase,
    /// Exactly this many bullet lines (`- `) and no other lines.
    BulletList(usize),
}

/// The kind of a constraint, without its value: what per-kind metrics group by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Mention,
    Omit,
    IncludeWord,
    ForbidWord,
    StartsWith,
    EndsWith,
    MaxWords,
    MinWords,
    Sentences,
    Lowercase,
    Uppercase,
    BulletList,
}

impl Kind {
    pub const ALL: [Kind; 12] = [
        Self::Mention,
        Self::Omit,
        Self::IncludeWord,
        Self::ForbidWord,
        Self::StartsWith,
        Self::EndsWith,
        Self::MaxWords,
        Self::MinWords,
        Self::Sentences,
        Self::Lowercase,
        Self::Uppercase,
        Self::BulletList,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::Mention => "mention",
            Self::Omit => "omit",
            Self::IncludeWord => "include_word",
            Self::ForbidWord => "forbid_word",
            Self::StartsWith => "starts_with",
            Self::EndsWith => "ends_with",
            Self::MaxWords => "max_words",
            Self::MinWords => "min_words",
            Self::Sentences => "sentences",
            Self::Lowercase => "lowercase",
            Self::Uppercase => "uppercase",
            Self::BulletList => "bullet_list",
        }
    }

    /// Content constraints say what is said; form constraints say how.
    pub fn is_content(self) -> bool {
        matches!(self, Self::Mention | Self::Omit | Self::IncludeWord | Self::ForbidWord)
    }
}

/// A checker's answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    pub pass: bool,
    /// Why it failed; empty on a pass.
    pub why: String,
}

impl Verdict {
    fn pass() -> Self {
        Self { pass: true, why: String::new() }
    }
    fn fail(why: String) -> Self {
        Self { pass: false, why }
    }
    fn from(pass: bool, why: impl FnOnce() -> String) -> Self {
        if pass { Self::pass() } else { Self::fail(why()) }
    }
}

impl Constraint {
    pub fn kind(&self) -> Kind {
        match self {
            Self::Mention(_) => Kind::Mention,
            Self::Omit(_) => Kind::Omit,
            Self::IncludeWord(_) => Kind::IncludeWord,
            Self::ForbidWord(_) => Kind::ForbidWord,
            Self::StartsWith(_) => Kind::StartsWith,
            Self::EndsWith(_) => Kind::EndsWith,
            Self::MaxWords(_) => Kind::MaxWords,
            Self::MinWords(_) => Kind::MinWords,
            Self::Sentences(_) => Kind::Sentences,
            Self::Lowercase => Kind::Lowercase,
            Self::Uppercase => Kind::Uppercase,
            Self::BulletList(_) => Kind::BulletList,
        }
    }

    /// The exact check.
    pub fn check(&self, product: &Product, response: &str) -> Verdict {
        match self {
            Self::Mention(a) => {
                let v = product.value(*a);
                Verdict::from(has_word(response, &v), || format!("does not mention the {} ({v})", a.name()))
            }
            Self::Omit(a) => {
                let v = product.value(*a);
                Verdict::from(!has_word(response, &v), || format!("mentions the {} ({v})", a.name()))
            }
            Self::IncludeWord(w) => Verdict::from(has_word(response, w), || format!("does not use the word \"{w}\"")),
            Self::ForbidWord(w) => Verdict::from(!has_word(response, w), || format!("uses the word \"{w}\"")),
            Self::StartsWith(w) => {
                let first = words(response).into_iter().next().unwrap_or_default();
                Verdict::from(first == w.to_lowercase(), || format!("starts with \"{first}\", not \"{w}\""))
            }
            Self::EndsWith(c) => {
                let last = response.trim_end().chars().last();
                Verdict::from(last == Some(*c), || match last {
                    Some(l) => format!("ends with '{l}', not '{c}'"),
                    None => format!("is empty, so it does not end with '{c}'"),
                })
            }
            Self::MaxWords(n) => {
                let count = words(response).len();
                Verdict::from(count <= *n, || format!("has {count} words, more than {n}"))
            }
            Self::MinWords(n) => {
                let count = words(response).len();
                Verdict::from(count >= *n, || format!("has {count} words, fewer than {n}"))
            }
            Self::Sentences(n) => {
                let count = sentence_count(response);
                Verdict::from(count == *n, || format!("has {count} sentences, not {n}"))
            }
            Self::Lowercase => {
                Verdict::from(!has_uppercase(response) && has_lowercase(response), || "is not all lowercase".into())
            }
            Self::Uppercase => {
                Verdict::from(!has_lowercase(response) && has_uppercase(response), || "is not all uppercase".into())
            }
            Self::BulletList(n) => {
                let all = lines(response).len();
                let bullets = bullet_lines(response);
                Verdict::from(bullets == *n && all == *n, || {
                    format!("has {bullets} bullet lines and {} other lines, not exactly {n} bullets", all - bullets)
                })
            }
        }
    }

    /// Whether two constraints can never both hold (so a prompt never asks for both).
    pub fn conflicts_with(&self, other: &Constraint) -> bool {
        use Constraint::*;
        match (self, other) {
            (Mention(a), Omit(b)) | (Omit(b), Mention(a)) => a == b,
            (IncludeWord(a), ForbidWord(b)) | (ForbidWord(b), IncludeWord(a)) => a.eq_ignore_ascii_case(b),
            (StartsWith(a), ForbidWord(b)) | (ForbidWord(b), StartsWith(a)) => a.eq_ignore_ascii_case(b),
            (Lowercase, Uppercase) | (Uppercase, Lowercase) => true,
            (MaxWords(max), MinWords(min)) | (MinWords(min), MaxWords(max)) => min + 4 > *max,
            (Sentences(_), BulletList(_)) | (BulletList(_), Sentences(_)) => true,
            (StartsWith(_), BulletList(_)) | (BulletList(_), StartsWith(_)) => true,
            _ => self.kind() == other.kind(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lamp() -> Product {
        Product {
            category: "lamp".into(),
            colour: "red".into(),
            material: "oak".into(),
            size: "small".into(),
            price: 45,
            feature: "foldable".into(),
        }
    }

    #[test]
    fn every_kind_passes_and_fails_with_a_reason() {
        let p = lamp();
        let good = "Meet the red lamp. It costs $45!";
        let cases = [
            (Constraint::Mention(Attribute::Colour), good, "a blue lamp"),
            (Constraint::Mention(Attribute::Price), good, "red lamp"),
            (Constraint::Omit(Attribute::Material), good, "an oak lamp"),
            (Constraint::IncludeWord("costs".into()), good, "a lamp"),
            (Constraint::ForbidWord("cheap".into()), good, "so cheap"),
            (Constraint::StartsWith("Meet".into()), "meet it", "Greet it"),
            (Constraint::EndsWith('!'), good, "Done."),
            (Constraint::MaxWords(7), good, "one two three four five six seven eight"),
            (Constraint::MinWords(7), good, "too short"),
            (Constraint::Sentences(2), good, "One sentence only."),
            (Constraint::Lowercase, "all small $45", "Not small"),
            (Constraint::Uppercase, "ALL BIG $45", "ALL BIg"),
            (Constraint::BulletList(2), "- one\n- two", "- one\n- two\nthree"),
        ];
        for (c, pass, fail) in cases {
            assert!(c.check(&p, pass).pass, "{c:?} should pass {pass:?}");
            let v = c.check(&p, fail);
            assert!(!v.pass && !v.why.is_empty(), "{c:?} should fail {fail:?}");
        }
    }

    #[test]
    fn conflicts_are_symmetric() {
        let all = [
            Constraint::Mention(Attribute::Colour),
            Constraint::Omit(Attribute::Colour),
            Constraint::Omit(Attribute::Size),
            Constraint::IncludeWord("cozy".into()),
            Constraint::ForbidWord("cozy".into()),
            Constraint::Lowercase,
            Constraint::Uppercase,
            Constraint::MaxWords(10),
            Constraint::MinWords(8),
            Constraint::Sentences(2),
            Constraint::BulletList(3),
        ];
        for a in &all {
            for b in &all {
                assert_eq!(a.conflicts_with(b), b.conflicts_with(a), "{a:?} / {b:?}");
            }
        }
        assert!(all[0].conflicts_with(&all[1]) && !all[0].conflicts_with(&all[2]));
    }
}
