//! The step reports as the plots' series and as a CSV file.

use crate::plot::Series;
use gapo_core::session::StepReport;

/// The metric series the plots draw, by plot: this run's, and the previous run's in grey beside them (two
/// runs overlaid, e.g. GAPO then PPO).
pub fn series(reports: &[StepReport], previous: &[StepReport]) -> [Vec<Series>; 4] {
    let [mut a, mut b, mut c, mut d] = series_of(reports, false);
    let [pa, pb, pc, pd] = series_of(previous, true);
    let shown = |v: Vec<Series>| v.into_iter().filter(|s| !s.points.is_empty());
    a.extend(shown(pa));
    b.extend(shown(pb));
    c.extend(shown(pc));
    d.extend(shown(pd));
    [a, b, c, d]
}

fn series_of(reports: &[StepReport], previous: bool) -> [Vec<Series>; 4] {
    let pick = |key: &'static str, label: &'static str, colour: &'static str| Series {
        label: if previous { "previous run" } else { label },
        colour: if previous { "#bbbbbb" } else { colour },
        points: reports.iter().filter_map(|r| r.metrics.get(key).map(|v| (r.step as f64, *v))).collect(),
    };
    [
        vec![pick("objective/scores", "reward (D's score of samples)", "#1f77b4")],
        vec![pick("objective/kl", "KL to the SFT model", "#d62728")],
        vec![
            pick("disc/real_score", "D: real", "#2ca02c"),
            pick("disc/fake_score", "D: fake", "#ff7f0e"),
            pick("disc/accuracy", "D: held-out pair accuracy", "#9467bd"),
        ],
        vec![
            pick("eval/prompt_strict", "held-out prompt-level pass rate", "#17becf"),
            pick("eval/instruction_strict", "instruction-level", "#7f7f7f"),
        ],
    ]
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
