//! A small SVG line plot: several series over the step axis, each scaled to the plot's own range.

use leptos::prelude::*;

#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub label: &'static str,
    pub colour: &'static str,
    /// (step, value)
    pub points: Vec<(f64, f64)>,
}

const W: f64 = 320.0;
const H: f64 = 140.0;
const PAD: f64 = 6.0;

#[component]
pub fn Plot(id: &'static str, title: &'static str, series: Vec<Series>) -> impl IntoView {
    let all: Vec<(f64, f64)> = series.iter().flat_map(|s| s.points.iter().copied()).collect();
    let (x0, x1) = all.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| (a.min(p.0), b.max(p.0)));
    let (y0, y1) = all.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| (a.min(p.1), b.max(p.1)));
    let sx = move |x: f64| PAD + (x - x0) / (x1 - x0).max(1e-9) * (W - 2.0 * PAD);
    let sy = move |y: f64| H - PAD - (y - y0) / (y1 - y0).max(1e-9) * (H - 2.0 * PAD);
    let count = all.len();
    let lines = series
        .iter()
        .map(|s| {
            let d: Vec<String> = s.points.iter().map(|&(x, y)| format!("{:.1},{:.1}", sx(x), sy(y))).collect();
            // Dots too, so a series of one point (an evaluation, a probe) shows.
            let dots = s
                .points
                .iter()
                .map(|&(x, y)| view! { <circle cx=format!("{:.1}", sx(x)) cy=format!("{:.1}", sy(y)) r="2" fill=s.colour /> })
                .collect_view();
            view! { <polyline points=d.join(" ") fill="none" stroke=s.colour stroke-width="1.5" />{dots} }
        })
        .collect_view();
    let legend = series
        .iter()
        .map(|s| {
            let last = s.points.last().map(|p| format!(" {:.3}", p.1)).unwrap_or_default();
            view! { <span style=format!("color:{}", s.colour)>{format!("■ {}{last}  ", s.label)}</span> }
        })
        .collect_view();
    let range = if count == 0 { "no data yet".to_string() } else { format!("{y0:.3} … {y1:.3}") };
    view! {
        <figure class="plot" id=id data-points=count.to_string()>
            <figcaption>{title}" ("{range}")"</figcaption>
            <svg width=W.to_string() height=H.to_string() style="border:1px solid #ccc">{lines}</svg>
            <div class="legend">{legend}</div>
        </figure>
    }
}
