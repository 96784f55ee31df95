//! jsonl in and out, in the formats other tools use (DESIGN §4):
//!
//! | format      | one row                                   | what it holds                              |
//! |-------------|-------------------------------------------|--------------------------------------------|
//! | `trl-pref`  | `{"prompt", "chosen", "rejected"}`        | TRL preference pairs (one prompt)          |
//! | `kto`       | `{"prompt", "completion", "label": bool}` | TRL unpaired rows                          |
//! | `pointwise` | `{"prompt", "response", "label": 0/1}`    | rows for a pointwise (BCE) reward model    |
//! | `gapo`      | `{"chosen", "reject"}`                    | the GAPO repository's rows: prompt and     |
//! |             |                                           | response in one string, split by a separator |
//!
//! Readers never panic: a bad row is an error naming the file, the 1-based line and the field. Extra keys
//! are allowed (datasets carry ids and metadata); missing keys and wrong types are not. Blank lines are
//! skipped.

use crate::error::{GapoError, Result};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::fmt;
use std::str::FromStr;

/// The GAPO repository's separator between prompt and response (`# 生成内容`, "# Generated content").
pub const GAPO_SEPARATOR: &str = "# 生成内容";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    TrlPref,
    Kto,
    Pointwise,
    Gapo,
}

impl Format {
    pub const ALL: [Format; 4] = [Self::TrlPref, Self::Kto, Self::Pointwise, Self::Gapo];

    pub fn name(self) -> &'static str {
        match self {
            Self::TrlPref => "trl-pref",
            Self::Kto => "kto",
            Self::Pointwise => "pointwise",
            Self::Gapo => "gapo",
        }
    }

    /// The keys a row of this format must have.
    pub fn keys(self) -> &'static [&'static str] {
        match self {
            Self::TrlPref => &["prompt", "chosen", "rejected"],
            Self::Kto => &["prompt", "completion", "label"],
            Self::Pointwise => &["prompt", "response", "label"],
            Self::Gapo => &["chosen", "reject"],
        }
    }

    /// The format whose keys a JSON object has (the first row decides for a whole file).
    pub fn detect(obj: &Map<String, Value>) -> Option<Format> {
        Self::ALL.into_iter().find(|f| f.keys().iter().all(|k| obj.contains_key(*k)))
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = GapoError;
    fn from_str(s: &str) -> Result<Self> {
        Self::ALL.into_iter().find(|f| f.name() == s).ok_or_else(|| GapoError::Config {
            field: "format".into(),
            message: format!("unknown format `{s}`; expected one of trl-pref, kto, pointwise, gapo"),
        })
    }
}

/// One row of any supported format.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Row {
    Preference { prompt: String, chosen: String, rejected: String },
    Unpaired { prompt: String, completion: String, label: bool },
    Pointwise { prompt: String, response: String, label: u8 },
    Gapo { chosen: String, reject: String },
}

impl Row {
    pub fn format(&self) -> Format {
        match self {
            Row::Preference { .. } => Format::TrlPref,
            Row::Unpaired { .. } => Format::Kto,
            Row::Pointwise { .. } => Format::Pointwise,
            Row::Gapo { .. } => Format::Gapo,
        }
    }
}

/// Splits a GAPO-format text into (prompt, response) at the first `separator`; the prompt keeps the
/// separator, as the authors' code does when it recovers prompts for generation.
pub fn split_gapo_text<'a>(text: &'a str, separator: &str) -> Option<(&'a str, &'a str)> {
    text.find(separator).map(|i| {
        let end = i + separator.len();
        (&text[..end], &text[end..])
    })
}

/// A parsed file.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset {
    pub format: Format,
    pub rows: Vec<Row>,
}

/// Parses jsonl bytes. `expected`: the format the caller needs, or `None` to detect it from the first row.
/// `source_name` (the file path) is quoted in every error.
pub fn read_jsonl(bytes: &[u8], source_name: &str, expected: Option<Format>) -> Result<Dataset> {
    let err = |line: usize, field: Option<&str>, message: String| GapoError::Data {
        source_name: source_name.into(),
        line,
        field: field.map(String::from),
        message,
    };
    let mut format = expected;
    let mut rows = Vec::new();
    for (i, raw) in bytes.split(|&b| b == b'\n').enumerate() {
        let line = i + 1;
        let text = std::str::from_utf8(raw)
            .map_err(|e| err(line, None, format!("not UTF-8 (bad byte at column {})", e.valid_up_to() + 1)))?;
        let text = text.trim_end_matches('\r');
        if text.trim().is_empty() {
            continue;
        }
        let value: Value = serde_json::from_str(text).map_err(|e| err(line, None, format!("not valid JSON ({e})")))?;
        let Value::Object(obj) = value else {
            return Err(err(line, None, format!("expected a JSON object, found {}", kind_of(&value))));
        };
        let f = match format {
            Some(f) => f,
            None => {
                let detected = Format::detect(&obj).ok_or_else(|| {
                    let keys: Vec<&str> = obj.keys().map(String::as_str).collect();
                    err(
                        line,
                        None,
                        format!(
                            "keys {{{}}} match no format; expected trl-pref {{prompt, chosen, rejected}}, kto {{prompt, completion, label}}, pointwise {{prompt, response, label}} or gapo {{chosen, reject}}",
                            keys.join(", ")
                        ),
                    )
                })?;
                format = Some(detected);
                detected
            }
        };
        rows.push(parse_row(&obj, f, line, &err)?);
    }
    let format = format.ok_or_else(|| err(0, None, "is empty: no rows".into()))?;
    if rows.is_empty() {
        return Err(err(0, None, "is empty: no rows".into()));
    }
    Ok(Dataset { format, rows })
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn parse_row(
    obj: &Map<String, Value>,
    format: Format,
    line: usize,
    err: &dyn Fn(usize, Option<&str>, String) -> GapoError,
) -> Result<Row> {
    let string = |key: &str| -> Result<String> {
        match obj.get(key) {
            None => Err(err(line, Some(key), format!("missing (a {format} row needs {})", format.keys().join(", ")))),
            Some(Value::String(s)) => Ok(s.clone()),
            Some(other) => Err(err(line, Some(key), format!("must be a string, found {}", kind_of(other)))),
        }
    };
    let label = |key: &str| -> Result<bool> {
        match obj.get(key) {
            None => Err(err(line, Some(key), format!("missing (a {format} row needs {})", format.keys().join(", ")))),
            Some(Value::Bool(b)) => Ok(*b),
            Some(Value::Number(n)) if n.as_f64() == Some(1.0) => Ok(true),
            Some(Value::Number(n)) if n.as_f64() == Some(0.0) => Ok(false),
            Some(other) => Err(err(line, Some(key), format!("must be true/false or 1/0, found {other}"))),
        }
    };
    Ok(match format {
        Format::TrlPref => {
            Row::Preference { prompt: string("prompt")?, chosen: string("chosen")?, rejected: string("rejected")? }
        }
        Format::Kto => {
            Row::Unpaired { prompt: string("prompt")?, completion: string("completion")?, label: label("label")? }
        }
        Format::Pointwise => Row::Pointwise {
            prompt: string("prompt")?,
            response: string("response")?,
            label: u8::from(label("label")?),
        },
        Format::Gapo => Row::Gapo { chosen: string("chosen")?, reject: string("reject")? },
    })
}

/// Rows as jsonl text, one JSON object per line.
pub fn write_jsonl(rows: &[Row]) -> String {
    let mut out = String::new();
    for row in rows {
        out.push_str(&serde_json::to_string(row).expect("rows always serialise"));
        out.push('\n');
    }
    out
}
