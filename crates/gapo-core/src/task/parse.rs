//! Reading a prompt of the built-in task back into its product and constraints, so a prompt typed by hand
//! (the CLI's `generate`, the page's try-it box) can be checked as exactly as the generated ones.
//!
//! A prompt is `task line\nProduct: category: …; colour: …; …\nRules: rule rule …`. Each rule must be one
//! of the phrases `render::rule_phrase` writes (any of its three wordings); the words in quotes and the
//! numbers may be any value, not only the built-in lists. Anything else is an error naming the text.

use super::constraint::Constraint;
use super::render::rule_phrase;
use super::world::{Attribute, Product};
use crate::error::{GapoError, Result};

fn err(message: String) -> GapoError {
    GapoError::Input(format!("prompt: {message}"))
}

/// The prompt's product and its constraints, in the order written.
pub fn parse_prompt(prompt: &str) -> Result<(Product, Vec<Constraint>)> {
    let facts = prompt
        .lines()
        .find_map(|l| l.trim().strip_prefix("Product:"))
        .ok_or_else(|| err("has no `Product:` line (e.g. `Product: category: lamp; colour: red; …`)".into()))?;
    let product = parse_product(facts.trim().trim_end_matches('.'))?;
    let rules = prompt.lines().find_map(|l| l.trim().strip_prefix("Rules:")).unwrap_or("").trim();
    Ok((product, parse_rules(rules)?))
}

fn parse_product(facts: &str) -> Result<Product> {
    let mut p = Product::default();
    let mut seen = Vec::new();
    for part in facts.split(';').map(str::trim).filter(|s| !s.is_empty()) {
        let (name, value) =
            part.split_once(':').ok_or_else(|| err(format!("product fact `{part}` is not `name: value`")))?;
        let (name, value) = (name.trim(), value.trim().to_string());
        let attribute = Attribute::ALL.into_iter().find(|a| a.name() == name).ok_or_else(|| {
            err(format!("unknown product fact `{name}`; expected category, colour, material, size, price, feature"))
        })?;
        if value.is_empty() || value.contains(char::is_whitespace) {
            return Err(err(format!("product fact `{name}` must be one word, got `{value}`")));
        }
        match attribute {
            Attribute::Category => p.category = value,
            Attribute::Colour => p.colour = value,
            Attribute::Material => p.material = value,
            Attribute::Size => p.size = value,
            Attribute::Feature => p.feature = value,
            Attribute::Price => {
                p.price = value
                    .strip_prefix('$')
                    .and_then(|v| v.parse().ok())
                    .ok_or_else(|| err(format!("product fact `price` must look like $45, got `{value}`")))?
            }
        }
        seen.push(attribute);
    }
    if let Some(missing) = Attribute::ALL.into_iter().find(|a| !seen.contains(a)) {
        return Err(err(format!("the product has no `{}`", missing.name())));
    }
    Ok(p)
}

/// A rule template: the text before and after its value, and how to read the value.
struct Template {
    before: String,
    after: String,
    make: fn(&str) -> Option<Constraint>,
}

const MARK: &str = "\u{1}";

fn templates() -> Vec<Template> {
    let mut out = Vec::new();
    let mut add = |proto: Constraint, make: fn(&str) -> Option<Constraint>| {
        for v in 0..3 {
            let phrase = rule_phrase(&proto, v);
            let (before, after) = phrase.split_once(MARK).unwrap_or((&phrase, ""));
            out.push(Template { before: before.to_string(), after: after.to_string(), make });
        }
    };
    // Placeholder values that the phrases print verbatim, so the text around them is the template.
    add(Constraint::IncludeWord(MARK.into()), |w| Some(Constraint::IncludeWord(w.into())));
    add(Constraint::ForbidWord(MARK.into()), |w| Some(Constraint::ForbidWord(w.into())));
    add(Constraint::StartsWith(MARK.into()), |w| Some(Constraint::StartsWith(w.into())));
    add(Constraint::EndsWith('\u{1}'), |c| {
        let mut chars = c.chars();
        chars.next().filter(|_| chars.next().is_none()).map(Constraint::EndsWith)
    });
    add(Constraint::Lowercase, |_| Some(Constraint::Lowercase));
    add(Constraint::Uppercase, |_| Some(Constraint::Uppercase));
    out
}

