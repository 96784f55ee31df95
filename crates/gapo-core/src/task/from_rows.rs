//! A task from a user's data file instead of the built-in generator: each row's prompt must be one the
//! checkers can read (the built-in task's form, `task/parse.rs`), so that GAPO's preferential prompts and
//! the held-out pass rates stay verifiable. The rejected prompt and response a row gives are checked to be
//! rejections; when a row gives none they are built as for the built-in task.

use super::example::Example;
use super::parse::parse_prompt;
use super::preferential::{Perturbation, RejectedPrompt, RejectedResponse, reject_prompt, reject_response};
use super::split::{TaskConfig, TaskData, TrainItem};
use super::world::Product;
use crate::error::{GapoError, Result};
use crate::rng::SplitMix64;

/// One row of a data file, in the task's terms. `line` is 1-based, for errors.
#[derive(Clone, Debug, PartialEq)]
pub struct DataRow {
    pub line: usize,
    pub prompt: String,
    pub response: String,
    /// The same response's rejected prompt (a GAPO row's `reject` side).
    pub rejected_prompt: Option<String>,
    /// A rejected response to the same prompt (a preference row's `rejected`).
    pub rejected_response: Option<String>,
}

impl TaskData {
    /// Builds the task from rows: `config.n_eval` rows (picked with `config.seed`) are held out for the
    /// checker's pass rates, the rest train.
    pub fn from_rows(rows: &[DataRow], config: &TaskConfig, source: &str) -> Result<Self> {
        let err = |line: usize, field: &str, message: String| GapoError::Data {
            source_name: source.into(),
            line,
            field: Some(field.into()),
            message,
        };
        let mut rng = SplitMix64::new(config.seed ^ 0xDA7A);
        let mut examples = Vec::with_capacity(rows.len());
        for row in rows {
            let (product, constraints) =
                parse_prompt(&row.prompt).map_err(|e| err(row.line, "prompt", e.to_string()))?;
            if let Some(failed) = constraints.iter().find(|c| !c.check(&product, &row.response).pass) {
                return Err(err(
                    row.line,
                    "response",
                    format!(
                        "fails its own prompt's `{}` constraint: {}",
                        failed.kind().name(),
                        failed.check(&product, &row.response).why
                    ),
                ));
            }
            examples.push((
                row,
                Example { product, constraints, style: 0, prompt: row.prompt.clone(), response: row.response.clone() },
            ));
        }
        if examples.len() <= config.n_eval {
            return Err(GapoError::Data {
                source_name: source.into(),
                line: 0,
                field: None,
                message: format!(
                    "{} usable rows; {} are held out (task.n_eval), so none would train",
                    examples.len(),
                    config.n_eval
                ),
            });
        }
        let mut order: Vec<usize> = (0..examples.len()).collect();
        rng.shuffle(&mut order);
        let held_out: std::collections::BTreeSet<usize> = order[..config.n_eval].iter().copied().collect();
        let (mut train, mut eval) = (Vec::new(), Vec::new());
        for (i, (row, example)) in examples.into_iter().enumerate() {
            if held_out.contains(&i) {
                eval.push(example);
                continue;
            }
            let rejected_prompt = match &row.rejected_prompt {
                Some(text) => given_rejected_prompt(&example, text).map_err(|m| err(row.line, "reject", m))?,
                None => reject_prompt(&example, config.modify_share, &config.kinds, &Default::default(), &mut rng)
                    .ok_or_else(|| {
                        err(row.line, "prompt", "no rejected prompt could be built for this response".into())
                    })?,
            };
            let rejected_response = match &row.rejected_response {
                Some(text) => {
                    let failed =
                        example.constraints.iter().position(|c| !c.check(&example.product, text).pass).ok_or_else(
                            || {
                                err(
                                    row.line,
                                    "rejected",
                                    "passes every constraint of the prompt: it is not a rejection".into(),
                                )
                            },
                        )?;
                    RejectedResponse { response: text.clone(), failed }
                }
                None => reject_response(&example, &mut rng)
                    .ok_or_else(|| err(row.line, "response", "no rejected response could be built for it".into()))?,
            };
            train.push(TrainItem { example, rejected_prompt, rejected_response });
        }
        let config = TaskConfig { n_train: train.len(), n_eval: eval.len(), n_eval_in: 0, ..config.clone() };
        Ok(TaskData { config, train, eval, eval_in: Vec::new(), text_only: false })
    }

    /// SFT's task on any text: every (prompt, response) pair trains and none is held out, since no
    /// checker reads these prompts. The items have no constraints and no rejections (their rejected
    /// prompt and response are the pair itself), so only SFT may train on it: `Session::new` refuses
    /// every other method on a `text_only` task.
    pub fn text_only(pairs: &[(String, String)], config: &TaskConfig, source: &str) -> Result<Self> {
        if pairs.is_empty() {
            return Err(GapoError::Data {
                source_name: source.into(),
                line: 0,
                field: None,
                message: "no (prompt, response) pairs to train on".into(),
            });
        }
        let product = Product::default();
        let train = pairs
            .iter()
            .map(|(prompt, response)| TrainItem {
                example: Example {
                    product: product.clone(),
                    constraints: Vec::new(),
                    style: 0,
                    prompt: prompt.clone(),
                    response: response.clone(),
                },
                rejected_prompt: RejectedPrompt {
                    constraints: Vec::new(),
                    prompt: prompt.clone(),
                    how: Perturbation::Modified { index: 0 },
                },
                rejected_response: RejectedResponse { response: response.clone(), failed: 0 },
            })
            .collect::<Vec<_>>();
        let config = TaskConfig { n_train: train.len(), n_eval: 0, n_eval_in: 0, ..config.clone() };
        Ok(TaskData { config, train, eval: Vec::new(), eval_in: Vec::new(), text_only: true })
    }
}

/// A rejected prompt from the file: it must describe the same product, differ from the accepted prompt by
/// one changed or one added constraint, and be failed by the response.
fn given_rejected_prompt(example: &Example, text: &str) -> std::result::Result<RejectedPrompt, String> {
    let (product, constraints) = parse_prompt(text).map_err(|e| e.to_string())?;
    if product != example.product {
        return Err("describes another product than the prompt".into());
    }
    let accepted = &example.constraints;
    let how = if constraints.len() == accepted.len() {
        let changed: Vec<usize> = (0..accepted.len()).filter(|&i| constraints[i] != accepted[i]).collect();
        match changed.as_slice() {
            [index] => Perturbation::Modified { index: *index },
            _ => {
                return Err(format!(
                    "changes {} constraints of the prompt; a preferential prompt changes one",
                    changed.len()
                ));
            }
        }
    } else if constraints.len() == accepted.len() + 1 {
        let index = (0..accepted.len()).find(|&i| constraints[i] != accepted[i]).unwrap_or(accepted.len());
        let mut without = constraints.clone();
        without.remove(index);
        if &without != accepted {
            return Err("adds a constraint and changes another; a preferential prompt does one".into());
        }
        Perturbation::Inserted { index }
    } else {
        return Err(format!("has {} constraints against the prompt's {}", constraints.len(), accepted.len()));
    };
    if constraints.iter().all(|c| c.check(&product, &example.response).pass) {
        return Err("is still satisfied by the response: it is not a rejection".into());
    }
    Ok(RejectedPrompt { constraints, prompt: text.to_string(), how })
}
