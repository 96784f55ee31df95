//! Softmax, log-softmax and layer norm under autodiff, value and gradient, against float64 references.
//!
//! vendor/burn-autodiff makes each of them one autodiff operation with a closed-form backward (upstream
//! 0.22.1 runs the backend trait's decomposition through autodiff, docs/upstream-autodiff.md), and
//! vendor/burn-flex adds a fused log-softmax. The references are the textbook formulas (PyTorch's
//! `softmax`, `log_softmax` and `layer_norm` and their gradients) in f64; the loss is `Σ y ⊙ w` with a
//! fixed random `w`, so the gradient checked is a full vector-Jacobian product, not just a column sum.
//! The last test checks the gradient of a matmul whose right operand every batch shares (a linear layer),
//! which vendor/burn-autodiff computes as one product over all rows.

use burn::tensor::activation::{log_softmax, softmax};
use burn::tensor::module::layer_norm;
use burn::tensor::{Device, Tensor, TensorData};

/// A fixed pseudo-random vector in [-scale, scale) (an LCG, so the test needs no RNG state).
fn values(n: usize, seed: u64, scale: f32) -> Vec<f32> {
    let mut s = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    (0..n)
        .map(|_| {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((s >> 40) as f32 / (1u64 << 24) as f32 * 2.0 - 1.0) * scale
        })
        .collect()
}

fn tensor<const D: usize>(v: &[f32], shape: [usize; D], device: &Device) -> Tensor<D> {
    Tensor::from_data(TensorData::new(v.to_vec(), shape), device)
}

fn read<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().convert::<f32>().try_into_vec::<f32>().unwrap()
}

fn assert_close(what: &str, got: &[f32], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(((*g as f64) - w).abs() <= tol * (1.0 + w.abs()), "{what}[{i}] = {g}, want {w}");
    }
}

/// Rows of the last dimension, in f64.
fn rows(v: &[f32], len: usize) -> Vec<Vec<f64>> {
    v.chunks(len).map(|r| r.iter().map(|&x| x as f64).collect()).collect()
}

fn softmax_row(x: &[f64]) -> Vec<f64> {
    let m = x.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = x.iter().map(|v| (v - m).exp()).collect();
    let s: f64 = e.iter().sum();
    e.iter().map(|v| v / s).collect()
}

/// Softmax along rows of `len` and its vector-Jacobian product with `ws`, `dx = y ⊙ (w − Σ w ⊙ y)`, in f64.
fn softmax_reference(xs: &[f32], ws: &[f32], len: usize) -> (Vec<f64>, Vec<f64>) {
    let (mut y, mut dx) = (vec![], vec![]);
    for (x_row, w_row) in rows(xs, len).iter().zip(rows(ws, len)) {
        let p = softmax_row(x_row);
        let dot: f64 = p.iter().zip(&w_row).map(|(p, w)| p * w).sum();
        dx.extend(p.iter().zip(&w_row).map(|(p, w)| p * (w - dot)));
        y.extend(p);
    }
    (y, dx)
}

// Row lengths around the eight-lane loops (7, 8, 9) and the shapes the models use (128 keys, a 1024-token
// vocabulary); the last is long enough that the flex kernels run several rayon tasks.
const SHAPES: [(usize, usize); 4] = [(3, 7), (5, 9), (4, 8), (130, 128)];

#[test]
fn softmax_value_and_gradient_match_float64() {
    let device = Device::flex().autodiff();
    for (n_rows, len) in SHAPES {
        let xs = values(n_rows * len, len as u64, 6.0);
        let ws = values(n_rows * len, 7 + len as u64, 1.0);
        let x = tensor(&xs, [n_rows, len], &device).require_grad();
        let y = softmax(x.clone(), 1);
        let grads = (y.clone() * tensor(&ws, [n_rows, len], &device)).sum().backward();
        let (want_y, want_dx) = softmax_reference(&xs, &ws, len);
        assert_close(&format!("softmax {n_rows}x{len}"), &read(y), &want_y, 1e-6);
        assert_close(&format!("d softmax {n_rows}x{len}"), &read(x.grad(&grads).unwrap()), &want_dx, 1e-5);
    }
}

