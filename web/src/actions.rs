//! What the page's buttons do. Training steps gapo-core's `Session` one step at a time and yields to the
//! browser between steps, so the page stays responsive and Stop answers after the current step.

use crate::browser::{
    adapter_limit, badge, download_bytes, pick_device, query_param, read_file, web_sys_input, yield_to_browser,
};
use crate::page::{Page, Run, when};
use crate::samples::{sample_of, samples_of};
use burn::tensor::Device;
use gapo_core::device::BackendChoice;
use gapo_core::model::sampling::SamplingConfig;
use gapo_core::session::{Inputs, Restore, Session};
use gapo_core::try_prompt::try_prompt;
use leptos::prelude::*;

/// Picks the backend (WebGPU unless `force_cpu` or it is missing), says which in the badge and, with
/// `?check=webgpu`, runs the WebGPU forward check.
pub fn init_backend(page: &Page, force_cpu: bool) {
    let page = page.clone();
    leptos::task::spawn_local(async move {
        let (choice, d, note) = pick_device(force_cpu).await;
        page.on_webgpu.set(choice == BackendChoice::WebGpu);
        let note = if note.is_empty() { String::new() } else { format!(" ({note})") };
        page.backend.set(format!("backend: {} — {}{note}", choice.name(), badge(choice)));
        if query_param("check") == "webgpu" {
            let shown = match (choice, crate::gpu_check::max_logit_difference(&d).await) {
                (BackendChoice::WebGpu, Ok(diff)) => (diff, format!("WebGPU vs CPU: max |Δlogit| = {diff:.3e}")),
                (BackendChoice::WebGpu, Err(e)) => (f64::NAN, format!("WebGPU check failed: {e}")),
                _ => (f64::NAN, "WebGPU check: no WebGPU adapter".to_string()),
            };
            page.gpu_check.set(Some(shown));
        }
        *page.device.borrow_mut() = Some(d);
    });
}

/// A new session from the settings, unless a paused one goes on. A preset whose buffers the WebGPU
/// adapter cannot bind is refused, with the numbers, and the run goes to the CPU instead of failing inside
/// a kernel.
fn new_session(page: &Page, mut d: Device) -> Option<Device> {
    if page.on_webgpu.get_untracked() {
        let limit = adapter_limit();
        if limit > 0.0
            && let Err(e) = gapo_core::buffers::check_fits(&page.config.get_untracked(), limit as u64)
        {
            page.problems.update(|p| p.push(format!("{e}: training on the CPU instead")));
            d = Device::flex();
            *page.device.borrow_mut() = Some(d.clone());
            page.on_webgpu.set(false);
            page.backend.set("backend: cpu (the preset does not fit the WebGPU adapter)".into());
        }
    }
    match Session::new(page.config.get_untracked(), Inputs::default(), d.clone()) {
        Ok(s) => {
            page.show_schedule(&s);
            *page.session.borrow_mut() = Some(s)
        }
        Err(e) => {
            page.status.set(format!("cannot start: {e}"));
            return None;
        }
    }
    page.keep_as_previous();
    Some(d)
}

pub fn start(page: &Page) {
    if page.run.get_untracked() == Run::Running {
        return;
    }
    let Some(mut d) = page.device.borrow().clone() else {
        page.status.set("the backend is still starting".into());
        return;
    };
    if page.run.get_untracked() != Run::Paused || page.session.borrow().is_none() {
        match new_session(page, d) {
            Some(device) => d = device,
            None => return,
        }
    }
    page.run.set(Run::Running);
    let page = page.clone();
    leptos::task::spawn_local(async move {
        while page.run.get_untracked() == Run::Running {
            // The session is taken out while it steps, so no borrow is held across an await.
            let Some(mut s) = page.session.borrow_mut().take() else { break };
            let total = s.planned_steps();
            match s.step().await {
                Ok(r) => {
                    page.status.set(format!("step {} / {total}: {}", r.step + 1, r.phase));
                    page.position.set(s.position());
                    let refresh = r.eval.is_some() || r.phase == "probe";
                    let done = r.done;
                    if r.phase == "probe" || r.phase == "eval_sft" {
                        match s.discriminator_view(0).await {
                            Ok(Some(v)) => page.views.update(|views| views.push((when(&r), v))),
                            Ok(None) => {}
                            Err(e) => page.status.set(format!("D's view: {e}")),
                        }
                    }
                    page.reports.update(|v| v.push(r));
                    if refresh {
                        match samples_of(&s, &d).await {
                            Ok(rows) => page.samples.set(rows),
                            Err(e) => page.status.set(format!("samples: {e}")),
                        }
                    }
                    if page.run.get_untracked() == Run::Idle {
                        break; // Reset while this step ran: drop the session.
                    }
                    *page.session.borrow_mut() = Some(s);
                    if done {
                        page.run.set(Run::Done);
                        break;
                    }
                }
                Err(e) => {
                    *page.session.borrow_mut() = Some(s);
                    page.status.set(format!("stopped: {e}"));
                    page.run.set(Run::Stopped);
                    break;
                }
            }
            yield_to_browser().await;
        }
    });
}

