//! The browser playground (leptos CSR): trains a tiny GAPO live through gapo-core's `Session` on WebGPU
//! when the browser has it, else on burn's CPU backend compiled to wasm (`#backend=cpu` forces the CPU).

#[cfg(target_family = "wasm")]
mod actions;
#[cfg(target_family = "wasm")]
mod app;
#[cfg(target_family = "wasm")]
mod bars;
#[cfg(target_family = "wasm")]
mod browser;
#[cfg(target_family = "wasm")]
mod controls;
#[cfg(target_family = "wasm")]
mod diagram;
#[cfg(target_family = "wasm")]
mod disc_panel;
#[cfg(target_family = "wasm")]
mod gpu_check;
#[cfg_attr(not(target_family = "wasm"), allow(dead_code))]
mod lessons;
#[cfg(target_family = "wasm")]
mod metrics_view;
#[cfg(target_family = "wasm")]
mod page;
#[cfg(target_family = "wasm")]
mod plot;
#[cfg(target_family = "wasm")]
mod samples;
#[cfg_attr(not(target_family = "wasm"), allow(dead_code))]
mod settings;

// wasm-ld links a binary "command-style": unless the module calls the static constructors itself, it wraps
// every export (each call from JS: events, promise callbacks, wasm-bindgen's glue) in a call to them, which
// re-ran the `inventory` registrations at every step's yield. Calling them once here, first, stops that.
#[cfg(target_family = "wasm")]
unsafe extern "C" {
    fn __wasm_call_ctors();
}

#[cfg(target_family = "wasm")]
fn main() {
    // SAFETY: the linker's constructor function, called once before anything reads what it registers.
    unsafe { __wasm_call_ctors() };
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}

#[cfg(not(target_family = "wasm"))]
fn main() {
    eprintln!("gapo-web is the browser page: build it with `trunk build --release` at the repository root.");
}
