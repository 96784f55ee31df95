//! The playground: settings (in the URL hash), Start / Pause / Stop / Reset, live plots, the sample table,
//! the try-it box and the guided lessons. Training runs gapo-core's `Session` one step at a time and yields
//! to the browser between steps, so the page stays responsive and Stop answers after the current step.

use crate::lessons;
use crate::plot::{Plot, Series};
use crate::settings::{CONTROLS, HashState, base_config, parse_hash, to_hash, value_of};
use burn::tensor::Device;
use gapo_core::device::BackendChoice;
use gapo_core::model::sampling::SamplingConfig;
use gapo_core::session::{Session, StepReport};
use gapo_core::try_prompt::{Tried, try_prompt};
use leptos::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;

#[wasm_bindgen::prelude::wasm_bindgen(inline_js = "
export function hash() { return String(window.location.hash); }
export function set_hash(h) { history.replaceState(null, '', '#' + h); }
export function tick() { return new Promise(r => setTimeout(r, 0)); }
export function download(name, text) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([text], {type: 'text/csv'}));
  a.download = name; a.click(); URL.revokeObjectURL(a.href);
}
export function download_bytes(name, bytes) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([bytes], {type: 'application/octet-stream'}));
  a.download = name; a.click(); URL.revokeObjectURL(a.href);
}
export function adapter_name() { const a = window.__gapoAdapter; return a ? String(a.name) : ''; }
export function adapter_limit() { const a = window.__gapoAdapter; return a ? Number(a.maxStorageBufferBindingSize) : -1; }
export function adapter_subgroups() { const a = window.__gapoAdapter; return !!(a && a.subgroups); }
export function query_param(k) { return new URLSearchParams(window.location.search).get(k) || ''; }
export function read_file(input) {
  const f = input.files && input.files[0];
  if (!f) return Promise.resolve(null);
  return f.arrayBuffer().then(b => ({ name: f.name, bytes: new Uint8Array(b) }));
}")]
extern "C" {
    fn hash() -> String;
    fn set_hash(h: &str);
    fn tick() -> js_sys::Promise;
    fn download(name: &str, text: &str);
    fn download_bytes(name: &str, bytes: &[u8]);
    fn read_file(input: &web_sys_input::Input) -> js_sys::Promise;
    fn adapter_name() -> String;
    fn adapter_limit() -> f64;
    fn adapter_subgroups() -> bool;
    fn query_param(k: &str) -> String;
}

/// The `<input type=file>` element, passed to JS as is.
mod web_sys_input {
    #[wasm_bindgen::prelude::wasm_bindgen]
    extern "C" {
        pub type Input;
    }
}

async fn yield_to_browser() {
    let _ = wasm_bindgen_futures::JsFuture::from(tick()).await;
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Run {
    Idle,
    Running,
    Paused,
    Stopped,
    Done,
}

/// One sample row: prompt, response, each constraint's verdict, D's score.
#[derive(Clone, Debug)]
struct Sample {
    prompt: String,
    response: String,
    verdicts: Vec<(String, bool, String)>,
    disc: Option<f64>,
}

async fn pick_device(force_cpu: bool) -> (BackendChoice, Device, String) {
    if !force_cpu {
        match gapo_core::device::init_webgpu().await {
            Ok(_) if !adapter_subgroups() => {
                // burn 0.22's WebGPU kernels read the subgroup built-ins; without the feature no shader
                // compiles, so say so and train on the CPU rather than fail at the first step.
                let note = format!(
                    "WebGPU adapter {} has no `subgroups` feature, which burn's WebGPU kernels need; using the CPU",
                    adapter_name()
                );
                return (BackendChoice::Cpu, Device::flex(), note);
            }
            Ok(device) => {
                // index.html's WebGPU hook recorded the adapter the device came from.
                let limit = adapter_limit();
                let note = format!("{}, {:.0} MB per buffer", adapter_name(), limit / 1e6);
                return (BackendChoice::WebGpu, device, note);
            }
            Err(e) => return (BackendChoice::Cpu, Device::flex(), format!("WebGPU unavailable ({e}); using the CPU")),
        }
    }
    (BackendChoice::Cpu, Device::flex(), "CPU forced by backend=cpu".into())
}

/// What the badge calls the backend: WebGPU (its adapter is in the note beside it), or the CPU path and
/// whether this wasm was built with SIMD (simd128).
fn badge(choice: BackendChoice) -> &'static str {
    match choice {
        BackendChoice::WebGpu => "WebGPU",
        _ if cfg!(target_feature = "simd128") => "CPU (wasm, SIMD)",
        _ => "CPU (wasm, no SIMD)",
    }
}

