use burn::tensor::{Device, Int, Tensor, TensorData};
use gapo_core::config::ModelPreset;
use gapo_core::device::BackendChoice;
use leptos::prelude::*;

/// Which backend the page got, and the proof that the core ran on it.
#[derive(Clone, Debug)]
struct Probe {
    backend: BackendChoice,
    adapter: String,
    note: String,
    logit_sum: Result<f32, String>,
}

#[wasm_bindgen::prelude::wasm_bindgen(inline_js = "export function href() { return String(window.location.href); }")]
extern "C" {
    fn href() -> String;
}

/// `backend=cpu` in the query or the hash forces the CPU path.
fn wants_cpu() -> bool {
    href().contains("backend=cpu")
}

async fn pick_device() -> (BackendChoice, Device, String, String) {
    if !wants_cpu() {
        match gapo_core::device::init_webgpu().await {
            Ok(device) => {
                let adapter = format!("{device:?}");
                return (BackendChoice::WebGpu, device, adapter, String::new());
            }
            Err(e) => {
                let note = format!("WebGPU unavailable ({e}); using the CPU backend");
                return (BackendChoice::Cpu, Device::flex(), "burn flex (wasm)".into(), note);
            }
        }
    }
    (BackendChoice::Cpu, Device::flex(), "burn flex (wasm)".into(), "forced by backend=cpu".into())
}

async fn probe() -> Probe {
    let (backend, device, adapter, note) = pick_device().await;
    let logit_sum = async {
        let preset = ModelPreset::named("tiny").map_err(|e| e.to_string())?;
        let model = preset.generator_config(preset.tokenizer.vocab_size).init(&device);
        let ids = Tensor::<2, Int>::from_data(TensorData::new(vec![1i64, 5, 9, 11], [1, 4]), &device);
        let mask = Tensor::<2>::ones([1, 4], &device);
        let sum = model.forward(ids, mask).sum();
        sum.into_scalar_async::<f32>().await.map_err(|e| format!("{e:?}"))
    }
    .await;
    Probe { backend, adapter, note, logit_sum }
}

#[component]
pub fn App() -> impl IntoView {
    let (state, set_state) = signal::<Option<Probe>>(None);
    leptos::task::spawn_local(async move {
        set_state.set(Some(probe().await));
    });
    view! {
        <main>
            <h1>"gapo playground"</h1>
            {move || match state.get() {
                None => view! { <p id="backend">"starting…"</p> }.into_any(),
                Some(p) => view! {
                    <p id="backend" data-backend=p.backend.name()>
                        {format!("backend: {} — {}", p.backend.name(), p.adapter)}
                    </p>
                    <p id="note">{p.note.clone()}</p>
                    <p id="forward">{match &p.logit_sum {
                        Ok(s) => format!("tiny generator forward pass ran: sum of logits {s:.4}"),
                        Err(e) => format!("forward pass failed: {e}"),
                    }}</p>
                }.into_any(),
            }}
        </main>
    }
}
