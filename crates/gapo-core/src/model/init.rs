//! Deterministic, backend-independent parameter values, keyed by each parameter's path in the module tree
//! (`blocks.0.attn.qkv.weight`). The PyTorch twin (`crates/gapo-core/tests/golden/make_golden.py`) computes
//! the same values from the same paths, so golden tests compare two implementations of one model, weight
//! for weight, without shipping weights. Also: reading every parameter (or its gradient) back by path.

use burn::module::{Module, ModuleMapper, ModuleVisitor, Param};
use burn::tensor::{Tensor, TensorData};

/// FNV-1a 64-bit hash of a parameter path.
pub fn fnv1a(path: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in path.bytes() {
        h ^= byte as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The value of element `i` (row-major, burn's logical shape) of the parameter at `path`:
/// `0.5·sin(0.7·i + phase)` with `phase = (fnv1a(path) mod 1000) / 100`; LayerNorm scales (`gamma`) are
/// `1 + 0.1·sin(..)` so activations keep their size.
pub fn golden_values(path: &str, numel: usize) -> Vec<f32> {
    let phase = (fnv1a(path) % 1000) as f64 / 100.0;
    let is_gamma = path.ends_with("gamma");
    (0..numel)
        .map(|i| {
            let s = (0.7 * i as f64 + phase).sin();
            (if is_gamma { 1.0 + 0.1 * s } else { 0.5 * s }) as f32
        })
        .collect()
}

#[derive(Default)]
struct PathStack(Vec<String>);

impl PathStack {
    fn path(&self) -> String {
        self.0.join(".")
    }
}

struct GoldenFiller(PathStack);

impl ModuleMapper for GoldenFiller {
    fn enter_module(&mut self, name: &str, _container_type: &str) {
        self.0.0.push(name.to_string());
    }
    fn exit_module(&mut self, _name: &str, _container_type: &str) {
        self.0.0.pop();
    }
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let path = self.0.path();
        param.map(|t| {
            let shape = t.shape();
            let device = t.device();
            let require_grad = t.is_require_grad();
            let data = TensorData::new(golden_values(&path, shape.num_elements()), shape);
            // A new tensor does not inherit require_grad from the one it replaces.
            let fresh = Tensor::<D>::from_data(data, &device);
            if require_grad { fresh.require_grad() } else { fresh }
        })
    }
}

/// Replaces every float parameter with [`golden_values`] for its path.
pub fn fill_golden<M: Module>(module: M) -> M {
    module.map(&mut GoldenFiller(PathStack::default()))
}

/// What [`collect_params`] reads for each parameter.
pub enum Read<'a> {
    Values,
    Gradients(&'a burn::tensor::Gradients),
}

struct Collector<'a> {
    stack: PathStack,
    read: Read<'a>,
    out: Vec<(String, Vec<usize>, Vec<f32>)>,
}

impl ModuleVisitor for Collector<'_> {
    fn enter_module(&mut self, name: &str, _container_type: &str) {
        self.stack.0.push(name.to_string());
    }
    fn exit_module(&mut self, _name: &str, _container_type: &str) {
        self.stack.0.pop();
    }
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let tensor = match &self.read {
            Read::Values => Some(param.val()),
            Read::Gradients(grads) => param.val().grad(grads),
        };
        if let Some(t) = tensor {
            let shape = t.dims().to_vec();
            // Native-only helper (tests, golden dumps): synchronous readback.
            let values = t.into_data().convert::<f32>().try_into_vec::<f32>().expect("f32 data");
            self.out.push((self.stack.path(), shape, values));
        }
    }
}

/// Every float parameter (or its gradient, where it has one) as `(path, shape, values)`, in module order.
/// Synchronous readback: for native tests and tools, not for the browser.
pub fn collect_params<M: Module>(module: &M, read: Read<'_>) -> Vec<(String, Vec<usize>, Vec<f32>)> {
    let mut collector = Collector { stack: PathStack::default(), read, out: Vec::new() };
    module.visit(&mut collector);
    collector.out
}

/// Draws every lazily initialised parameter of `module` now. burn initialises a parameter on its first
/// access, from the device's random stream at that moment; a model built when a run starts but first
/// touched later (D before its warm-up, a critic's fresh value head) would get weights that depend on what
/// touched it first. Before this, writing a checkpoint during SFT (which reads D's weights) changed the
/// rest of the run: the same seed gave different results with and without `--checkpoint-every`.
pub fn materialize<M: Module>(module: &M) {
    struct Touch;
    impl ModuleVisitor for Touch {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            let _ = param.val();
        }
        fn visit_int<const D: usize>(&mut self, param: &Param<Tensor<D, burn::tensor::Int>>) {
            let _ = param.val();
        }
        fn visit_bool<const D: usize>(&mut self, param: &Param<Tensor<D, burn::tensor::Bool>>) {
            let _ = param.val();
        }
    }
    module.visit(&mut Touch);
}
