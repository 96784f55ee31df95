//! Exact text measures shared by the checkers and the builders: words, sentences, list lines, case.

/// Words of `text`, lowercased, with surrounding punctuation stripped (a leading `$` is kept, so `$45` is a
/// word). A token made only of punctuation (a bullet's `-`) is not a word.
pub fn words(text: &str) -> Vec<String> {
    text.split_whitespace()
        .filter_map(|raw| {
            let trimmed = raw.trim_matches(|c: char| !(c.is_alphanumeric() || c == '$'));
            let trimmed = trimmed.trim_end_matches('$');
            (!trimmed.is_empty() && trimmed.chars().any(char::is_alphanumeric)).then(|| trimmed.to_lowercase())
        })
        .collect()
}

/// Whether `word` (one word, any case) occurs as a whole word.
pub fn has_word(text: &str, word: &str) -> bool {
    let word = word.to_lowercase();
    words(text).iter().any(|w| *w == word)
}

/// Number of sentences: maximal runs of text that contain a letter or digit and end at `.`, `!` or `?`
/// (or at the end of the text).
pub fn sentence_count(text: &str) -> usize {
    let mut count = 0;
    let mut has_content = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            has_content = true;
        } else if matches!(c, '.' | '!' | '?') && has_content {
            count += 1;
            has_content = false;
        }
    }
    count + usize::from(has_content)
}

/// Non-empty lines, trimmed.
pub fn lines(text: &str) -> Vec<&str> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).collect()
}

/// Lines that are bullet points (`- item`).
pub fn bullet_lines(text: &str) -> usize {
    lines(text).iter().filter(|l| l.starts_with("- ")).count()
}

pub fn has_lowercase(text: &str) -> bool {
    text.chars().any(char::is_lowercase)
}

pub fn has_uppercase(text: &str) -> bool {
    text.chars().any(char::is_uppercase)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_words_sentences_and_lists() {
        assert_eq!(words("Meet the red lamp: only $45!"), vec!["meet", "the", "red", "lamp", "only", "$45"]);
        assert_eq!(words("- a\n- b -- ..."), vec!["a", "b"]);
        assert!(has_word("A RED lamp.", "red") && !has_word("A reddish lamp.", "red"));
        assert_eq!(sentence_count("One. Two! Three?"), 3);
        assert_eq!(sentence_count("One... two"), 2);
        assert_eq!(sentence_count("no end"), 1);
        assert_eq!(sentence_count(""), 0);
        assert_eq!(bullet_lines("- a\n- b\nc"), 2);
    }
}