#[test]
fn softmax_along_a_middle_dimension_and_with_masked_keys() {
    // Attention's shape [B, H, T, S] with -inf on masked keys, and a softmax over dim 1 of a [2, 5, 3].
    let device = Device::flex().autodiff();
    let mut xs = values(2 * 6 * 6, 3, 4.0);
    for (i, x) in xs.iter_mut().enumerate() {
        if i % 6 > (i / 6) % 6 {
            *x = f32::NEG_INFINITY; // causal: key j > query i is hidden
        }
    }
    let ws = values(xs.len(), 4, 1.0);
    let x = tensor(&xs, [1, 2, 6, 6], &device).require_grad();
    let y = softmax(x.clone(), 3);
    let grads = (y.clone() * tensor(&ws, [1, 2, 6, 6], &device)).sum().backward();
    let (want_y, want_dx) = softmax_reference(&xs, &ws, 6);
    let got_y = read(y);
    assert_close("masked softmax", &got_y, &want_y, 1e-6);
    assert!(got_y.iter().zip(&xs).all(|(y, x)| *x != f32::NEG_INFINITY || *y == 0.0), "masked keys get 0");
    assert_close("d masked softmax", &read(x.grad(&grads).unwrap()), &want_dx, 1e-5);

    let xs = values(30, 5, 3.0);
    let ws = values(30, 6, 1.0);
    let x = tensor(&xs, [2, 5, 3], &device).require_grad();
    let y = softmax(x.clone(), 1);
    let grads = (y.clone() * tensor(&ws, [2, 5, 3], &device)).sum().backward();
    let (got_y, got_dx) = (read(y), read(x.grad(&grads).unwrap()));
    for b in 0..2 {
        for c in 0..3 {
            let at = |k: usize| b * 15 + k * 3 + c;
            let p = softmax_row(&(0..5).map(|k| xs[at(k)] as f64).collect::<Vec<_>>());
            let dot: f64 = (0..5).map(|k| p[k] * ws[at(k)] as f64).sum();
            for k in 0..5 {
                assert!((got_y[at(k)] as f64 - p[k]).abs() < 1e-6, "softmax dim 1 at {b},{k},{c}");
                let dx = p[k] * (ws[at(k)] as f64 - dot);
                assert!((got_dx[at(k)] as f64 - dx).abs() < 1e-5, "d softmax dim 1 at {b},{k},{c}");
            }
        }
    }
}

#[test]
fn log_softmax_value_and_gradient_match_float64() {
    let device = Device::flex().autodiff();
    for (n_rows, len) in SHAPES.into_iter().chain([(6, 1024)]) {
        let xs = values(n_rows * len, 11 + len as u64, 8.0);
        let ws = values(n_rows * len, 13 + len as u64, 1.0);
        let x = tensor(&xs, [n_rows, len], &device).require_grad();
        let y = log_softmax(x.clone(), 1);
        let grads = (y.clone() * tensor(&ws, [n_rows, len], &device)).sum().backward();
        let (mut want_y, mut want_dx) = (vec![], vec![]);
        for (x_row, w_row) in rows(&xs, len).iter().zip(rows(&ws, len)) {
            let p = softmax_row(x_row);
            let total: f64 = w_row.iter().sum();
            want_dx.extend(p.iter().zip(&w_row).map(|(p, w)| w - p * total));
            want_y.extend(p.iter().map(|p| p.ln()));
        }
        assert_close(&format!("log_softmax {n_rows}x{len}"), &read(y), &want_y, 1e-6);
        assert_close(&format!("d log_softmax {n_rows}x{len}"), &read(x.grad(&grads).unwrap()), &want_dx, 1e-5);
    }
    // Along a dimension other than the last (the decomposition's path in flex), without autodiff.
    let plain = Device::flex();
    let xs = values(24, 17, 5.0);
    let y = read(log_softmax(tensor(&xs, [2, 4, 3], &plain), 1));
    for b in 0..2 {
        for c in 0..3 {
            let at = |k: usize| b * 12 + k * 3 + c;
            let p = softmax_row(&(0..4).map(|k| xs[at(k)] as f64).collect::<Vec<_>>());
            for k in 0..4 {
                assert!((y[at(k)] as f64 - p[k].ln()).abs() < 1e-6, "log_softmax dim 1 at {b},{k},{c}");
            }
        }
    }
}

