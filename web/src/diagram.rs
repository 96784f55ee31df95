//! The GAPO loop as a diagram: SFT → evaluation → D's warm-up → {generator phase ⇄ discriminator phase} ×
//! stages → evaluation, built from the session's own schedule (so every method draws its own), with the
//! current phase lit and its step count. Under it, one line on what should happen in that phase and why.

use gapo_core::session::Phase;
use leptos::prelude::*;

/// A phase of the schedule as the diagram draws it: its label, its steps, its stage.
#[derive(Clone, Debug, PartialEq)]
pub struct PhaseBox {
    pub label: &'static str,
    pub steps: usize,
    pub stage: Option<usize>,
    pub explain: &'static str,
}

pub fn boxes(schedule: &[Phase], steps: &[usize]) -> Vec<PhaseBox> {
    schedule
        .iter()
        .zip(steps)
        .map(|(p, &n)| {
            let (label, explain) = describe(p);
            PhaseBox { label, steps: n, stage: p.stage(), explain }
        })
        .collect()
}

fn describe(p: &Phase) -> (&'static str, &'static str) {
    match p {
        Phase::Sft { .. } => ("SFT", "The generator learns to copy the reference responses: loss/sft falls."),
        Phase::EvalSft => (
            "evaluate",
            "Greedy answers to held-out prompts, checked exactly: the start every method is measured from.",
        ),
        Phase::SftContinued { .. } => (
            "more SFT",
            "As many more SFT updates as PPO would make: the control that tells a gain from more training.",
        ),
        Phase::Preference { .. } => {
            ("preference", "Offline updates on (chosen, rejected) pairs against the frozen SFT model.")
        }
        Phase::RewardModelWarmup { .. } => ("RM warm-up", "A decoder reward model learns the pairs by Bradley–Terry."),
        Phase::DiscWarmup { .. } => (
            "D warm-up",
            "D learns which prompt a response fits: (prompt, response) is real, the same response under a prompt with one rule changed is not. Its held-out pair accuracy should rise above 0.5.",
        ),
        Phase::Probe { .. } => ("probe", "D scores references (real) and fresh samples (fake); nothing trains."),
        Phase::Generator { .. } => {
            ("G", "PPO raises the generator's reward, D's score of its samples: the fake score should rise.")
        }
        Phase::DiscSample { .. } => ("fakes", "D's new training rows: the generator's fresh samples join as fakes."),
        Phase::DiscTrain { .. } => {
            ("D", "D retrains on real pairs, rejected prompts and the fakes: the fake score should fall.")
        }
        Phase::FinalEval => ("evaluate", "The same held-out prompts again: did the method beat its SFT start?"),
    }
}

/// `current`: (phase index, steps done in it); an index past the end means done.
#[component]
pub fn LoopDiagram(boxes: Vec<PhaseBox>, current: (usize, usize)) -> impl IntoView {
    let (at, done) = current;
    let explain = match boxes.get(at) {
        Some(b) => b.explain,
        None if boxes.is_empty() => "Start a run to see the loop go round.",
        None => "Done. Did the held-out pass rate end above the SFT start's line, and in which kinds?",
    };
    let mut items = Vec::new();
    let mut i = 0;
    while i < boxes.len() {
        match boxes[i].stage {
            None => {
                items.push(chip(&boxes[i], i, at, done).into_any());
                i += 1;
            }
            Some(stage) => {
                let start = i;
                while i < boxes.len() && boxes[i].stage == Some(stage) {
                    i += 1;
                }
                let lit = (start..i).contains(&at);
                let inner = (start..i).map(|j| chip(&boxes[j], j, at, done)).collect_view();
                items.push(
                    view! {
                        <span class=if lit { "stage lit" } else { "stage" }>
                            <small>{format!("stage {}", stage + 1)}</small>{inner}
                        </span>
                    }
                    .into_any(),
                );
            }
        }
        items.push(view! { <span class="arrow">"→"</span> }.into_any());
    }
    items.pop();
    view! {
        <section id="loop" data-phase=at.to_string()>
            <div class="chips">{items}</div>
            <p id="loop-explain">{explain}</p>
        </section>
    }
}

fn chip(b: &PhaseBox, index: usize, at: usize, done: usize) -> impl IntoView + use<> {
    let lit = index == at;
    let count = if lit { format!("{done}/{}", b.steps) } else { b.steps.to_string() };
    let class = if lit {
        "chip lit"
    } else if index < at {
        "chip past"
    } else {
        "chip"
    };
    view! { <span class=class title=b.explain>{b.label}" "<small>{count}</small></span> }
}
