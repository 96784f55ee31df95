//! Per-kind pass rates before and after: each constraint kind's held-out instruction-level pass rate at
//! the SFT start (grey) and at the end of the run (blue), as horizontal bars.

use crate::plot::{BLUE, GREY};
use leptos::prelude::*;

#[component]
pub fn KindBars(bars: Vec<(String, f64, f64)>) -> impl IntoView {
    if bars.is_empty() {
        return view! { <figure id="kind-bars" data-kinds="0"><figcaption><b>"per kind"</b>" — after the final evaluation: each kind's pass rate at the SFT start and at the end"</figcaption></figure> }.into_any();
    }
    let (w, row, left) = (380.0, 16.0, 110.0);
    let scale = |v: f64| if v.is_finite() { v.clamp(0.0, 1.0) * (w - left - 40.0) } else { 0.0 };
    let n = bars.len();
    let items = bars
        .into_iter()
        .enumerate()
        .map(|(i, (kind, before, after))| {
            let y = i as f64 * row * 2.0 + 4.0;
            view! {
                <text x=(left - 4.0).to_string() y=(y + row).to_string() font-size="11" text-anchor="end">{kind}</text>
                <rect x=left.to_string() y=y.to_string() width=format!("{:.1}", scale(before)) height=(row - 3.0).to_string() fill=GREY />
                <text x=(left + scale(before) + 3.0).to_string() y=(y + row - 5.0).to_string() font-size="10">{format!("{before:.2}")}</text>
                <rect x=left.to_string() y=(y + row).to_string() width=format!("{:.1}", scale(after)) height=(row - 3.0).to_string() fill=BLUE />
                <text x=(left + scale(after) + 3.0).to_string() y=(y + 2.0 * row - 5.0).to_string() font-size="10">{format!("{after:.2}")}</text>
            }
        })
        .collect_view();
    let h = n as f64 * row * 2.0 + 8.0;
    view! {
        <figure id="kind-bars" data-kinds=n.to_string()>
            <figcaption><b>"per kind"</b>" — instruction-level pass rate on held-out prompts: "<span style=format!("color:{GREY}")>"■ SFT start"</span>" "<span style=format!("color:{BLUE}")>"■ end"</span></figcaption>
            <svg width=w.to_string() height=h.to_string() role="img" aria-label="pass rate per constraint kind">{items}</svg>
        </figure>
    }.into_any()
}
