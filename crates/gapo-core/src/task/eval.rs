//! Evaluation by the exact checkers, as IFEval reports it (strict variants):
//! - **prompt-level strict accuracy**: the share of prompts whose response follows *every* constraint;
//! - **instruction-level strict accuracy**: the share of all constraints, over all prompts, that are followed.
//!
//! Both are also reported per constraint kind: instruction-level over the constraints of that kind, and
//! prompt-level over the prompts that contain that kind. Mistakes are kept so a report can print them.

use super::constraint::{Kind, Verdict};
use super::example::Example;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct KindScore {
    pub instructions_followed: usize,
    pub instructions: usize,
    pub prompts_followed: usize,
    pub prompts: usize,
}

impl KindScore {
    pub fn instruction_strict(&self) -> f64 {
        ratio(self.instructions_followed, self.instructions)
    }
    pub fn prompt_strict(&self) -> f64 {
        ratio(self.prompts_followed, self.prompts)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// One response that broke at least one constraint.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Mistake {
    pub prompt: String,
    pub response: String,
    /// (constraint kind, why it failed) for each failed constraint.
    pub failed: Vec<(String, String)>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EvalReport {
    pub prompts: usize,
    pub prompt_strict: f64,
    pub instruction_strict: f64,
    pub per_kind: BTreeMap<String, KindScore>,
    pub mistakes: Vec<Mistake>,
    /// The same model on the in-distribution prompts (`TaskData::eval_in`), when the task has them; this
    /// report is on the held-out (out-of-distribution) prompts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_distribution: Option<Box<EvalReport>>,
}

/// Every constraint's verdict on `response`.
pub fn verdicts(example: &Example, response: &str) -> Vec<Verdict> {
    example.constraints.iter().map(|c| c.check(&example.product, response)).collect()
}

/// Scores `responses[i]` against `examples[i]`.
pub fn evaluate(examples: &[Example], responses: &[String]) -> EvalReport {
    assert_eq!(examples.len(), responses.len(), "one response per example");
    let mut report = EvalReport { prompts: examples.len(), ..Default::default() };
    let (mut all_followed, mut followed, mut total) = (0, 0, 0);
    for (ex, response) in examples.iter().zip(responses) {
        let vs = verdicts(ex, response);
        let all = vs.iter().all(|v| v.pass);
        all_followed += usize::from(all);
        followed += vs.iter().filter(|v| v.pass).count();
        total += vs.len();
        let mut kinds_here: Vec<Kind> = Vec::new();
        for (c, v) in ex.constraints.iter().zip(&vs) {
            let s = report.per_kind.entry(c.kind().name().to_string()).or_default();
            s.instructions += 1;
            s.instructions_followed += usize::from(v.pass);
            if !kinds_here.contains(&c.kind()) {
                kinds_here.push(c.kind());
                s.prompts += 1;
                s.prompts_followed += usize::from(all);
            }
        }
        if !all {
            report.mistakes.push(Mistake {
                prompt: ex.prompt.clone(),
                response: response.clone(),
                failed: ex
                    .constraints
                    .iter()
                    .zip(&vs)
                    .filter(|(_, v)| !v.pass)
                    .map(|(c, v)| (c.kind().name().to_string(), v.why.clone()))
                    .collect(),
            });
        }
    }
    report.prompt_strict = ratio(all_followed, examples.len());
    report.instruction_strict = ratio(followed, total);
    report
}
