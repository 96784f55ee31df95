//! A run's learning curves as one SVG picture (`curves.svg` in the run folder), drawn from its
//! `metrics.jsonl`: the discriminator's scores and held-out accuracy at each probe, the reward, the
//! checker's pass rate of the rollouts and the KL at each PPO step, and the held-out pass rates of the SFT
//! start and of the end. Plain SVG text, no plotting library; colours from the Okabe–Ito palette, which
//! colour-blind readers tell apart.

use serde_json::Value;
use std::fmt::Write as _;

const BLUE: &str = "#0072B2";
const ORANGE: &str = "#E69F00";
const GREEN: &str = "#009E73";
const PINK: &str = "#CC79A7";
const VERMILLION: &str = "#D55E00";
const GREY: &str = "#777777";

const PANEL_W: f64 = 470.0;
const PANEL_H: f64 = 230.0;

/// One line of a panel: its legend name, colour and points (x, y).
struct Series {
    name: &'static str,
    colour: &'static str,
    points: Vec<(f64, f64)>,
}

/// The picture for the lines of a `metrics.jsonl`.
pub fn svg(metrics_jsonl: &str) -> String {
    let rows: Vec<Value> = metrics_jsonl.lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    let phase = |r: &Value| r["phase"].as_str().unwrap_or("").to_string();
    let metric = |r: &Value, key: &str| r["metrics"][key].as_f64();
    let of_phase = |name: &str, key: &str| -> Vec<(f64, f64)> {
        rows.iter()
            .filter(|r| phase(r) == name)
            .filter_map(|r| metric(r, key))
            .enumerate()
            .map(|(i, v)| (i as f64, v))
            .collect()
    };
    let probe = |key| of_phase("probe", key);
    let generator = |key| of_phase("generator", key);
    let panels = [
        line_panel(
            "Discriminator σ(D) at each probe (training prompts)",
            "probe",
            vec![
                Series { name: "references (real)", colour: BLUE, points: probe("disc/real_score") },
                Series { name: "generator samples (fake)", colour: VERMILLION, points: probe("disc/fake_score") },
            ],
            Some((0.0, 1.0)),
        ),
        line_panel(
            "Discriminator on held-out preferential pairs",
            "probe",
            vec![
                Series { name: "accuracy", colour: BLUE, points: probe("disc/accuracy") },
                Series { name: "pairwise accuracy", colour: GREEN, points: probe("disc/pairwise_accuracy") },
                Series { name: "responses blanked", colour: GREY, points: probe("disc/blank_response_accuracy") },
            ],
            Some((0.0, 1.0)),
        ),
        line_panel(
            "Generator: reward and checker pass of the rollouts",
            "PPO step",
            vec![
                Series { name: "reward (score)", colour: ORANGE, points: generator("objective/scores") },
                Series { name: "checker pass", colour: GREEN, points: generator("rollout/checker_pass") },
            ],
            None,
        ),
        line_panel(
            "KL to the SFT start (nats per response)",
            "PPO step",
            vec![Series { name: "KL", colour: PINK, points: generator("objective/kl") }],
            None,
        ),
        pass_rate_panel(&rows),
    ];
    let (cols, rows_n) = (2.0, panels.len().div_ceil(2) as f64);
    let (w, h) = (cols * PANEL_W + 30.0, rows_n * PANEL_H + 30.0);
    let mut out = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="11">"#
    );
    out.push_str(r#"<rect width="100%" height="100%" fill="white"/>"#);
    for (i, panel) in panels.iter().enumerate() {
        let (x, y) = (10.0 + (i % 2) as f64 * (PANEL_W + 10.0), 10.0 + (i / 2) as f64 * (PANEL_H + 10.0));
        let _ = write!(out, r#"<g transform="translate({x},{y})">{panel}</g>"#);
    }
    out.push_str("</svg>\n");
    out
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// A panel with axes, ticks, a legend and one polyline per series; `y_range` fixes the y axis.
fn line_panel(title: &str, x_label: &str, series: Vec<Series>, y_range: Option<(f64, f64)>) -> String {
    let (left, right, top, bottom) = (48.0, PANEL_W - 10.0, 22.0, PANEL_H - 50.0);
    let mut s = format!(r#"<text x="{left}" y="14" font-weight="bold">{}</text>"#, escape(title));
    let all: Vec<(f64, f64)> = series.iter().flat_map(|l| l.points.iter().copied()).collect();
    if all.is_empty() {
        let _ = write!(s, r#"<text x="{left}" y="{}" fill="{GREY}">(not logged by this run)</text>"#, top + 40.0);
        return s;
    }
    let x_max = all.iter().map(|p| p.0).fold(1.0, f64::max);
    let (mut y0, mut y1) = y_range.unwrap_or_else(|| {
        let lo = all.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
        let hi = all.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
        (lo.min(0.0), hi)
    });
    if (y1 - y0).abs() < 1e-9 {
        (y0, y1) = (y0 - 0.5, y1 + 0.5);
    }
    let sx = |x: f64| left + (right - left) * x / x_max;
    let sy = |y: f64| bottom - (bottom - top) * (y - y0) / (y1 - y0);
    let _ = write!(
        s,
        r#"<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="black"/><line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}" stroke="black"/>"#
    );
    for i in 0..=4 {
        let v = y0 + (y1 - y0) * i as f64 / 4.0;
        let y = sy(v);
        let _ = write!(
            s,
            r##"<line x1="{left}" y1="{y}" x2="{right}" y2="{y}" stroke="#e5e5e5"/><text x="{}" y="{}" text-anchor="end">{}</text>"##,
            left - 4.0,
            y + 4.0,
            tick(v)
        );
        let xv = x_max * i as f64 / 4.0;
        let _ = write!(s, r#"<text x="{}" y="{}" text-anchor="middle">{:.0}</text>"#, sx(xv), bottom + 14.0, xv);
    }
    let _ =
        write!(s, r#"<text x="{}" y="{}" text-anchor="middle">{x_label}</text>"#, (left + right) / 2.0, bottom + 28.0);
    let mut legend_x = left;
    for line in &series {
        if line.points.is_empty() {
            continue;
        }
        let pts: Vec<String> = line.points.iter().map(|&(x, y)| format!("{:.1},{:.1}", sx(x), sy(y))).collect();
        let _ = write!(
            s,
            r#"<polyline fill="none" stroke="{}" stroke-width="1.6" points="{}"/>"#,
            line.colour,
            pts.join(" ")
        );
        let ly = PANEL_H - 8.0;
        let _ = write!(
            s,
            r#"<rect x="{legend_x}" y="{}" width="12" height="4" fill="{}"/><text x="{}" y="{ly}">{}</text>"#,
            ly - 5.0,
            line.colour,
            legend_x + 16.0,
            escape(line.name)
        );
        legend_x += 24.0 + 6.2 * line.name.len() as f64;
    }
    s
}

fn tick(v: f64) -> String {
    if v.abs() >= 10.0 { format!("{v:.0}") } else { format!("{v:.2}") }
}

/// Bars: prompt-level strict pass rate of the SFT start and of the end, held out and in distribution.
fn pass_rate_panel(rows: &[Value]) -> String {
    let last = |phase: &str, key: &str| {
        rows.iter().rev().find(|r| r["phase"] == phase).and_then(|r| r["metrics"][key].as_f64())
    };
    let groups =
        [("held out (unseen combinations)", "eval/prompt_strict"), ("in distribution", "eval_in/prompt_strict")];
    let (left, bottom, top) = (48.0, PANEL_H - 50.0, 22.0);
    let mut s =
        format!(r#"<text x="{left}" y="14" font-weight="bold">Prompt-level pass rate (exact checkers, greedy)</text>"#);
    let _ = write!(s, r#"<line x1="{left}" y1="{bottom}" x2="{}" y2="{bottom}" stroke="black"/>"#, PANEL_W - 10.0);
    for i in 0..=4 {
        let v = i as f64 / 4.0;
        let y = bottom - (bottom - top) * v;
        let _ = write!(s, r#"<text x="{}" y="{}" text-anchor="end">{v:.2}</text>"#, left - 4.0, y + 4.0);
    }
    for (g, (label, key)) in groups.iter().enumerate() {
        let x0 = left + 30.0 + g as f64 * 200.0;
        for (b, (phase, colour, name)) in [("eval_sft", GREY, "SFT start"), ("eval", BLUE, "after")].iter().enumerate()
        {
            let Some(v) = last(phase, key) else { continue };
            let h = (bottom - top) * v;
            let x = x0 + b as f64 * 60.0;
            let _ = write!(
                s,
                r#"<rect x="{x}" y="{}" width="50" height="{h}" fill="{colour}"/><text x="{}" y="{}" text-anchor="middle">{v:.3}</text><text x="{}" y="{}" text-anchor="middle">{name}</text>"#,
                bottom - h,
                x + 25.0,
                bottom - h - 3.0,
                x + 25.0,
                bottom + 14.0
            );
        }
        let _ =
            write!(s, r#"<text x="{}" y="{}" text-anchor="middle">{}</text>"#, x0 + 55.0, bottom + 30.0, escape(label));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_picture_draws_each_logged_curve_and_names_the_missing_ones() {
        let lines = [
            r#"{"step":0,"phase":"eval_sft","metrics":{"eval/prompt_strict":0.25}}"#,
            r#"{"step":1,"phase":"probe","metrics":{"disc/real_score":0.7,"disc/fake_score":0.3,"disc/accuracy":0.8}}"#,
            r#"{"step":2,"phase":"generator","metrics":{"objective/scores":0.1,"objective/kl":0.0}}"#,
            r#"{"step":3,"phase":"generator","metrics":{"objective/scores":0.4,"objective/kl":0.5}}"#,
            r#"{"step":4,"phase":"probe","metrics":{"disc/real_score":0.8,"disc/fake_score":0.2,"disc/accuracy":0.9}}"#,
            r#"{"step":5,"phase":"eval","metrics":{"eval/prompt_strict":0.5}}"#,
        ]
        .join("\n");
        let svg = svg(&lines);
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        // Real, fake, accuracy, reward and KL: one polyline each; checker pass and pairwise were not logged.
        assert_eq!(svg.matches("<polyline").count(), 5, "{svg}");
        assert!(svg.contains(">0.250<") && svg.contains(">0.500<"), "the SFT and final bars carry their values");
        assert!(svg.contains("generator samples (fake)") && !svg.contains("pairwise accuracy"));
        let empty = super::svg("");
        assert_eq!(empty.matches("(not logged by this run)").count(), 4);
    }
}
