//! Gradient clipping by the global norm over all parameters of a module, as DeepSpeed / OpenRLHF
//! (`max_norm`) and `torch.nn.utils.clip_grad_norm_` do: `g ← g · min(1, max_norm / (‖g‖₂ + 1e-6))`.
//! burn's own `GradientClipping::Norm` clips each parameter tensor separately, which is a different rule.

use burn::module::{Module, ModuleVisitor, Param};
use burn::optim::GradientsParams;
use burn::tensor::Tensor;

struct SumSquares<'a> {
    grads: &'a GradientsParams,
    total: Option<Tensor<1>>,
}

impl ModuleVisitor for SumSquares<'_> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        if let Some(g) = self.grads.get::<D>(param.id) {
            let s = g.powf_scalar(2.0).sum();
            self.total = Some(match self.total.take() {
                Some(t) => t + s,
                None => s,
            });
        }
    }
}

struct Scale<'a> {
    grads: &'a mut GradientsParams,
    factor: Tensor<1>,
}

impl ModuleVisitor for Scale<'_> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        if let Some(g) = self.grads.remove::<D>(param.id) {
            let factor = self.factor.clone().reshape([1usize; D]);
            self.grads.register::<D>(param.id, g * factor);
        }
    }
}

/// Scales `grads` so their global L2 norm is at most `max_norm`; returns them and the norm before
/// clipping (`[1]`, on the device). `max_norm <= 0` turns clipping off.
pub fn clip_global_norm<M: Module>(
    module: &M,
    mut grads: GradientsParams,
    max_norm: f64,
) -> (GradientsParams, Option<Tensor<1>>) {
    let mut sum = SumSquares { grads: &grads, total: None };
    module.visit(&mut sum);
    let Some(total) = sum.total else {
        return (grads, None);
    };
    let norm = total.sqrt();
    if max_norm > 0.0 {
        let factor = norm.clone().add_scalar(1e-6).recip().mul_scalar(max_norm).clamp_max(1.0);
        module.visit(&mut Scale { grads: &mut grads, factor });
    }
    (grads, Some(norm))
}