#[test]
fn layer_norm_value_and_gradients_match_float64() {
    let device = Device::flex().autodiff();
    let eps = 1e-5;
    for (n_rows, d, with_beta) in [(6, 7, true), (32, 128, true), (4, 16, false)] {
        let xs: Vec<f32> = values(n_rows * d, d as u64, 3.0).iter().map(|v| v + 0.5).collect();
        let gs: Vec<f32> = values(d, 21, 1.0).iter().map(|v| 1.0 + v).collect();
        let bs = values(d, 23, 0.5);
        let ws = values(n_rows * d, 29, 1.0);
        let x = tensor(&xs, [2, n_rows / 2, d], &device).require_grad();
        let gamma = tensor(&gs, [d], &device).require_grad();
        let beta = tensor(&bs, [d], &device).require_grad();
        let y = layer_norm(x.clone(), gamma.clone(), with_beta.then(|| beta.clone()), eps);
        let grads = (y.clone() * tensor(&ws, [2, n_rows / 2, d], &device)).sum().backward();

        let (mut want_y, mut want_dx) = (vec![], vec![]);
        let (mut want_dgamma, mut want_dbeta) = (vec![0.0; d], vec![0.0; d]);
        for (x_row, w_row) in rows(&xs, d).iter().zip(rows(&ws, d)) {
            let mean = x_row.iter().sum::<f64>() / d as f64;
            let var = x_row.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / d as f64;
            let sigma = (var + eps).sqrt();
            let xhat: Vec<f64> = x_row.iter().map(|v| (v - mean) / sigma).collect();
            let ghat: Vec<f64> = w_row.iter().zip(&gs).map(|(w, g)| w * *g as f64).collect();
            let mean_g = ghat.iter().sum::<f64>() / d as f64;
            let mean_gx = ghat.iter().zip(&xhat).map(|(g, x)| g * x).sum::<f64>() / d as f64;
            for j in 0..d {
                let b = if with_beta { bs[j] as f64 } else { 0.0 };
                want_y.push(xhat[j] * gs[j] as f64 + b);
                want_dx.push((ghat[j] - mean_g - xhat[j] * mean_gx) / sigma);
                want_dgamma[j] += w_row[j] * xhat[j];
                want_dbeta[j] += w_row[j];
            }
        }
        let what = format!("layer_norm {n_rows}x{d} beta {with_beta}");
        assert_close(&what, &read(y), &want_y, 1e-5);
        assert_close(&format!("dx {what}"), &read(x.grad(&grads).unwrap()), &want_dx, 1e-4);
        assert_close(&format!("dgamma {what}"), &read(gamma.grad(&grads).unwrap()), &want_dgamma, 1e-4);
        match beta.grad(&grads) {
            Some(dbeta) if with_beta => assert_close(&format!("dbeta {what}"), &read(dbeta), &want_dbeta, 1e-4),
            None if !with_beta => {}
            other => panic!("{what}: beta gradient {:?}", other.map(read)),
        }
    }
}

#[test]
fn layer_norm_module_trains_through_the_fused_operation() {
    // burn::nn::LayerNorm reaches the same operation: its gamma and beta get the gradients above.
    use burn::nn::LayerNormConfig;
    let device = Device::flex().autodiff();
    let ln = LayerNormConfig::new(8).init(&device);
    let xs = values(24, 31, 2.0);
    let ws = values(24, 37, 1.0);
    let x = tensor(&xs, [3, 8], &device).require_grad();
    let grads = (ln.forward(x) * tensor(&ws, [3, 8], &device)).sum().backward();
    let dbeta = read(ln.beta.as_ref().unwrap().val().grad(&grads).expect("beta has a gradient"));
    let want: Vec<f64> = (0..8).map(|j| (0..3).map(|r| ws[r * 8 + j] as f64).sum()).collect();
    assert_close("LayerNorm dbeta", &dbeta, &want, 1e-5);
    assert!(ln.gamma.val().grad(&grads).is_some(), "gamma has a gradient");
}

