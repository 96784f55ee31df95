//! The settings panel (every control in `settings::CONTROLS` not hidden by the URL) and the guided lesson.

use crate::lessons;
use crate::settings::{CONTROLS, base_config, parse_hash, value_of};
use gapo_core::session::RunConfig;
use leptos::prelude::*;

/// One labelled input or select per setting; a value the config refuses is named in `problems`.
pub fn controls_view(
    config: RwSignal<RunConfig>,
    problems: RwSignal<Vec<String>>,
    hidden: &[String],
) -> impl IntoView + use<> {
    CONTROLS
        .iter()
        .filter(|c| !hidden.iter().any(|h| h == c.key))
        .map(|c| {
            let key = c.key;
            let config_key = c.config_key;
            let quoted = !c.choices.is_empty();
            let on_change = move |ev: leptos::ev::Event| {
                let raw = event_target_value(&ev);
                let value = if quoted { format!("\"{raw}\"") } else { raw.clone() };
                match config.get_untracked().with_overrides(&[format!("{config_key}={value}")]).and_then(|next| {
                    next.validate()?;
                    Ok(next)
                }) {
                    Ok(next) => config.set(next),
                    Err(e) => problems.update(|p| p.push(format!("{key}: {e}"))),
                }
            };
            let input = if c.choices.is_empty() {
                view! { <input id=format!("ctl-{key}") prop:value=move || value_of(&config.get(), key) on:change=on_change /> }
                    .into_any()
            } else {
                let options = c
                    .choices
                    .iter()
                    .map(|o| {
                        let o = *o;
                        view! { <option value=o selected=move || value_of(&config.get(), key) == o>{o}</option> }
                    })
                    .collect_view();
                view! { <select id=format!("ctl-{key}") on:change=on_change>{options}</select> }.into_any()
            };
            view! { <label class="control">{c.label}" "{input}</label> }
        })
        .collect_view()
}

/// The lesson named in the URL, with a button that sets its settings.
pub fn lesson_view(name: Option<&str>, config: RwSignal<RunConfig>) -> Option<impl IntoView + use<>> {
    name.and_then(lessons::named).map(|l| {
        let steps = l.steps.iter().map(|s| view! { <li>{*s}</li> }).collect_view();
        let begin = move |_| config.set(parse_hash(l.start).config.unwrap_or_else(base_config));
        view! {
            <aside id="lesson">
                <h2>{l.title}</h2>
                <p>{l.text}</p>
                <ol>{steps}</ol>
                <p><b>"Question: "</b>{l.question}</p>
                <button on:click=begin>"Set up this lesson"</button>
            </aside>
        }
    })
}
