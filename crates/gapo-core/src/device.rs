//! The backend is chosen at run time. `cpu` is burn's pure-Rust `flex` backend and is always compiled;
//! `wgpu` (native Vulkan/Metal/DX12) and `cuda` exist only when the build enabled their cargo features, and
//! `webgpu` only in the browser build. Asking for a backend the build lacks is an error that says which
//! feature to enable, never a panic.

use crate::error::{GapoError, Result};
use burn::tensor::Device;
use std::fmt;
use std::str::FromStr;

/// Which backend to run on, as the user names it (`--device cpu|wgpu|cuda|webgpu`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum BackendChoice {
    /// burn's pure-Rust CPU backend (`flex`): native and wasm, always available.
    #[default]
    Cpu,
    /// Native wgpu (Vulkan/Metal/DX12). Cargo feature `wgpu`.
    Wgpu,
    /// The browser's WebGPU. Cargo feature `webgpu`; initialised asynchronously (see `init_webgpu`).
    WebGpu,
    /// NVIDIA CUDA. Cargo feature `cuda`.
    Cuda,
}

impl BackendChoice {
    pub const ALL: [BackendChoice; 4] = [Self::Cpu, Self::Wgpu, Self::WebGpu, Self::Cuda];

    pub fn name(self) -> &'static str {
        match self {
            Self::Cpu => "cpu",
            Self::Wgpu => "wgpu",
            Self::WebGpu => "webgpu",
            Self::Cuda => "cuda",
        }
    }

    /// The cargo feature of `gapo-core` (and of the `gapo` CLI) that compiles this backend in.
    pub fn cargo_feature(self) -> &'static str {
        match self {
            Self::Cpu => "flex",
            Self::Wgpu => "wgpu",
            Self::WebGpu => "webgpu",
            Self::Cuda => "cuda",
        }
    }

    /// Whether this build has the backend compiled in.
    pub fn compiled(self) -> bool {
        match self {
            Self::Cpu => cfg!(feature = "flex"),
            Self::Wgpu => cfg!(feature = "wgpu") && !cfg!(target_family = "wasm"),
            Self::WebGpu => cfg!(feature = "webgpu") && cfg!(target_family = "wasm"),
            Self::Cuda => cfg!(feature = "cuda"),
        }
    }

    /// The backends this build can run on.
    pub fn compiled_backends() -> Vec<BackendChoice> {
        Self::ALL.into_iter().filter(|b| b.compiled()).collect()
    }
}

impl fmt::Display for BackendChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for BackendChoice {
    type Err = GapoError;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "cpu" | "flex" => Ok(Self::Cpu),
            "wgpu" => Ok(Self::Wgpu),
            "webgpu" => Ok(Self::WebGpu),
            "cuda" => Ok(Self::Cuda),
            other => Err(GapoError::Device {
                device: other.to_string(),
                message: "unknown backend; expected one of cpu, wgpu, webgpu, cuda".into(),
            }),
        }
    }
}

fn not_compiled(choice: BackendChoice) -> GapoError {
    let hint = match choice {
        BackendChoice::WebGpu => "webgpu runs only in the browser build (web/)".to_string(),
        _ => format!("this build was compiled without it; rebuild with `--features {}`", choice.cargo_feature()),
    };
    GapoError::Device { device: choice.name().into(), message: hint }
}

/// The burn device for a backend choice (native; synchronous). For `webgpu` use [`init_webgpu`].
///
/// Native wgpu and CUDA devices are created lazily by burn; [`probe`] runs one operation on them first, so a
/// missing driver is an error here rather than a panic later.
pub fn device_for(choice: BackendChoice) -> Result<Device> {
    if !choice.compiled() {
        return Err(not_compiled(choice));
    }
    match choice {
        #[cfg(feature = "flex")]
        BackendChoice::Cpu => Ok(Device::flex()),
        #[cfg(all(feature = "wgpu", not(target_family = "wasm")))]
        BackendChoice::Wgpu => probe(choice, Device::wgpu(burn::tensor::DeviceKind::DefaultDevice)),
        #[cfg(feature = "cuda")]
        BackendChoice::Cuda => probe(choice, Device::cuda(0)),
        _ => Err(not_compiled(choice)),
    }
}

/// burn creates native GPU devices lazily: a missing driver, NVRTC or adapter shows up as a panic on burn's
/// device thread at the first tensor operation (then another on ours). One tiny operation runs here, with
/// the panic caught and its message kept, so the user gets an error that names the device and the cause.
#[cfg(all(any(feature = "wgpu", feature = "cuda"), not(target_family = "wasm")))]
fn probe(choice: BackendChoice, device: Device) -> Result<Device> {
    use std::sync::{Arc, Mutex};
    let first_panic = Arc::new(Mutex::new(None::<String>));
    let slot = first_panic.clone();
    let previous_hook = std::panic::take_hook();
    // The first message is burn's device thread's, which says what is missing; ours only says it stopped.
    std::panic::set_hook(Box::new(move |info| {
        let mut first = slot.lock().unwrap_or_else(|e| e.into_inner());
        if first.is_none() {
            *first = Some(info.payload_as_str().unwrap_or("a panic without a message").to_string());
        }
    }));
    let answered = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        burn::tensor::Tensor::<1>::zeros([1], &device).into_data()
    }))
    .is_ok();
    std::panic::set_hook(previous_hook);
    if answered {
        return Ok(device);
    }
    let cause = first_panic.lock().unwrap_or_else(|e| e.into_inner()).take();
    Err(GapoError::Device {
        device: choice.name().into(),
        message: format!("it could not be started: {}", cause.unwrap_or_else(|| "no answer from the device".into())),
    })
}

/// Initialise the browser's WebGPU device (async: wasm cannot block on the adapter request).
#[cfg(all(feature = "webgpu", target_family = "wasm"))]
pub async fn init_webgpu() -> Result<Device> {
    Device::wgpu_options()
        .graphics_api(burn::tensor::wgpu::WgpuBackend::WebGpu)
        .init_async()
        .await
        .map_err(|e| GapoError::Device { device: "webgpu".into(), message: e.to_string() })
}

/// A one-line description of a device for logs and bug reports.
pub fn describe(choice: BackendChoice, device: &Device) -> String {
    format!("{} ({:?})", choice.name(), device)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_backend_names_and_rejects_unknown_ones() {
        assert_eq!("cpu".parse::<BackendChoice>().unwrap(), BackendChoice::Cpu);
        assert_eq!(" CUDA ".parse::<BackendChoice>().unwrap(), BackendChoice::Cuda);
        let err = "tpu".parse::<BackendChoice>().unwrap_err().to_string();
        assert!(err.contains("tpu") && err.contains("cpu, wgpu"), "{err}");
    }

    #[test]
    fn a_backend_missing_from_the_build_is_an_error_naming_the_feature() {
        for choice in BackendChoice::ALL {
            if !choice.compiled() {
                let err = device_for(choice).unwrap_err().to_string();
                assert!(err.contains(choice.name()), "{err}");
            }
        }
    }

    #[cfg(feature = "flex")]
    #[test]
    fn cpu_is_always_available() {
        assert!(BackendChoice::Cpu.compiled());
        assert!(device_for(BackendChoice::Cpu).is_ok());
    }
}
