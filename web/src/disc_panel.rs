//! The discriminator's view, the idea the page exists to teach: one held-out response scored by D under
//! its accepted prompt and under its rejected one (the changed rule marked), and a fresh generator sample
//! (a fake) scored under both, probe by probe.

use gapo_core::session::DiscView;
use leptos::prelude::*;

/// `views`: (when, D's view then), oldest first.
#[component]
pub fn DiscPanel(views: Vec<(String, DiscView)>) -> impl IntoView {
    let Some((_, v)) = views.last().cloned() else {
        return view! {
            <section id="disc-view"><h2>"What the discriminator reads"</h2>
            <p>"GAPO and PPO with a fixed D show here, at every probe, how D scores one held-out response under its own prompt and under a prompt with one rule changed."</p></section>
        }.into_any();
    };
    let changed = if v.rule_before.is_empty() {
        view! { <p>"The rejected prompt adds a rule the response breaks: "<ins>{v.rule_after.clone()}</ins></p> }
            .into_any()
    } else {
        view! { <p>"The rejected prompt changes one rule, which the response then breaks: "<del>{v.rule_before.clone()}</del>" → "<ins>{v.rule_after.clone()}</ins></p> }.into_any()
    };
    let f = |x: f64| format!("{x:.3}");
    let rows = views
        .iter()
        .map(|(when, v)| {
            let real_gap = v.real.under_accepted - v.real.under_rejected;
            view! {
                <tr>
                    <td>{when.clone()}</td>
                    <td class="num">{f(v.real.under_accepted)}</td><td class="num">{f(v.real.under_rejected)}</td>
                    <td class="num"><b>{format!("{real_gap:+.3}")}</b></td>
                    <td class="num">{f(v.fake.under_accepted)}</td><td class="num">{f(v.fake.under_rejected)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section id="disc-view">
            <h2>"What the discriminator reads"</h2>
            <p>"A discriminator that checks the response against the prompt scores the reference higher under the accepted prompt than under the rejected one (a positive gap). One that reads only the prompts, or only how text looks, cannot."</p>
            <pre class="prompt">{v.accepted_prompt.clone()}</pre>
            {changed}
            <p><b>"Reference: "</b>{v.real.response.clone()}</p>
            <p><b>"A fresh sample (fake): "</b>{v.fake.response.clone()}</p>
            <table id="disc-scores">
                <tr><th>"when"</th><th>"σ(D) real, accepted"</th><th>"real, rejected"</th><th>"gap"</th><th>"fake, accepted"</th><th>"fake, rejected"</th></tr>
                {rows}
            </table>
        </section>
    }.into_any()
}
