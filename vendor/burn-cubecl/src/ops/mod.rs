mod activation;
mod bool_tensor;
mod int_tensor;
mod module;
mod qtensor;
mod tensor;
mod transaction;

pub(crate) mod distributed;

pub(crate) mod base;
pub use base::*;
pub use qtensor::*;

/// Numeric utility functions for jit backends
pub mod numeric;

/// gapo-playground patch: sorting a tensor of this backend in a wasm build. burn 0.22 has no GPU sort: the
/// trait's default reads the tensor back with `try_read_sync`, which in a browser only succeeds if the GPU
/// readback is already complete, so it panics there anyway. The default also instantiates the CPU sort for
/// 12 element types × 8 index types (with `core`'s sort for each: about 0.6 MB of the playground's wasm
/// code, found by name with gapo-playground's bench/wasm_size.py). On wasm the sorts say so at once.
#[cfg(target_family = "wasm")]
fn sort_not_built() -> ! {
    panic!(
        "sorting a GPU tensor is not available in the browser: burn 0.22 sorts by reading the tensor \
         back synchronously, which WebGPU cannot do (gapo-playground's vendor/burn-cubecl)"
    )
}
