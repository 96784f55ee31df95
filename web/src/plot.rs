//! A small SVG line plot over the step axis: axes with their ranges, a legend, shaded spans for the
//! phases (generator, discriminator) and dashed reference lines (the SFT start). Colours are the
//! Okabe–Ito palette, which colour-blind readers tell apart.

use leptos::prelude::*;

pub const BLUE: &str = "#0072B2";
pub const VERMILION: &str = "#D55E00";
pub const GREEN: &str = "#009E73";
pub const ORANGE: &str = "#E69F00";
pub const PURPLE: &str = "#CC79A7";
pub const SKY: &str = "#56B4E9";
pub const GREY: &str = "#999999";

#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub label: &'static str,
    pub colour: &'static str,
    /// (step, value)
    pub points: Vec<(f64, f64)>,
}

/// A stretch of steps shaded behind the lines (a phase of a stage).
#[derive(Clone, Debug, PartialEq)]
pub struct Span {
    pub from: f64,
    pub to: f64,
    pub colour: &'static str,
}

/// A dashed horizontal line at `value`, labelled.
#[derive(Clone, Debug, PartialEq)]
pub struct RefLine {
    pub label: String,
    pub value: f64,
    pub colour: &'static str,
}

/// What a plot shows: its series, the step range (shared by every plot), shading and reference lines.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PlotData {
    pub series: Vec<Series>,
    pub steps: (f64, f64),
    pub spans: Vec<Span>,
    pub refs: Vec<RefLine>,
}

const W: f64 = 380.0;
const H: f64 = 170.0;
const LEFT: f64 = 44.0;
const BOTTOM: f64 = 28.0;
const TOP: f64 = 8.0;
const RIGHT: f64 = 8.0;

/// `v` with enough decimals to tell the ends of an axis spanning `span` apart.
fn tick(v: f64, span: f64) -> String {
    let decimals = (2.0 - span.abs().max(1e-9).log10().floor()).clamp(0.0, 5.0) as usize;
    format!("{v:.decimals$}")
}

/// `note`: one line on what should happen in this plot, and why. `unit`: the y axis's.
#[component]
pub fn Plot(
    id: &'static str,
    title: &'static str,
    note: &'static str,
    unit: &'static str,
    data: PlotData,
) -> impl IntoView {
    let values: Vec<f64> = data
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.1))
        .chain(data.refs.iter().map(|r| r.value))
        .collect();
    let count: usize = data.series.iter().map(|s| s.points.len()).sum();
    let (mut y0, mut y1) = values.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
    if !y0.is_finite() {
        (y0, y1) = (0.0, 1.0);
    }
    if y1 - y0 < 1e-6 {
        (y0, y1) = (y0 - 0.5, y1 + 0.5);
    }
    let (x0, x1) = (data.steps.0, data.steps.1.max(data.steps.0 + 1.0));
    let sx = move |x: f64| LEFT + (x - x0) / (x1 - x0) * (W - LEFT - RIGHT);
    let sy = move |y: f64| H - BOTTOM - (y - y0) / (y1 - y0) * (H - BOTTOM - TOP);
    let spans = data
        .spans
        .iter()
        .map(|s| {
            let (a, b) = (sx(s.from), sx(s.to).max(sx(s.from) + 1.0));
            view! { <rect x=format!("{a:.1}") y=TOP.to_string() width=format!("{:.1}", b - a)
            height=(H - BOTTOM - TOP).to_string() fill=s.colour fill-opacity="0.18" /> }
        })
        .collect_view();
    let refs = data
        .refs
        .iter()
        .map(|r| {
            let y = format!("{:.1}", sy(r.value));
            view! {
                <line x1=LEFT.to_string() x2=(W - RIGHT).to_string() y1=y.clone() y2=y.clone() stroke=r.colour stroke-dasharray="4 3" />
                <text x=(LEFT + 4.0).to_string() y=y font-size="10" fill=r.colour dy="-2">{r.label.clone()}</text>
            }
        })
        .collect_view();
    let lines = data
        .series
        .iter()
        .map(|s| {
            let d: Vec<String> = s.points.iter().map(|&(x, y)| format!("{:.1},{:.1}", sx(x), sy(y))).collect();
            // Dots too, so a series of one point (an evaluation, a probe) shows; not on a long series (the
            // SFT loss, a point a step), where they would only add hundreds of elements to redraw each step.
            let dotted = if s.points.len() <= 60 { &s.points[..] } else { &[] };
            let dots = dotted
                .iter()
                .map(|&(x, y)| view! { <circle cx=format!("{:.1}", sx(x)) cy=format!("{:.1}", sy(y)) r="2.2" fill=s.colour /> })
                .collect_view();
            view! { <polyline points=d.join(" ") fill="none" stroke=s.colour stroke-width="1.8" />{dots} }
        })
        .collect_view();
    let legend = data
        .series
        .iter()
        .map(|s| {
            let last = s.points.last().map(|p| format!(" {:.3}", p.1)).unwrap_or_default();
            view! { <span style=format!("color:{}", s.colour)>{format!("■ {}{last}  ", s.label)}</span> }
        })
        .collect_view();
    let (base, right) = (H - BOTTOM, W - RIGHT);
    view! {
        <figure class="plot" id=id data-points=count.to_string() data-from=x0.to_string()>
            <figcaption><b>{title}</b>" — "{note}</figcaption>
            <svg width=W.to_string() height=H.to_string() role="img" aria-label=title>
                {spans}
                <line x1=LEFT.to_string() x2=LEFT.to_string() y1=TOP.to_string() y2=base.to_string() stroke="#555" />
                <line x1=LEFT.to_string() x2=right.to_string() y1=base.to_string() y2=base.to_string() stroke="#555" />
                <text x=(LEFT - 4.0).to_string() y=(TOP + 8.0).to_string() font-size="10" text-anchor="end">{tick(y1, y1 - y0)}</text>
                <text x=(LEFT - 4.0).to_string() y=base.to_string() font-size="10" text-anchor="end">{tick(y0, y1 - y0)}</text>
                <text x="10" y=(H / 2.0).to_string() font-size="10" transform=format!("rotate(-90 10 {})", H / 2.0) text-anchor="middle">{unit}</text>
                <text x=LEFT.to_string() y=(base + 12.0).to_string() font-size="10">{format!("{x0:.0}")}</text>
                <text x=right.to_string() y=(base + 12.0).to_string() font-size="10" text-anchor="end">{format!("{x1:.0}")}</text>
                <text x=((LEFT + right) / 2.0).to_string() y=(H - 4.0).to_string() font-size="10" text-anchor="middle">"step"</text>
                {refs}
                {lines}
            </svg>
            <div class="legend">{legend}</div>
        </figure>
    }
}