pub fn reset(page: &Page) {
    page.run.set(Run::Idle);
    *page.session.borrow_mut() = None;
    page.keep_as_previous();
    page.status.set(String::new());
}

/// The try-it box's prompt through the current models.
pub fn try_it(page: &Page) {
    let prompt = page.try_text.get_untracked();
    let page = page.clone();
    leptos::task::spawn_local(async move {
        let Some(d) = page.device.borrow().clone() else { return };
        // What generating needs, copied out under a short borrow (a step may be running).
        let parts = page.session.borrow().as_ref().map(|s| {
            use burn::module::Module;
            (s.generator(), s.discriminator().map(|x| x.disc.valid()), s.tokenizer.clone())
        });
        let result = match parts {
            None => Err("start a run first (or wait for the current step): the try-it box uses its models".to_string()),
            Some((generator, disc, tokenizer)) => {
                let sampling = SamplingConfig::new().with_greedy(true);
                try_prompt(&generator, disc.as_ref(), &tokenizer, &prompt, &sampling, 40, 1, &d)
                    .await
                    .map_err(|e| e.to_string())
            }
        };
        match result {
            Ok(t) => page.tried.set(t.into_iter().map(sample_of).collect()),
            Err(e) => page.status.set(format!("try it: {e}")),
        }
    });
}

/// The whole session as a file, to load and go on later.
pub fn save(page: &Page) {
    let bytes = page.session.borrow().as_ref().map(|s| s.snapshot());
    match bytes {
        None => page.status.set("nothing to save: start a run first".into()),
        Some(Err(e)) => page.status.set(format!("cannot save: {e}")),
        Some(Ok(b)) => {
            if matches!(page.run.get_untracked(), Run::Running) {
                page.run.set(Run::Paused);
            }
            download_bytes("gapo-session.bin", &b);
            page.status.set(format!("saved the session ({} kB): load it to go on where it stopped", b.len() / 1024));
        }
    }
}

/// A saved session from the file input, paused where it was saved.
pub fn load(page: &Page, ev: leptos::ev::Event) {
    use wasm_bindgen::JsCast;
    let Some(input) = ev.target().map(|t| t.unchecked_into::<web_sys_input::Input>()) else { return };
    let promise = read_file(&input);
    let page = page.clone();
    leptos::task::spawn_local(async move {
        let Ok(file) = wasm_bindgen_futures::JsFuture::from(promise).await else {
            page.status.set("could not read the file".into());
            return;
        };
        if file.is_null() {
            return;
        }
        let name = js_sys::Reflect::get(&file, &"name".into()).ok().and_then(|v| v.as_string()).unwrap_or_default();
        let bytes = js_sys::Reflect::get(&file, &"bytes".into())
            .map(|v| js_sys::Uint8Array::new(&v).to_vec())
            .unwrap_or_default();
        let Some(d) = page.device.borrow().clone() else { return };
        match Session::restore(&bytes, &name, Restore::ModelsOnly, &[], Inputs::default(), d) {
            Ok(s) => {
                page.run.set(Run::Paused);
                page.config.set(s.config.clone());
                page.show_schedule(&s);
                page.status.set(format!(
                    "loaded {name} at step {}: Start goes on from there (optimizer states start fresh)",
                    s.steps_done()
                ));
                *page.session.borrow_mut() = Some(s);
            }
            Err(e) => page.status.set(format!("cannot load: {e}")),
        }
    });
}

/// A held-out prompt of the current run into the try-it box (a fixed example before any run).
pub fn pick_heldout(page: &Page) {
    let s = page.session.borrow();
    let n = page.reports.get_untracked().len();
    let task_prompt = s.as_ref().and_then(|s| s.task.eval.get(n % s.task.eval.len().max(1)).map(|e| e.prompt.clone()));
    page.try_text.set(task_prompt.unwrap_or_else(|| {
        "Describe this item to a customer.\nProduct: category: lamp; colour: red; material: oak; size: small; price: $45; feature: quiet.\nRules: Use the word \"cozy\". Use at most 20 words.".into()
    }));
}
