//! What the page asks of the browser: the JS helpers (URL hash, downloads, file input, the WebGPU adapter
//! index.html recorded), yielding between steps, and the choice of backend with its badge.

use burn::tensor::Device;
use gapo_core::device::BackendChoice;

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
    pub fn hash() -> String;
    pub fn set_hash(h: &str);
    pub fn tick() -> js_sys::Promise;
    pub fn download(name: &str, text: &str);
    pub fn download_bytes(name: &str, bytes: &[u8]);
    pub fn read_file(input: &web_sys_input::Input) -> js_sys::Promise;
    pub fn adapter_name() -> String;
    pub fn adapter_limit() -> f64;
    pub fn adapter_subgroups() -> bool;
    pub fn query_param(k: &str) -> String;
}

/// The `<input type=file>` element, passed to JS as is.
pub mod web_sys_input {
    #[wasm_bindgen::prelude::wasm_bindgen]
    extern "C" {
        pub type Input;
    }
}

pub async fn yield_to_browser() {
    let _ = wasm_bindgen_futures::JsFuture::from(tick()).await;
}

pub async fn pick_device(force_cpu: bool) -> (BackendChoice, Device, String) {
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
pub fn badge(choice: BackendChoice) -> &'static str {
    match choice {
        BackendChoice::WebGpu => "WebGPU",
        _ if cfg!(target_feature = "simd128") => "CPU (wasm, SIMD)",
        _ => "CPU (wasm, no SIMD)",
    }
}
