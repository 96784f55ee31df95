//! The CPU backend's exp, softmax and GELU (value and gradient) against float64 references.
//!
//! vendor/burn-flex replaces the C library's `expf` and libm's `erff` with branch-free approximations so
//! that these loops vectorise (docs/upstream-flex.md). These tests hold the patched kernels to what the
//! exact functions give: exp within one ulp where e^x is a normal f32, softmax and GELU within 1e-6.

use burn::tensor::activation::{gelu, softmax};
use burn::tensor::{Device, Tensor, TensorData};

fn tensor(values: &[f32], device: &Device) -> Tensor<1> {
    Tensor::from_data(TensorData::new(values.to_vec(), [values.len()]), device)
}

fn read<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().convert::<f32>().try_into_vec::<f32>().unwrap()
}

/// Evenly spaced f32s from `from` (inclusive) to `to` (exclusive).
fn grid(from: f32, to: f32, step: f32) -> Vec<f32> {
    (0..).map(|i| from + i as f32 * step).take_while(|x| *x < to).collect()
}

/// The distance from `x` to the next f32 away from zero: one ulp.
fn ulp(x: f32) -> f64 {
    let next = f32::from_bits(x.abs().to_bits() + 1);
    (next - x.abs()) as f64
}

fn gelu_f64(x: f64) -> f64 {
    0.5 * x * (1.0 + libm::erf(x / std::f64::consts::SQRT_2))
}

fn gelu_grad_f64(x: f64) -> f64 {
    let pdf = (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt();
    0.5 * (1.0 + libm::erf(x / std::f64::consts::SQRT_2)) + x * pdf
}

#[test]
fn exp_is_within_one_ulp_where_the_result_is_a_normal_float() {
    let device = Device::flex();
    let xs = grid(-86.5, 88.72, 0.0137);
    let got = read(tensor(&xs, &device).exp());
    for (x, e) in xs.iter().zip(&got) {
        let want = (*x as f64).exp();
        assert!(((*e as f64) - want).abs() <= ulp(want as f32), "exp({x}) = {e}, want {want}");
    }
    let edges = read(tensor(&[f32::NEG_INFINITY, -100.0, 0.0, 89.0, f32::INFINITY, f32::NAN], &device).exp());
    assert_eq!(edges[0], 0.0, "exp(-inf)");
    assert!(edges[1] < 1e-37, "exp(-100) = {}", edges[1]);
    assert_eq!(edges[2], 1.0, "exp(0)");
    assert_eq!(edges[3], f32::INFINITY, "exp(89) overflows f32");
    assert_eq!(edges[4], f32::INFINITY, "exp(inf)");
    assert!(edges[5].is_nan(), "exp(NaN)");
}

#[test]
fn softmax_matches_float64_for_every_row_length_and_masks_exactly() {
    let device = Device::flex();
    // Row lengths below, at and between the SIMD widths (4, 8, 16 lanes), the last entry of each row masked
    // with -inf as attention masks do.
    for len in [1usize, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 96, 128] {
        let rows = 3;
        let mut values: Vec<f32> = (0..rows * len).map(|i| ((i * 37 % 101) as f32 - 50.0) / 7.0).collect();
        if len > 1 {
            for r in 0..rows {
                values[r * len + len - 1] = f32::NEG_INFINITY;
            }
        }
        let t = Tensor::<2>::from_data(TensorData::new(values.clone(), [rows, len]), &device);
        let got = read(softmax(t, 1));
        for (row, out) in values.chunks(len).zip(got.chunks(len)) {
            let max = row.iter().fold(f64::NEG_INFINITY, |m, &x| m.max(x as f64));
            let sum: f64 = row.iter().map(|&x| (x as f64 - max).exp()).sum();
            for (x, y) in row.iter().zip(out) {
                let want = (*x as f64 - max).exp() / sum;
                assert!(((*y as f64) - want).abs() < 1e-6, "len {len}: softmax gives {y}, want {want}");
            }
            if len > 1 {
                assert_eq!(out[len - 1], 0.0, "len {len}: a masked entry gets exactly 0");
            }
        }
    }
}

#[test]
fn gelu_and_its_gradient_match_the_exact_erf_formula() {
    let device = Device::flex().autodiff();
    let xs = grid(-9.0, 9.0, 0.00731);
    let x = tensor(&xs, &device).require_grad();
    let y = gelu(x.clone());
    let grads = y.clone().sum().backward();
    let dy = read(x.grad(&grads).expect("x has a gradient"));
    for ((x, y), dy) in xs.iter().zip(read(y)).zip(dy) {
        let (want, want_grad) = (gelu_f64(*x as f64), gelu_grad_f64(*x as f64));
        let tol = 1e-6 * (1.0 + want.abs());
        assert!(((y as f64) - want).abs() < tol, "gelu({x}) = {y}, want {want}");
        assert!(
            ((dy as f64) - want_grad).abs() < 1e-6 * (1.0 + want_grad.abs()),
            "gelu'({x}) = {dy}, want {want_grad}"
        );
    }
}
