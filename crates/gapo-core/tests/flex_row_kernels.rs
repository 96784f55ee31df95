//! The row kernels burn-flex runs for autodiff operations while training on the CPU backend: layer norm's
//! forward and backward and softmax's backward, handed over by burn-autodiff (vendor/burn-autodiff
//! `ops/flex_fused.rs`; vendor/burn-flex `ops/layer_norm_train.rs`, `ops/softmax_train.rs`), one pass a row
//! instead of whole-tensor passes. They must give exactly the values of the tensor ops they replace, so
//! that no run's numbers change.
//!
//! The reference for layer norm is its decomposition written out with tensor ops on untracked tensors, op
//! by op as the autodiff operation ran it before: forward `μ = mean(x)`, `c = x − μ`,
//! `σ = sqrt(mean(c ⊙ c) + ε)`, `x̂ = c / σ`, `y = x̂ ⊙ γ + β`; backward, with `ĝ = g ⊙ γ`,
//! `dx = ((ĝ − mean(ĝ)) − x̂ ⊙ mean(ĝ ⊙ x̂)) / σ`, `dγ = Σ_rows g ⊙ x̂`, `dβ = Σ_rows g`. For softmax's
//! backward it is `dx = y ⊙ (g − Σ_last g ⊙ y)` as four tensor ops. Every comparison is on the bits.

use burn::tensor::activation::softmax;
use burn::tensor::module::layer_norm;
use burn::tensor::{Device, Tensor, TensorData};
use burn_flex::FlexTensor;
use burn_flex::ops::softmax_train::softmax_backward_last;

fn values(seed: u32, n: usize, scale: f32, shift: f32) -> Vec<f32> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            ((s >> 8) as f32 / (1u32 << 24) as f32 * 2.0 - 1.0) * scale + shift
        })
        .collect()
}

fn read<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().convert::<f32>().try_into_vec::<f32>().unwrap()
}

fn assert_bits_eq(got: &[f32], want: &[f32], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert_eq!(g.to_bits(), w.to_bits(), "{what}: element {i} is {g}, the decomposition gives {w}");
    }
}

/// Layer norm over the last dimension of `[b, t, d]` inputs, with and without β; forward and all three
/// gradients against the decomposition.
fn check(b: usize, t: usize, d: usize, with_beta: bool, seed: u32) {
    let device = Device::flex().autodiff();
    let plain = Device::flex();
    let eps = 1e-5;
    let n = b * t * d;
    // Rows with an offset and a spread, so that centring matters and the sums round.
    let x = values(seed, n, 3.0, 0.7);
    let gamma = values(seed + 1, d, 0.5, 1.0);
    let beta = values(seed + 2, d, 0.5, 0.0);
    let w = values(seed + 3, n, 1.0, 0.0); // the gradient that reaches y: d(Σ y ⊙ w)/dy = w exactly

    // Through the autodiff operation (the path training takes).
    let xt = Tensor::<3>::from_data(TensorData::new(x.clone(), [b, t, d]), &device).require_grad();
    let gt = Tensor::<1>::from_data(TensorData::new(gamma.clone(), [d]), &device).require_grad();
    let bt = Tensor::<1>::from_data(TensorData::new(beta.clone(), [d]), &device).require_grad();
    let wt = Tensor::<3>::from_data(TensorData::new(w.clone(), [b, t, d]), &device);
    let y = layer_norm(xt.clone(), gt.clone(), with_beta.then(|| bt.clone()), eps);
    let grads = (y.clone() * wt).sum().backward();
    let dx = read(xt.grad(&grads).unwrap());
    let dgamma = read(gt.grad(&grads).unwrap());

    // The decomposition, op by op, on untracked tensors.
    let xr = Tensor::<3>::from_data(TensorData::new(x, [b, t, d]), &plain);
    let gr = Tensor::<1>::from_data(TensorData::new(gamma, [d]), &plain).reshape([1, 1, d]);
    let br = Tensor::<1>::from_data(TensorData::new(beta, [d]), &plain).reshape([1, 1, d]);
    let wt = Tensor::<3>::from_data(TensorData::new(w, [b, t, d]), &plain);
    let mean = xr.clone().mean_dim(2);
    let centered = xr - mean;
    let var = (centered.clone() * centered.clone()).mean_dim(2);
    let denom = var.add_scalar(eps).sqrt();
    let normalized = centered / denom.clone();
    let scaled = normalized.clone() * gr.clone();
    let want_y = if with_beta { scaled + br } else { scaled };
    let g_hat = wt.clone() * gr;
    let mean_g = g_hat.clone().mean_dim(2);
    let mean_gx = (g_hat.clone() * normalized.clone()).mean_dim(2);
    let want_dx = ((g_hat - mean_g) - normalized.clone() * mean_gx) / denom;
    let want_dgamma = (wt.clone() * normalized).reshape([b * t, d]).sum_dim(0).reshape([d]);
    let want_dbeta = wt.reshape([b * t, d]).sum_dim(0).reshape([d]);

    let what = format!("[{b}, {t}, {d}], beta {with_beta}");
    assert_bits_eq(&read(y), &read(want_y), &format!("{what}: y"));
    assert_bits_eq(&dx, &read(want_dx), &format!("{what}: dx"));
    assert_bits_eq(&dgamma, &read(want_dgamma), &format!("{what}: dgamma"));
    if with_beta {
        assert_bits_eq(&read(bt.grad(&grads).unwrap()), &read(want_dbeta), &format!("{what}: dbeta"));
    }
}