/// `x [.., m, i] × w [1.., i, o]` (the weight shared by every batch, as in a linear layer) under
/// autodiff, loss `Σ y ⊙ g`: `dw = Σ_rows xᵀ g` and `dx = g wᵀ` against f64, for rank 3 and rank 4.
/// vendor/burn-autodiff computes `dw` as one `[i, rows] × [rows, o]` product instead of one product per
/// batch summed afterwards; on flex its bits are exactly those of that 2-D product, which pins the path.
/// A right operand with a batch of its own (attention's products) keeps the per-batch gradient.
#[test]
fn matmul_gradient_of_a_shared_right_operand_is_one_product_over_all_rows() {
    let device = Device::flex().autodiff();
    for (lhs_shape, rhs_batch) in
        [(vec![4usize, 40, 24], vec![1usize]), (vec![2, 3, 33, 20], vec![1, 1]), (vec![3, 20, 24], vec![3])]
    {
        let rank = lhs_shape.len();
        let (m, i, o) = (lhs_shape[rank - 2], lhs_shape[rank - 1], 17usize);
        let batches: usize = lhs_shape[..rank - 2].iter().product();
        let rows = batches * m;
        let shared = rhs_batch.iter().product::<usize>() == 1;
        let w_batches = if shared { 1 } else { batches };
        let (xs, ws, gs) = (values(rows * i, 21, 1.0), values(w_batches * i * o, 22, 1.0), values(rows * o, 23, 1.0));
        let mut rhs_shape = rhs_batch.clone();
        rhs_shape.extend([i, o]);
        let mut out_shape = lhs_shape[..rank - 1].to_vec();
        out_shape.push(o);
        let data = |v: &[f32], shape: &[usize]| TensorData::new(v.to_vec(), shape.to_vec());
        let (dx, dw) = if rank == 3 {
            let x = Tensor::<3>::from_data(data(&xs, &lhs_shape), &device).require_grad();
            let w = Tensor::<3>::from_data(data(&ws, &rhs_shape), &device).require_grad();
            let grads =
                (x.clone().matmul(w.clone()) * Tensor::<3>::from_data(data(&gs, &out_shape), &device)).sum().backward();
            (read(x.grad(&grads).unwrap()), read(w.grad(&grads).unwrap()))
        } else {
            let x = Tensor::<4>::from_data(data(&xs, &lhs_shape), &device).require_grad();
            let w = Tensor::<4>::from_data(data(&ws, &rhs_shape), &device).require_grad();
            let grads =
                (x.clone().matmul(w.clone()) * Tensor::<4>::from_data(data(&gs, &out_shape), &device)).sum().backward();
            (read(x.grad(&grads).unwrap()), read(w.grad(&grads).unwrap()))
        };
        // f64 references: batch b of x, g uses w's batch b (or the one shared batch).
        let (mut want_dw, mut want_dx) = (vec![0f64; w_batches * i * o], vec![0f64; rows * i]);
        for r in 0..rows {
            let wb = if shared { 0 } else { r / m };
            for a in 0..i {
                for c in 0..o {
                    let (x, g, w) = (xs[r * i + a] as f64, gs[r * o + c] as f64, ws[wb * i * o + a * o + c] as f64);
                    want_dw[wb * i * o + a * o + c] += x * g;
                    want_dx[r * i + a] += g * w;
                }
            }
        }
        let what = format!("{lhs_shape:?} x {rhs_shape:?}");
        assert_close(&format!("dw {what}"), &dw, &want_dw, 1e-4);
        assert_close(&format!("dx {what}"), &dx, &want_dx, 1e-4);
        if shared {
            let plain = Device::flex();
            let x2 = Tensor::<2>::from_data(TensorData::new(xs.clone(), [rows, i]), &plain);
            let g2 = Tensor::<2>::from_data(TensorData::new(gs.clone(), [rows, o]), &plain);
            let one_product = read(x2.transpose().matmul(g2));
            let same = dw.iter().zip(&one_product).all(|(a, b)| a.to_bits() == b.to_bits());
            assert!(same, "dw {what}: not the bits of the one [i, rows] x [rows, o] product");
        }
    }
}