/// Rules whose value is a number are matched by their wording with `N` standing for the number.
fn number_rule(text: &str) -> Option<(Constraint, usize)> {
    let n_from = |t: &str| -> Option<(usize, usize)> {
        let digits: String = t.chars().take_while(char::is_ascii_digit).collect();
        Some((digits.parse().ok()?, digits.len()))
    };
    type Make = fn(usize) -> Option<Constraint>;
    let cases: [(Constraint, Make); 4] = [
        (Constraint::MaxWords(7), |n| Some(Constraint::MaxWords(n))),
        (Constraint::MinWords(7), |n| Some(Constraint::MinWords(n))),
        (Constraint::Sentences(7), |n| Some(Constraint::Sentences(n))),
        (Constraint::BulletList(7), |n| Some(Constraint::BulletList(n))),
    ];
    for (proto, make) in cases {
        for v in 0..3 {
            for (shown, singular) in [(7usize, false), (1, true)] {
                let proto = match (&proto, singular) {
                    (Constraint::Sentences(_), true) => Constraint::Sentences(1),
                    (Constraint::BulletList(_), true) => Constraint::BulletList(1),
                    (_, true) => continue,
                    _ => proto.clone(),
                };
                let phrase = rule_phrase(&proto, v);
                // "Keep it under N+1 words." prints one more than the limit.
                let printed = if matches!(proto, Constraint::MaxWords(_)) && v == 1 { shown + 1 } else { shown };
                let Some((before, after)) = phrase.split_once(&printed.to_string()) else { continue };
                let Some(rest) = text.strip_prefix(before) else { continue };
                let Some((n, len)) = n_from(rest) else { continue };
                if singular != (n == 1) || !rest[len..].starts_with(after) {
                    continue;
                }
                let n = if printed != shown { n.checked_sub(1)? } else { n };
                return make(n).map(|c| (c, before.len() + len + after.len()));
            }
        }
    }
    None
}

fn parse_rules(rules: &str) -> Result<Vec<Constraint>> {
    let templates = templates();
    let mut out = Vec::new();
    let mut rest = rules.trim_start();
    'next: while !rest.is_empty() {
        if let Some((c, used)) = number_rule(rest) {
            out.push(c);
            rest = rest[used..].trim_start();
            continue;
        }
        for a in Attribute::ALL {
            for c in [Constraint::Mention(a), Constraint::Omit(a)] {
                for v in 0..3 {
                    if let Some(r) = rest.strip_prefix(rule_phrase(&c, v).as_str()) {
                        out.push(c);
                        rest = r.trim_start();
                        continue 'next;
                    }
                }
            }
        }
        for t in &templates {
            let Some(r) = rest.strip_prefix(t.before.as_str()) else { continue };
            if t.after.is_empty() {
                if let Some(c) = (t.make)("") {
                    out.push(c);
                    rest = r.trim_start();
                    continue 'next;
                }
                continue;
            }
            if let Some(end) = r.find(t.after.as_str())
                && let Some(c) = (t.make)(&r[..end])
                && !r[..end].is_empty()
            {
                out.push(c);
                rest = r[end + t.after.len()..].trim_start();
                continue 'next;
            }
        }
        let shown: String = rest.chars().take(40).collect();
        return Err(err(format!(
            "cannot read the rule at `{shown}`; rules are phrased as the built-in prompts are, e.g. `Use the word \"cozy\".`"
        )));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SplitMix64;
    use crate::task::Kind;
    use crate::task::example::sample_example;
    use crate::task::render::render_prompt;

    #[test]
    fn every_generated_prompt_parses_back_to_its_product_and_constraints() {
        let mut rng = SplitMix64::new(9);
        let mut seen = 0;
        for _ in 0..3000 {
            let k = 1 + rng.below(4);
            let Some(e) = sample_example(k, &Kind::ALL, &mut rng, &|_: &[Constraint]| true) else { continue };
            let (product, constraints) = parse_prompt(&e.prompt).unwrap_or_else(|x| panic!("{x}\n{}", e.prompt));
            assert_eq!(product, e.product);
            assert_eq!(constraints, e.constraints, "{}", e.prompt);
            seen += 1;
        }
        assert!(seen > 2000);
    }

    #[test]
    fn hand_written_values_and_bad_rules() {
        let p = Product {
            category: "boat".into(),
            colour: "red".into(),
            material: "oak".into(),
            size: "large".into(),
            price: 99,
            feature: "quiet".into(),
        };
        let cs = vec![
            Constraint::IncludeWord("banana".into()),
            Constraint::MaxWords(12),
            Constraint::Sentences(1),
            Constraint::EndsWith('!'),
        ];
        for style in 0..40 {
            let prompt = render_prompt(&p, &cs, style);
            assert_eq!(parse_prompt(&prompt).unwrap(), (p.clone(), cs.clone()), "{prompt}");
        }
        let e = parse_prompt("Write.\nProduct: category: lamp; colour: red; material: oak; size: small; price: $5; feature: quiet.\nRules: Be nice.").unwrap_err();
        assert!(e.to_string().contains("cannot read the rule at `Be nice.`"), "{e}");
        let e = parse_prompt("Write.\nRules: Be nice.").unwrap_err();
        assert!(e.to_string().contains("no `Product:` line"), "{e}");
        let e = parse_prompt("Product: category: lamp; colour: red\nRules:").unwrap_err();
        assert!(e.to_string().contains("no `material`"), "{e}");
    }
}
