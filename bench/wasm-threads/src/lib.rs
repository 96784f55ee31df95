//! The wasm-threads bench: the CLI's default session's SFT steps, timed in the browser on burn-flex with
//! rayon on a pool of web workers (`init_thread_pool`, from wasm-bindgen-rayon). See run.sh.

use burn::tensor::Device;
use futures_lite::future::block_on;
use gapo_core::session::{Inputs, RunConfig, Session};
use wasm_bindgen::prelude::*;
pub use wasm_bindgen_rayon::init_thread_pool;

/// Builds the CLI's default session and times `steps` SFT steps after `warm` untimed ones: ms per step.
#[wasm_bindgen]
pub fn sft_ms(warm: u32, steps: u32) -> Result<f64, JsValue> {
    let error = |e: gapo_core::GapoError| JsValue::from_str(&e.to_string());
    let mut session = Session::new(RunConfig::default(), Inputs::default(), Device::flex()).map_err(error)?;
    for _ in 0..warm {
        block_on(session.step()).map_err(error)?;
    }
    let started = js_sys::Date::now();
    for _ in 0..steps {
        let report = block_on(session.step()).map_err(error)?;
        if report.phase != "sft" {
            return Err(JsValue::from_str(&format!(
                "step {} is {}, not SFT: ask for fewer steps",
                report.step, report.phase
            )));
        }
    }
    Ok((js_sys::Date::now() - started) / steps as f64)
}
