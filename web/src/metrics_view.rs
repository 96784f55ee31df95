//! The step reports as the plots' data, as before/after bars per constraint kind, and as a CSV file.

use crate::plot::{BLUE, GREEN, GREY, ORANGE, PURPLE, PlotData, RefLine, SKY, Series, Span, VERMILION};
use gapo_core::session::StepReport;

/// The four plots' data: this run's series and the previous run's in grey beside them (two runs overlaid,
/// e.g. GAPO then PPO), on one step range, with the generator and discriminator phases shaded and the SFT
/// start as a reference line on the pass-rate plot.
pub fn plots(reports: &[StepReport], previous: &[StepReport]) -> [PlotData; 4] {
    let spans = phase_spans(reports);
    let [a, b, c, d] = series_of(reports, false);
    let [pa, pb, pc, pd] = series_of(previous, true);
    let steps = step_range(reports, previous, [&a, &b, &c, &d, &pa, &pb, &pc, &pd]);
    let shown = |v: Vec<Series>| v.into_iter().filter(|s| !s.points.is_empty());
    let plot = |mut series: Vec<Series>, previous: Vec<Series>| {
        series.extend(shown(previous));
        PlotData { series, steps, spans: spans.clone(), refs: Vec::new() }
    };
    let mut eval = plot(d, pd);
    if let Some(sft) = reports.iter().find(|r| r.phase == "eval_sft") {
        if let Some(&v) = sft.metrics.get("eval/prompt_strict") {
            eval.refs.push(RefLine { label: format!("SFT start {v:.3}"), value: v, colour: GREY });
        }
    }
    [plot(a, pa), plot(b, pb), plot(c, pc), eval]
}

/// The SFT loss (the generator's cross-entropy on the references, per token) over the SFT steps: the first
/// phase of every run, before any of the other plots has a point.
pub fn sft_plot(reports: &[StepReport], previous: &[StepReport]) -> PlotData {
    let mut series = vec![metric(reports, "loss/sft", "SFT loss", BLUE, false)];
    series.extend(Some(metric(previous, "loss/sft", "", BLUE, true)).filter(|s| !s.points.is_empty()));
    let last = series.iter().flat_map(|s| &s.points).map(|p| p.0).fold(0.0, f64::max);
    PlotData { series, steps: (0.0, last), spans: Vec::new(), refs: Vec::new() }
}

/// The steps the plots span: from the first plotted point (none of the plots has a point during SFT, so
/// the default run's 200 SFT steps would otherwise squeeze the stages into a third of the width) to the
/// last step; from 0 until a step follows the first point.
fn step_range(reports: &[StepReport], previous: &[StepReport], series: [&Vec<Series>; 8]) -> (f64, f64) {
    let last = reports.iter().chain(previous).map(|r| r.step as f64).fold(0.0, f64::max);
    let first = series.iter().flat_map(|v| v.iter()).flat_map(|s| &s.points).map(|p| p.0).fold(f64::INFINITY, f64::min);
    if first < last { (first, last) } else { (0.0, last) }
}

/// The generator phases (sky) and discriminator phases (orange) of the run, as step ranges.
fn phase_spans(reports: &[StepReport]) -> Vec<Span> {
    let mut spans: Vec<(String, Option<usize>, Span)> = Vec::new();
    for r in reports {
        let colour = match r.phase.as_str() {
            "generator" => SKY,
            "discriminator" => ORANGE,
            _ => continue,
        };
        let x = r.step as f64;
        match spans.last_mut() {
            Some((phase, stage, span)) if *phase == r.phase && *stage == r.stage && x - span.to <= 1.0 => span.to = x,
            _ => spans.push((r.phase.clone(), r.stage, Span { from: x, to: x, colour })),
        }
    }
    spans.into_iter().map(|(_, _, s)| s).collect()
}

/// One metric of the reports as a series by step; a previous run's is grey.
fn metric(reports: &[StepReport], key: &str, label: &'static str, colour: &'static str, previous: bool) -> Series {
    Series {
        label: if previous { "previous run" } else { label },
        colour: if previous { GREY } else { colour },
        points: reports.iter().filter_map(|r| r.metrics.get(key).map(|v| (r.step as f64, *v))).collect(),
    }
}

fn series_of(reports: &[StepReport], previous: bool) -> [Vec<Series>; 4] {
    let pick = |key, label, colour| metric(reports, key, label, colour, previous);
    [
        vec![pick("objective/scores", "reward: D's score of the rollouts", BLUE)],
        vec![pick("objective/kl", "KL to the SFT model", VERMILION)],
        vec![
            pick("disc/real_score", "σ(D) of references (real)", GREEN),
            pick("disc/fake_score", "σ(D) of fresh samples (fake)", ORANGE),
            pick("disc/accuracy", "held-out pair accuracy", PURPLE),
        ],
        vec![
            pick("eval/prompt_strict", "held-out prompt-level pass rate", BLUE),
            pick("eval/instruction_strict", "instruction-level", VERMILION),
        ],
    ]
}

/// Each constraint kind's held-out instruction-level pass rate at the SFT start and at the end, once
/// both evaluations exist: (kind, before, after).
pub fn kind_bars(reports: &[StepReport]) -> Vec<(String, f64, f64)> {
    let eval = |phase: &str| reports.iter().find(|r| r.phase == phase).and_then(|r| r.eval.clone());
    let (Some(before), Some(after)) = (eval("eval_sft"), eval("eval")) else {
        return Vec::new();
    };
    before
        .per_kind
        .iter()
        .map(|(kind, b)| {
            let a = after.per_kind.get(kind).map_or(f64::NAN, |s| s.instruction_strict());
            (kind.clone(), b.instruction_strict(), a)
        })
        .collect()
}

pub fn csv(reports: &[StepReport]) -> String {
    let mut keys: Vec<&String> = reports.iter().flat_map(|r| r.metrics.keys()).collect();
    keys.sort();
    keys.dedup();
    let mut out = format!("step,phase,stage,{}\n", keys.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(","));
    for r in reports {
        let values: Vec<String> =
            keys.iter().map(|k| r.metrics.get(*k).map(|v| v.to_string()).unwrap_or_default()).collect();
        let stage = r.stage.map(|s| s.to_string()).unwrap_or_default();
        out.push_str(&format!("{},{},{},{}\n", r.step, r.phase, stage, values.join(",")));
    }
    out
}