/// The metric series the plots draw, by plot: this run's, and the previous run's in grey beside them (two
/// runs overlaid, e.g. GAPO then PPO).
fn series(reports: &[StepReport], previous: &[StepReport]) -> [Vec<Series>; 4] {
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

fn csv(reports: &[StepReport]) -> String {
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

async fn samples_of(session: &Session, device: &Device) -> Result<Vec<Sample>, String> {
    let greedy = SamplingConfig::new().with_greedy(true);
    let generator = session.generator();
    let disc = session.disc.as_ref().map(|d| {
        use burn::module::Module;
        d.disc.valid()
    });
    let mut rows = Vec::new();
    for e in session.task.eval.iter().take(6) {
        let tried = try_prompt(&generator, disc.as_ref(), &session.tokenizer, &e.prompt, &greedy, 40, 1, device)
            .await
            .map_err(|e| e.to_string())?;
        rows.extend(tried.into_iter().map(sample_of));
    }
    Ok(rows)
}

fn sample_of(t: Tried) -> Sample {
    Sample {
        verdicts: t.verdicts.iter().map(|(c, v)| (c.kind().name().to_string(), v.pass, v.why.clone())).collect(),
        prompt: t.prompt,
        response: t.response,
        disc: t.disc_score,
    }
}

#[component]
pub fn App() -> impl IntoView {
    let initial: HashState = parse_hash(&hash());
    let config = RwSignal::new(initial.config.clone().unwrap_or_else(base_config));
    let hidden = initial.hidden.clone();
    let lesson = initial.lesson.clone();
    let problems = RwSignal::new(initial.problems.clone());
    if let Some(name) = &lesson
        && lessons::named(name).is_none()
    {
        problems.update(|p| p.push(format!("no lesson `{name}`; lessons: preferential-prompts, fakes, kl")));
    }
    let backend = RwSignal::new(String::from("starting…"));
    let on_webgpu = RwSignal::new(false);
    // The WebGPU forward check: (max |Δlogit| for the test, the sentence shown).
    let gpu_check: RwSignal<Option<(f64, String)>> = RwSignal::new(None);
    let status = RwSignal::new(String::new());
    let run = RwSignal::new(Run::Idle);
    let reports: RwSignal<Vec<StepReport>> = RwSignal::new(Vec::new());
    let previous: RwSignal<Vec<StepReport>> = RwSignal::new(Vec::new());
    let samples: RwSignal<Vec<Sample>> = RwSignal::new(Vec::new());
    let tried: RwSignal<Vec<Sample>> = RwSignal::new(Vec::new());
    let try_text = RwSignal::new(String::new());
    let device: Rc<RefCell<Option<Device>>> = Rc::new(RefCell::new(None));
    let session: Rc<RefCell<Option<Session>>> = Rc::new(RefCell::new(None));

    {
        let device = device.clone();
        let force_cpu = initial.force_cpu;
        leptos::task::spawn_local(async move {
            let (choice, d, note) = pick_device(force_cpu).await;
            on_webgpu.set(choice == BackendChoice::WebGpu);
            backend.set(format!(
                "backend: {} — {}{}",
                choice.name(),
                badge(choice),
                if note.is_empty() { String::new() } else { format!(" ({note})") }
            ));
            if query_param("check") == "webgpu" {
                let shown = match (choice, crate::gpu_check::max_logit_difference(&d).await) {
                    (BackendChoice::WebGpu, Ok(diff)) => (diff, format!("WebGPU vs CPU: max |Δlogit| = {diff:.3e}")),
                    (BackendChoice::WebGpu, Err(e)) => (f64::NAN, format!("WebGPU check failed: {e}")),
                    _ => (f64::NAN, "WebGPU check: no WebGPU adapter".to_string()),
                };
                gpu_check.set(Some(shown));
            }
            *device.borrow_mut() = Some(d);
        });
    }

    // Keep the URL hash in step with the settings.
    {
        let hidden = hidden.clone();
        let lesson = lesson.clone();
        Effect::new(move |_| set_hash(&to_hash(&config.get(), &hidden, lesson.as_deref())));
    }

    let start = {
        let (device, session) = (device.clone(), session.clone());
        move |_| {
            if run.get_untracked() == Run::Running {
                return;
            }
            let Some(mut d) = device.borrow().clone() else {
                status.set("the backend is still starting".into());
                return;
            };
            if run.get_untracked() != Run::Paused || session.borrow().is_none() {
                // A preset whose buffers this adapter cannot bind is refused, with the numbers, and the run
                // goes to the CPU instead of failing inside a kernel.
                if on_webgpu.get_untracked() {
                    let limit = adapter_limit();
                    if limit > 0.0
                        && let Err(e) = gapo_core::buffers::check_fits(&config.get_untracked(), limit as u64)
                    {
                        problems.update(|p| p.push(format!("{e}: training on the CPU instead")));
                        d = Device::flex();
                        *device.borrow_mut() = Some(d.clone());
                        on_webgpu.set(false);
                        backend.set("backend: cpu (the preset does not fit the WebGPU adapter)".into());
                    }
                }
                match Session::new(config.get_untracked(), d.clone()) {
                    Ok(s) => *session.borrow_mut() = Some(s),
                    Err(e) => {
                        status.set(format!("cannot start: {e}"));
                        return;
                    }
                }
                let last = reports.get_untracked();
                if !last.is_empty() {
                    previous.set(last);
                }
                reports.set(Vec::new());
                samples.set(Vec::new());
            }
            run.set(Run::Running);
            let session = session.clone();
            leptos::task::spawn_local(async move {
                loop {
                    if run.get_untracked() != Run::Running {
                        break;
                    }
                    // The session is taken out while it steps, so no borrow is held across an await.
                    let Some(mut s) = session.borrow_mut().take() else { break };
                    let total = s.planned_steps();
                    match s.step().await {
                        Ok(r) => {
                            status.set(format!("step {} / {total}: {}", r.step + 1, r.phase));
                            let refresh = r.eval.is_some() || r.phase == "probe";
                            let done = r.done;
                            reports.update(|v| v.push(r));
                            if refresh {
                                match samples_of(&s, &d).await {
                                    Ok(rows) => samples.set(rows),
                                    Err(e) => status.set(format!("samples: {e}")),
                                }
                            }
                            if run.get_untracked() == Run::Idle {
                                break; // Reset while this step ran: drop the session.
                            }
                            *session.borrow_mut() = Some(s);
                            if done {
                                run.set(Run::Done);
                                break;
                            }
                        }
                        Err(e) => {
                            *session.borrow_mut() = Some(s);
                            status.set(format!("stopped: {e}"));
                            run.set(Run::Stopped);
                            break;
                        }
                    }
                    yield_to_browser().await;
                }
            });
        }
    };
    let pause = move |_| {
        if run.get_untracked() == Run::Running {
            run.set(Run::Paused)
        }
    };
    let stop = move |_| {
        if matches!(run.get_untracked(), Run::Running | Run::Paused) {
            run.set(Run::Stopped);
            status.set("stopped".into());
        }
    };
    let reset = {
        let session = session.clone();
        move |_| {
            run.set(Run::Idle);
            *session.borrow_mut() = None;
            let last = reports.get_untracked();
            if !last.is_empty() {
                previous.set(last);
            }
            reports.set(Vec::new());
            samples.set(Vec::new());
            status.set(String::new());
        }
    };
    let try_it = {
        let (device, session) = (device.clone(), session.clone());
        move |_| {
            let prompt = try_text.get_untracked();
            let (device, session) = (device.clone(), session.clone());
            leptos::task::spawn_local(async move {
                let Some(d) = device.borrow().clone() else { return };
                // What generating needs, copied out under a short borrow (a step may be running).
                let parts = session.borrow().as_ref().map(|s| {
                    use burn::module::Module;
                    (s.generator(), s.disc.as_ref().map(|x| x.disc.valid()), s.tokenizer.clone())
                });
                let result =
                    match parts {
                        None => Err("start a run first (or wait for the current step): the try-it box uses its models"
                            .to_string()),
                        Some((generator, disc, tokenizer)) => {
                            let sampling = SamplingConfig::new().with_greedy(true);
                            try_prompt(&generator, disc.as_ref(), &tokenizer, &prompt, &sampling, 40, 1, &d)
                                .await
                                .map_err(|e| e.to_string())
                        }
                    };
                match result {
                    Ok(t) => tried.set(t.into_iter().map(sample_of).collect()),
                    Err(e) => status.set(format!("try it: {e}")),
                }
            });
        }
    };
    let save = {
        let session = session.clone();
        move |_| {
            let bytes = session.borrow().as_ref().map(|s| s.snapshot());
            match bytes {
                None => status.set("nothing to save: start a run first".into()),
                Some(Err(e)) => status.set(format!("cannot save: {e}")),
                Some(Ok(b)) => {
                    if matches!(run.get_untracked(), Run::Running) {
                        run.set(Run::Paused);
                    }
                    download_bytes("gapo-session.bin", &b);
                    status.set(format!("saved the session ({} kB): load it to go on where it stopped", b.len() / 1024));
                }
            }
        }
    };
    let load = {
        let (device, session) = (device.clone(), session.clone());
        move |ev: leptos::ev::Event| {
            use wasm_bindgen::JsCast;
            let Some(input) = ev.target().map(|t| t.unchecked_into::<web_sys_input::Input>()) else { return };
            let promise = read_file(&input);
            let (device, session) = (device.clone(), session.clone());
            leptos::task::spawn_local(async move {
                let Ok(file) = wasm_bindgen_futures::JsFuture::from(promise).await else {
                    status.set("could not read the file".into());
                    return;
                };
                if file.is_null() {
                    return;
                }
                let name =
                    js_sys::Reflect::get(&file, &"name".into()).ok().and_then(|v| v.as_string()).unwrap_or_default();
                let bytes = js_sys::Reflect::get(&file, &"bytes".into())
                    .map(|v| js_sys::Uint8Array::new(&v).to_vec())
                    .unwrap_or_default();
                let Some(d) = device.borrow().clone() else { return };
                match Session::restore_models(&bytes, d, &name) {
                    Ok(s) => {
                        run.set(Run::Paused);
                        config.set(s.config.clone());
                        status.set(format!(
                            "loaded {name} at step {}: Start goes on from there (optimizer states start fresh)",
                            s.steps_done()
                        ));
                        *session.borrow_mut() = Some(s);
                    }
                    Err(e) => status.set(format!("cannot load: {e}")),
                }
            });
        }
    };
    let pick_heldout = {
        let session = session.clone();
        move |_| {
            let s = session.borrow();
            let n = reports.get_untracked().len();
            let task_prompt =
                s.as_ref().and_then(|s| s.task.eval.get(n % s.task.eval.len().max(1)).map(|e| e.prompt.clone()));
            try_text.set(task_prompt.unwrap_or_else(|| {
                "Describe this item to a customer.\nProduct: category: lamp; colour: red; material: oak; size: small; price: $45; feature: quiet.\nRules: Use the word \"cozy\". Use at most 20 words.".into()
            }));
        }
    };

    let controls = CONTROLS
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
        .collect_view();

    let lesson_view = lesson.as_deref().and_then(lessons::named).map(|l| {
        let steps = l.steps.iter().map(|s| view! { <li>{*s}</li> }).collect_view();
        let begin = move |_| {
            let next = parse_hash(l.start).config.unwrap_or_else(base_config);
            config.set(next);
        };
        view! {
            <aside id="lesson">
                <h2>{l.title}</h2>
                <p>{l.text}</p>
                <ol>{steps}</ol>
                <p><b>"Question: "</b>{l.question}</p>
                <button on:click=begin>"Set up this lesson"</button>
            </aside>
        }
    });

    let verdict_cells = |s: &Sample| {
        s.verdicts
            .iter()
            .map(|(k, pass, why)| {
                let class = if *pass { "pass" } else { "fail" };
                let mark = if *pass { "✓" } else { "✗" };
                view! { <span class=class title=why.clone()>{format!("{mark} {k} ")}</span> }
            })
            .collect_view()
    };

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
            {lesson_view}
            <section id="controls">{controls}</section>
            <p>
                <button id="start" on:click=start>"Start"</button>
                <button id="pause" on:click=pause>"Pause"</button>
                <button id="stop" on:click=stop>"Stop"</button>
                <button id="reset" on:click=reset>"Reset"</button>
                <button id="csv" on:click=move |_| download("metrics.csv", &csv(&reports.get_untracked()))>"Metrics CSV"</button>
                <button id="save" on:click=save>"Download models"</button>
                <label>" load: "<input id="load" type="file" on:change=load /></label>
                <span id="status" data-run=move || format!("{:?}", run.get())>{move || status.get()}</span>
            </p>
            <section id="plots">
                {move || {
                    let [a, b, c, d] = series(&reports.get(), &previous.get());
                    view! {
                        <Plot id="plot-reward" title="reward" series=a />
                        <Plot id="plot-kl" title="KL" series=b />
                        <Plot id="plot-disc" title="discriminator" series=c />
                        <Plot id="plot-eval" title="held-out pass rate" series=d />
                    }
                }}
            </section>
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
            <textarea id="try-text" rows="4" cols="90" prop:value=move || try_text.get()
                on:input=move |ev| try_text.set(event_target_value(&ev))></textarea>
            <p>
                <button id="try-pick" on:click=pick_heldout>"Pick a held-out prompt"</button>
                <button id="try-run" on:click=try_it>"Generate"</button>
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
