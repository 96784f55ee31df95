//! The browser playground (leptos CSR). For now it loads gapo-core, picks a backend (WebGPU when the
//! browser has it, else burn's CPU backend compiled to wasm; `?backend=cpu` or `#backend=cpu` forces the
//! CPU), runs one forward pass of the tiny generator there and says what it got.

#[cfg(target_family = "wasm")]
mod app;

#[cfg(target_family = "wasm")]
fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}

#[cfg(not(target_family = "wasm"))]
fn main() {
    eprintln!("gapo-web is the browser page: build it with `trunk build --release` at the repository root.");
}
