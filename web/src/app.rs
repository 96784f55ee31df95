//! The playground: settings (in the URL hash), Start / Pause / Stop / Reset, live plots, the sample table,
//! the try-it box and the guided lessons. `page.rs` holds the page's state; `actions.rs` what its buttons
//! do; `controls.rs`, `plot.rs` and `samples.rs` draw its parts.

use crate::actions;
use crate::bars::KindBars;
use crate::browser::{download, hash, set_hash};
use crate::controls::{controls_view, lesson_view};
use crate::diagram::LoopDiagram;
use crate::disc_panel::DiscPanel;
use crate::lessons;
use crate::metrics_view::{csv, kind_bars, plots, sft_plot};
use crate::page::{Page, Run};
use crate::plot::Plot;
use crate::samples::verdict_cells;
use crate::settings::{HashState, base_config, parse_hash, to_hash};
use leptos::prelude::*;

#[component]
pub fn App() -> impl IntoView {
    let initial: HashState = parse_hash(&hash());
    let mut problems = initial.problems.clone();
    if let Some(name) = &initial.lesson
        && lessons::named(name).is_none()
    {
        problems.push(format!("no lesson `{name}`; lessons: preferential-prompts, fakes, kl"));
    }
    let page = Page::new(initial.config.clone().unwrap_or_else(base_config), problems);
    actions::init_backend(&page, initial.force_cpu);
    // Keep the URL hash in step with the settings.
    {
        let (hidden, lesson, config) = (initial.hidden.clone(), initial.lesson.clone(), page.config);
        Effect::new(move |_| set_hash(&to_hash(&config.get(), &hidden, lesson.as_deref())));
    }
    let on = |action: fn(&Page)| {
        let page = page.clone();
        move |_| action(&page)
    };
    let load = {
        let page = page.clone();
        move |ev| actions::load(&page, ev)
    };
    let Page {
        backend,
        gpu_check,
        problems,
        status,
        run,
        reports,
        previous,
        samples,
        tried,
        try_text,
        boxes,
        position,
        views,
        ..
    } = page;
    view! {
        <main>
            <h1>"gapo playground"</h1>
            <p id="backend">{move || backend.get()}</p>
            <p id="webgpu-check"
                data-max-diff=move || gpu_check.get().map(|c| c.0.to_string()).unwrap_or_default()
                hidden=move || gpu_check.get().is_none()>
                {move || gpu_check.get().map(|c| c.1).unwrap_or_default()}
            </p>
            <ul id="problems">{move || problems.get().into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}</ul>
            {lesson_view(initial.lesson.as_deref(), page.config)}
            <section id="controls">{controls_view(page.config, problems, &initial.hidden)}</section>
            <p>
                <button id="start" on:click=on(actions::start)>"Start"</button>
                <button id="pause" on:click=move |_| if run.get_untracked() == Run::Running { run.set(Run::Paused) }>"Pause"</button>
                <button id="stop" on:click=move |_| if matches!(run.get_untracked(), Run::Running | Run::Paused) {
                    run.set(Run::Stopped);
                    status.set("stopped".into());
                }>"Stop"</button>
                <button id="reset" on:click=on(actions::reset)>"Reset"</button>
                <button id="csv" on:click=move |_| download("metrics.csv", &csv(&reports.get_untracked()))>"Metrics CSV"</button>
                <button id="save" on:click=on(actions::save)>"Download models"</button>
                <label>" load: "<input id="load" type="file" on:change=load /></label>
                <span id="status" data-run=move || format!("{:?}", run.get())>{move || status.get()}</span>
            </p>
            {move || view! { <LoopDiagram boxes=boxes.get() current=position.get() /> }}
            <p class="key"><span class="swatch g"></span>" generator phase  "<span class="swatch d"></span>" discriminator phase (shaded in the plots)"</p>
            <section id="plots">
                {move || {
                    // Borrowed, not cloned: this redraws after every step.
                    let (sft, [a, b, c, d], bars) = reports.with(|r| {
                        previous.with(|p| (sft_plot(r, p), plots(r, p), kind_bars(r)))
                    });
                    view! {
                        <Plot id="plot-sft" title="SFT" unit="loss (nats/token)" data=sft
                            note="the generator learns to copy the references; the loss falls, then flattens." />
                        <Plot id="plot-reward" title="reward" unit="score" data=a
                            note="D's score of the generator's rollouts: it rises in each generator phase." />
                        <Plot id="plot-kl" title="KL" unit="nats" data=b
                            note="how far the generator moved from its SFT start; the penalty keeps it small." />
                        <Plot id="plot-disc" title="discriminator" unit="σ(D), accuracy" data=c
                            note="fakes rise in G phases and fall in D phases; pair accuracy above 0.5 means D reads the rules." />
                        <Plot id="plot-eval" title="held-out pass rate" unit="share passed" data=d
                            note="the exact checkers on unseen prompts; above the SFT line is a real gain." />
                        <KindBars bars=bars />
                    }
                }}
            </section>
            {move || view! { <DiscPanel views=views.get() /> }}
            <h2>"Samples (held-out prompts, greedy)"</h2>
            <table id="samples">
                <tr><th>"prompt"</th><th>"response and constraints"</th><th>"D"</th></tr>
                {move || samples.get().iter().map(|s| view! {
                    <tr>
                        <td class="prompt">{s.prompt.clone()}</td>
                        <td>{s.response.clone()}<br />{verdict_cells(s)}</td>
                        <td>{s.disc.map(|v| format!("{v:.3}")).unwrap_or_default()}</td>
                    </tr>
                }).collect_view()}
            </table>
            <h2>"Try it"</h2>
            <textarea id="try-text" aria-label="a prompt to try" rows="4" cols="90" prop:value=move || try_text.get()
                on:input=move |ev| try_text.set(event_target_value(&ev))></textarea>
            <p>
                <button id="try-pick" on:click=on(actions::pick_heldout)>"Pick a held-out prompt"</button>
                <button id="try-run" on:click=on(actions::try_it)>"Generate"</button>
            </p>
            <div id="try-result">
                {move || tried.get().iter().map(|s| view! {
                    <p>{s.response.clone()}<br />{verdict_cells(s)}
                       " D: "{s.disc.map(|v| format!("{v:.3}")).unwrap_or_else(|| "none".into())}</p>
                }).collect_view()}
            </div>
        </main>
    }
}
