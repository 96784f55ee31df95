//! Samples shown on the page: held-out prompts answered greedily, each constraint's verdict and D's score.

use burn::tensor::Device;
use gapo_core::model::sampling::SamplingConfig;
use gapo_core::session::Session;
use gapo_core::try_prompt::{Tried, try_prompt};
use leptos::prelude::*;

/// One sample row: prompt, response, each constraint's verdict, D's score.
#[derive(Clone, Debug)]
pub struct Sample {
    pub prompt: String,
    pub response: String,
    pub verdicts: Vec<(String, bool, String)>,
    pub disc: Option<f64>,
}

pub async fn samples_of(session: &Session, device: &Device) -> Result<Vec<Sample>, String> {
    let greedy = SamplingConfig::new().with_greedy(true);
    let generator = session.generator();
    let disc = session.discriminator().map(|d| {
        use burn::module::Module;
        d.disc.valid()
    });
    let mut rows = Vec::new();
    for e in session.task.eval.iter().take(6) {
        let tried = try_prompt(&generator, disc.as_ref(), &session.tokenizer, &e.prompt, &greedy, 40, 1, device)
            .await
            .map_err(|e| e.to_string())?;
        rows.extend(tried.into_iter().map(sample_of));
    }
    Ok(rows)
}

pub fn sample_of(t: Tried) -> Sample {
    Sample {
        verdicts: t.verdicts.iter().map(|(c, v)| (c.kind().name().to_string(), v.pass, v.why.clone())).collect(),
        prompt: t.prompt,
        response: t.response,
        disc: t.disc_score,
    }
}

/// Each constraint's verdict as a ✓/✗ mark, its reason on hover.
pub fn verdict_cells(s: &Sample) -> impl IntoView + use<> {
    s.verdicts
        .iter()
        .map(|(k, pass, why)| {
            let class = if *pass { "pass" } else { "fail" };
            let mark = if *pass { "✓" } else { "✗" };
            view! { <span class=class title=why.clone()>{format!("{mark} {k} ")}</span> }
        })
        .collect_view()
}
