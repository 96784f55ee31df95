//! jsonl in and out: every format round-trips, a corpus of broken files fails with the file, the line and
//! the field, and random input never makes a reader or a checker panic.

use gapo_core::GapoError;
use gapo_core::data::export::{Pairs, export_rows, gapo_text};
use gapo_core::data::jsonl::{Format, GAPO_SEPARATOR, Row, read_jsonl, split_gapo_text, write_jsonl};
use gapo_core::rng::SplitMix64;
use gapo_core::task::{Attribute, Product};
use gapo_core::task::{Constraint, TaskConfig, TaskData};

fn small_task() -> TaskData {
    TaskData::build(&TaskConfig { n_train: 20, n_eval: 5, ..TaskConfig::default() }).unwrap()
}

#[test]
fn every_format_round_trips_through_jsonl() {
    let data = small_task();
    for format in Format::ALL {
        for pairs in [Pairs::Prompt, Pairs::Response] {
            let Ok(rows) = export_rows(&data.train, format, pairs) else {
                assert_eq!((format, pairs), (Format::TrlPref, Pairs::Prompt), "only trl-pref cannot hold pp");
                continue;
            };
            let text = write_jsonl(&rows);
            let back = read_jsonl(text.as_bytes(), "x.jsonl", None).unwrap();
            assert_eq!(back.format, format);
            assert_eq!(back.rows, rows);
            assert_eq!(read_jsonl(text.as_bytes(), "x.jsonl", Some(format)).unwrap().rows, rows);
        }
    }
}

#[test]
fn exported_labels_are_right_by_the_checkers() {
    let data = small_task();
    let kto = export_rows(&data.train, Format::Kto, Pairs::Prompt).unwrap();
    for (item, pair) in data.train.iter().zip(kto.chunks(2)) {
        let ex = &item.example;
        let [
            Row::Unpaired { prompt: p_good, completion: r, label: true },
            Row::Unpaired { prompt: p_bad, completion: r2, label: false },
        ] = pair
        else {
            panic!("{pair:?}")
        };
        assert_eq!((p_good, r, r2), (&ex.prompt, &ex.response, &ex.response));
        assert_eq!(p_bad, &item.rejected_prompt.prompt);
        assert!(!item.rejected_prompt.constraints.iter().all(|c| c.check(&ex.product, r).pass));
    }
    let gapo = export_rows(&data.train, Format::Gapo, Pairs::Prompt).unwrap();
    let Row::Gapo { chosen, .. } = &gapo[0] else { panic!() };
    let (prompt, response) = split_gapo_text(chosen, GAPO_SEPARATOR).unwrap();
    assert!(prompt.ends_with(GAPO_SEPARATOR) && prompt.starts_with(&data.train[0].example.prompt));
    assert_eq!(response.trim_start_matches('\n'), data.train[0].example.response);
    assert_eq!(gapo_text("p", "r"), format!("p\n{GAPO_SEPARATOR}\nr"));
}

