//! The built-in task written out in every jsonl format, so other tools (TRL, OpenRLHF, the authors' code)
//! can train on exactly the data we do.
//!
//! `pairs` picks which preference the rows carry: **preferential prompt** (same response R, accepted vs
//! rejected prompt; GAPO's data) or **preferential response** (same prompt, R vs a mutated R′). TRL's
//! preference format has a single prompt per row, so it can only hold preferential-response pairs.

use super::jsonl::{Format, GAPO_SEPARATOR, Row};
use crate::error::{GapoError, Result};
use crate::task::TrainItem;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Pairs {
    /// (P_acc, R) ≻ (P_rej, R).
    Prompt,
    /// (P, R) ≻ (P, R′).
    Response,
}

impl std::str::FromStr for Pairs {
    type Err = GapoError;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "pp" | "prompt" => Ok(Self::Prompt),
            "pr" | "response" => Ok(Self::Response),
            _ => Err(GapoError::Config { field: "pairs".into(), message: format!("unknown `{s}`; expected pp or pr") }),
        }
    }
}

/// `prompt`, the GAPO separator and `response` in one string, as the authors' rows hold them.
pub fn gapo_text(prompt: &str, response: &str) -> String {
    format!("{prompt}\n{GAPO_SEPARATOR}\n{response}")
}

/// The rows of `items` in `format`, carrying `pairs`.
pub fn export_rows(items: &[TrainItem], format: Format, pairs: Pairs) -> Result<Vec<Row>> {
    if format == Format::TrlPref && pairs == Pairs::Prompt {
        return Err(GapoError::Config {
            field: "pairs".into(),
            message: "trl-pref rows have one prompt, so they cannot hold preferential-prompt pairs; use --pairs pr, or kto / pointwise / gapo".into(),
        });
    }
    let mut rows = Vec::new();
    for item in items {
        let ex = &item.example;
        let (good_prompt, good_response) = (ex.prompt.clone(), ex.response.clone());
        let (bad_prompt, bad_response) = match pairs {
            Pairs::Prompt => (item.rejected_prompt.prompt.clone(), ex.response.clone()),
            Pairs::Response => (ex.prompt.clone(), item.rejected_response.response.clone()),
        };
        match format {
            Format::TrlPref => {
                rows.push(Row::Preference { prompt: good_prompt, chosen: good_response, rejected: bad_response })
            }
            Format::Kto => {
                rows.push(Row::Unpaired { prompt: good_prompt, completion: good_response, label: true });
                rows.push(Row::Unpaired { prompt: bad_prompt, completion: bad_response, label: false });
            }
            Format::Pointwise => {
                rows.push(Row::Pointwise { prompt: good_prompt, response: good_response, label: 1 });
                rows.push(Row::Pointwise { prompt: bad_prompt, response: bad_response, label: 0 });
            }
            Format::Gapo => rows.push(Row::Gapo {
                chosen: gapo_text(&good_prompt, &good_response),
                reject: gapo_text(&bad_prompt, &bad_response),
            }),
        }
    }
    Ok(rows)
}