#[test]
fn layer_norm_at_the_bench_shape_equals_the_decomposition() {
    // [16, 128, 128]: 256 Ki elements, split across threads in blocks of rows.
    check(16, 128, 128, true, 11);
    check(16, 128, 128, false, 21);
}

#[test]
fn layer_norm_at_small_and_ragged_shapes_equals_the_decomposition() {
    // One thread; rows shorter than a SIMD register, and not a multiple of one.
    check(3, 5, 7, true, 31);
    check(1, 1, 1, true, 41);
    check(2, 3, 130, false, 51);
    // Above the threshold with a ragged last block of rows: 1,031 rows of 67.
    check(1, 1031, 67, true, 61);
}

/// Softmax along the last dimension of `dims` under autodiff, loss `Σ y ⊙ w`: `dx` against the four
/// tensor ops of the closed form on untracked tensors (multiply, sum, subtract, multiply), bit for bit.
fn check_softmax(dims: [usize; 4], seed: u32) {
    let device = Device::flex().autodiff();
    let plain = Device::flex();
    let n: usize = dims.iter().product();
    let x = values(seed, n, 4.0, 0.0);
    let w = values(seed + 1, n, 1.0, 0.0);
    let xt = Tensor::<4>::from_data(TensorData::new(x.clone(), dims), &device).require_grad();
    let y = softmax(xt.clone(), 3);
    let grads = (y.clone() * Tensor::<4>::from_data(TensorData::new(w.clone(), dims), &device)).sum().backward();
    let dx = read(xt.grad(&grads).unwrap());

    let yr = softmax(Tensor::<4>::from_data(TensorData::new(x, dims), &plain), 3);
    let g = Tensor::<4>::from_data(TensorData::new(w, dims), &plain);
    let dot = (g.clone() * yr.clone()).sum_dim(3);
    let want_dx = yr.clone() * (g.clone() - dot);
    // The kernel itself, called directly: the autodiff comparison above would also hold if the operation
    // fell back to the four ops.
    let flex = |t: &Tensor<4>| FlexTensor::from_data(t.to_data());
    let kernel_dx = softmax_backward_last(&flex(&yr), &flex(&g)).expect("contiguous f32 rows take the kernel");
    let kernel_dx = kernel_dx.into_data().convert::<f32>().try_into_vec::<f32>().unwrap();
    let want_dx = read(want_dx);
    assert_bits_eq(&read(y), &read(yr), &format!("{dims:?}: y"));
    assert_bits_eq(&dx, &want_dx, &format!("{dims:?}: dx"));
    assert_bits_eq(&kernel_dx, &want_dx, &format!("{dims:?}: the kernel's dx"));
}

#[test]
fn softmax_backward_equals_the_four_tensor_ops() {
    // The bench's attention weights [16, 4, 128, 128]: 1 Mi elements, split across threads in blocks of rows.
    check_softmax([16, 4, 128, 128], 71);
    // One thread, short and ragged rows; above the threshold with a ragged last block (1,031 rows of 67).
    check_softmax([1, 2, 3, 5], 81);
    check_softmax([1, 1, 1, 1], 91);
    check_softmax([1, 1, 1031, 67], 101);
}