/// (name, bytes, expected format or None, substrings the error must contain).
fn broken_corpus() -> Vec<(&'static str, Vec<u8>, Option<Format>, Vec<&'static str>)> {
    let good = r#"{"prompt": "p", "chosen": "a", "rejected": "b"}"#;
    vec![
        ("empty.jsonl", b"".to_vec(), None, vec!["empty.jsonl", "is empty"]),
        ("blank.jsonl", b"\n  \n".to_vec(), None, vec!["blank.jsonl", "is empty"]),
        (
            "bad_json.jsonl",
            format!("{good}\n{{\"prompt\": \"p\",\n").into_bytes(),
            None,
            vec!["bad_json.jsonl:2", "not valid JSON"],
        ),
        (
            "not_object.jsonl",
            b"[1, 2]\n".to_vec(),
            None,
            vec!["not_object.jsonl:1", "expected a JSON object, found an array"],
        ),
        (
            "missing_key.jsonl",
            format!("{good}\n{{\"prompt\": \"p\", \"chosen\": \"a\"}}\n").into_bytes(),
            None,
            vec!["missing_key.jsonl:2", "field `rejected`", "missing"],
        ),
        (
            "wrong_type.jsonl",
            br#"{"prompt": "p", "completion": "c", "label": "yes"}"#.to_vec(),
            None,
            vec!["wrong_type.jsonl:1", "field `label`", "true/false or 1/0"],
        ),
        (
            "number_prompt.jsonl",
            br#"{"prompt": 7, "response": "r", "label": 1}"#.to_vec(),
            None,
            vec!["number_prompt.jsonl:1", "field `prompt`", "must be a string, found a number"],
        ),
        (
            "non_utf8.jsonl",
            [good.as_bytes(), b"\n{\"prompt\": \"\xff\xfe\"}"].concat(),
            None,
            vec!["non_utf8.jsonl:2", "not UTF-8"],
        ),
        (
            "unknown_keys.jsonl",
            br#"{"question": "q", "answer": "a"}"#.to_vec(),
            None,
            vec!["unknown_keys.jsonl:1", "match no format", "question"],
        ),
        (
            "wrong_format_row.jsonl",
            format!("{good}\n{{\"chosen\": \"x\", \"reject\": \"y\"}}\n").into_bytes(),
            None,
            vec!["wrong_format_row.jsonl:2", "field `prompt`", "trl-pref row"],
        ),
        (
            "asked_for_kto.jsonl",
            format!("{good}\n").into_bytes(),
            Some(Format::Kto),
            vec!["asked_for_kto.jsonl:1", "field `completion`"],
        ),
        (
            "null_label.jsonl",
            br#"{"chosen": "x", "reject": null}"#.to_vec(),
            None,
            vec!["null_label.jsonl:1", "field `reject`", "found null"],
        ),
    ]
}

#[test]
fn a_corpus_of_broken_files_fails_with_file_line_and_field() {
    for (name, bytes, format, expected) in broken_corpus() {
        let err = read_jsonl(&bytes, name, format).expect_err(name);
        assert!(matches!(err, GapoError::Data { .. }), "{name}: {err:?}");
        let msg = err.to_string();
        for want in expected {
            assert!(msg.contains(want), "{name}: `{msg}` lacks `{want}`");
        }
    }
}

/// Random bytes, random JSON-ish text and random unicode through the readers and every checker: errors
/// are fine, panics are not.
#[test]
fn random_input_never_panics_a_reader_or_a_checker() {
    let pieces = [
        "{",
        "}",
        "\"prompt\"",
        "\"chosen\"",
        "\"rejected\"",
        "\"label\"",
        ":",
        ",",
        "\"x\"",
        "1",
        "true",
        "null",
        "[",
        "]",
        "\n",
        " ",
        "\\u12",
        "é",
        "- ",
        ".",
        "!",
        "$45",
        "RED",
        "red",
    ];
    let product = Product {
        category: "lamp".into(),
        colour: "red".into(),
        material: "oak".into(),
        size: "small".into(),
        price: 45,
        feature: "quiet".into(),
    };
    let checks = [
        Constraint::Mention(Attribute::Colour),
        Constraint::Omit(Attribute::Price),
        Constraint::IncludeWord("red".into()),
        Constraint::ForbidWord("x".into()),
        Constraint::StartsWith("Meet".into()),
        Constraint::EndsWith('!'),
        Constraint::MaxWords(3),
        Constraint::MinWords(2),
        Constraint::Sentences(2),
        Constraint::Lowercase,
        Constraint::Uppercase,
        Constraint::BulletList(2),
    ];
    let mut rng = SplitMix64::new(99);
    for i in 0..20_000 {
        let bytes: Vec<u8> = if i % 2 == 0 {
            (0..rng.below(80)).map(|_| rng.next_u64() as u8).collect()
        } else {
            (0..rng.below(30)).map(|_| *rng.pick(&pieces)).collect::<String>().into_bytes()
        };
        let _ = read_jsonl(&bytes, "fuzz.jsonl", None);
        let _ = read_jsonl(&bytes, "fuzz.jsonl", Some(Format::Gapo));
        let text = String::from_utf8_lossy(&bytes);
        for c in &checks {
            let v = c.check(&product, &text);
            assert_eq!(v.pass, v.why.is_empty());
        }
        let _ = split_gapo_text(&text, GAPO_SEPARATOR);
    }
}
