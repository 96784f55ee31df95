mod dequantize;
mod quantize;

pub use dequantize::*;
pub use quantize::*;

/// gapo-playground patch: what quantizing or dequantizing answers in a wasm build. The playground never
/// quantizes a tensor, but burn's float operations reach these kernels for quantized inputs, so their
/// launch code (cubek-quant) stayed in the page's wasm (about 90 KB of code, found by name with
/// gapo-playground's bench/wasm_size.py).
fn not_built(scheme: &burn_backend::quantization::QuantScheme) -> ! {
    panic!(
        "quantized tensors ({scheme:?}) are not built into this wasm binary (gapo-playground's \
         vendor/burn-cubecl leaves the kernels out for size)"
    )
}
