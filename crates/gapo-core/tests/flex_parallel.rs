//! The CPU backend's element-wise loops split across threads and widened to AVX2/AVX-512 at run time
//! (vendor/burn-flex `par_map`, `zip::par_zip_*`, the lower threshold of its SIMD kernels) give exactly the
//! values of the plain scalar expression, element by element.
//!
//! Every tensor here is above the 64 Ki-element threshold at which a loop is split, and its shape leaves a
//! ragged last chunk. The references are computed one element at a time in this file, so any difference
//! in grouping, order or rounding (an FMA where the expression has none, a chunk written twice or not at
//! all, a broadcast offset off by one row) fails `assert_eq!` on the bits.

use burn::tensor::activation::gelu;
use burn::tensor::{Device, Tensor, TensorData};
use burn_flex::ops::unary::erf_f32;

const ROWS: usize = 301;
const COLS: usize = 1_000; // 301,000 elements: about 18 tasks of 16 Ki, the last one partial

fn values(seed: u32, n: usize) -> Vec<f32> {
    // A small LCG: reproducible, spread over [-6, 6), no two neighbours alike.
    let mut s = seed;
    (0..n)
        .map(|_| {
            s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (s >> 8) as f32 / (1u32 << 24) as f32 * 12.0 - 6.0
        })
        .collect()
}

fn matrix(seed: u32, rows: usize, cols: usize, device: &Device) -> Tensor<2> {
    Tensor::from_data(TensorData::new(values(seed, rows * cols), [rows, cols]), device)
}

fn read<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().convert::<f32>().try_into_vec::<f32>().unwrap()
}

fn assert_bits_eq(got: &[f32], want: &[f32], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert_eq!(g.to_bits(), w.to_bits(), "{what}: element {i} is {g}, the scalar expression gives {w}");
    }
}

#[test]
fn gelu_over_threads_and_wide_lanes_equals_the_scalar_expression() {
    let device = Device::flex();
    let x = values(1, ROWS * COLS);
    let want: Vec<f32> = x.iter().map(|&v| 0.5 * v * (1.0 + erf_f32(v / std::f32::consts::SQRT_2))).collect();
    let t = matrix(1, ROWS, COLS, &device);
    // In place (the tensor is uniquely owned) and into a new buffer (a second handle keeps it shared).
    assert_bits_eq(&read(gelu(t.clone())), &want, "gelu, shared input");
    assert_bits_eq(&read(gelu(t)), &want, "gelu, in place");
}

#[test]
fn same_shape_binary_ops_equal_the_scalar_expression() {
    let device = Device::flex();
    let (a, b) = (values(2, ROWS * COLS), values(3, ROWS * COLS));
    let (ta, tb) = (matrix(2, ROWS, COLS, &device), matrix(3, ROWS, COLS, &device));
    let zip = |f: fn(f32, f32) -> f32| a.iter().zip(&b).map(|(&x, &y)| f(x, y)).collect::<Vec<_>>();
    assert_bits_eq(&read(ta.clone() + tb.clone()), &zip(|x, y| x + y), "add");
    assert_bits_eq(&read(ta.clone() - tb.clone()), &zip(|x, y| x - y), "sub");
    assert_bits_eq(&read(ta.clone() * tb.clone()), &zip(|x, y| x * y), "mul");
    assert_bits_eq(&read(ta.clone() / tb.clone()), &zip(|x, y| x / y), "div");
    // A closure op with no SIMD kernel (the generic path): max_pair goes through `binary_op`.
    assert_bits_eq(&read(ta.clone().max_pair(tb.clone())), &zip(f32::max), "max_pair");
    // Scalar ops, in place and shared.
    let scaled: Vec<f32> = a.iter().map(|&x| x * 0.37).collect();
    assert_bits_eq(&read(ta.clone().mul_scalar(0.37)), &scaled, "mul_scalar, shared");
    assert_bits_eq(&read(ta.mul_scalar(0.37)), &scaled, "mul_scalar, in place");
}

#[test]
fn broadcast_binary_ops_equal_the_scalar_expression() {
    let device = Device::flex();
    let (m, row, col) = (values(4, ROWS * COLS), values(5, COLS), values(6, ROWS));
    let tm = matrix(4, ROWS, COLS, &device);
    let trow = matrix(5, 1, COLS, &device); // [1, C]: one value per column, shared by every row
    let tcol = matrix(6, ROWS, 1, &device); // [R, 1]: one value per row
    let plus_row: Vec<f32> = m.iter().enumerate().map(|(i, &x)| x + row[i % COLS]).collect();
    let minus_col: Vec<f32> = m.iter().enumerate().map(|(i, &x)| x - col[i / COLS]).collect();
    let col_over: Vec<f32> = m.iter().enumerate().map(|(i, &x)| col[i / COLS] / x).collect();
    // Shared dense operand: a new buffer (`par_zip_map`).
    assert_bits_eq(&read(tm.clone() + trow.clone()), &plus_row, "[R, C] + [1, C], shared");
    assert_bits_eq(&read(tm.clone() - tcol.clone()), &minus_col, "[R, C] - [R, 1], shared");
    // The broadcast operand on the left, the dense one on the right.
    assert_bits_eq(&read(tcol.clone() / tm.clone()), &col_over, "[R, 1] / [R, C], shared");
    // Uniquely owned dense operand: written in place (`par_zip_apply_inplace`).
    assert_bits_eq(&read(tm.clone().mul_scalar(1.0) + trow), &plus_row, "[R, C] + [1, C], in place");
    assert_bits_eq(&read(tcol / tm.clone().mul_scalar(1.0)), &col_over, "[R, 1] / [R, C], in place on the right");
    // A transposed (strided) operand against a dense one: the general inner loop.
    let tt = matrix(7, COLS, ROWS, &device).transpose(); // [R, C] with strides (1, R)
    let t_vals = values(7, ROWS * COLS);
    let plus_t: Vec<f32> = m.iter().enumerate().map(|(i, &x)| x + t_vals[(i % COLS) * ROWS + i / COLS]).collect();
    assert_bits_eq(&read(tm.clone() + tt.clone()), &plus_t, "[R, C] + transposed, shared");
    assert_bits_eq(&read(tm.mul_scalar(1.0) + tt), &plus_t, "[R, C] + transposed, in place");
}

#[test]
fn a_rank_three_broadcast_splits_along_its_first_dimension_correctly() {
    // [B, T, D] + [D] (a linear layer's bias) and [B, H, T, S] + [B, 1, 1, S] (an attention mask), the
    // bench shapes' layouts at a size above the threshold.
    let device = Device::flex();
    let (b, t, d) = (7, 97, 131);
    let x = values(8, b * t * d);
    let bias = values(9, d);
    let tx = Tensor::<3>::from_data(TensorData::new(x.clone(), [b, t, d]), &device);
    let tbias = Tensor::<1>::from_data(TensorData::new(bias.clone(), [d]), &device);
    let want: Vec<f32> = x.iter().enumerate().map(|(i, &v)| v + bias[i % d]).collect();
    assert_bits_eq(&read(tx.clone() + tbias.clone().reshape([1, 1, d])), &want, "[B, T, D] + [1, 1, D], shared");
    assert_bits_eq(&read(tx.mul_scalar(1.0) + tbias.reshape([1, 1, d])), &want, "[B, T, D] + [1, 1, D], in place");

    let (h, s) = (3, 61);
    let scores = values(10, b * h * t * s);
    let mask = values(11, b * s);
    let tscores = Tensor::<4>::from_data(TensorData::new(scores.clone(), [b, h, t, s]), &device);
    let tmask = Tensor::<4>::from_data(TensorData::new(mask.clone(), [b, 1, 1, s]), &device);
    let want: Vec<f32> = scores.iter().enumerate().map(|(i, &v)| v + mask[(i / (h * t * s)) * s + i % s]).collect();
    assert_bits_eq(&read(tscores.clone() + tmask.clone()), &want, "[B, H, T, S] + [B, 1, 1, S], shared");
    assert_bits_eq(&read(tscores.mul_scalar(1.0) + tmask), &want, "[B, H, T, S] + [B, 1, 1, S], in place");
}

#[test]
fn sums_split_across_threads_equal_the_single_threaded_sums() {
    // Rows of a large matrix summed in one call (split by rows across threads) against each row summed
    // alone (one row is far below the threshold, so it runs on one thread); columns likewise, against
    // blocks of 8 columns summed alone. Both must agree bit for bit: the split only decides which thread
    // sums a row or a column, not the order of its additions.
    let device = Device::flex();
    let m = matrix(12, ROWS, COLS, &device);
    let by_row = read(m.clone().sum_dim(1));
    for r in 0..ROWS {
        let alone = read(m.clone().narrow(0, r, 1).sum_dim(1));
        assert_eq!(by_row[r].to_bits(), alone[0].to_bits(), "row {r}: {} against {}", by_row[r], alone[0]);
    }
    let by_col = read(m.clone().sum_dim(0));
    for c0 in (0..COLS).step_by(8) {
        let alone = read(m.clone().narrow(1, c0, 8).sum_dim(0));
        for (j, a) in alone.iter().enumerate() {
            assert_eq!(by_col[c0 + j].to_bits(), a.to_bits(), "column {}: {} against {a}", c0 + j, by_col[c0 + j]);
        }
    }
    // And the mean, which layer norm takes over the last dimension.
    let means = read(m.clone().mean_dim(1));
    let sums = read(m.sum_dim(1).div_scalar(COLS as f64));
    assert_bits_eq(&means, &sums, "mean_dim(1) against sum_dim(1) / n");
}

/// `[m, k] × [k, n]` into a new row-major `[m, n]` as one single-threaded gemm call, each operand given as
/// (elements, row stride, column stride): the reference for the CPU backend's deep-product split and batch
/// merge (vendor/burn-flex `ops/matmul.rs`), which must give the same bits.
fn gemm_single_threaded(
    m: usize,
    n: usize,
    k: usize,
    lhs: (&[f32], isize, isize),
    rhs: (&[f32], isize, isize),
) -> Vec<f32> {
    let mut out = vec![0f32; m * n];
    // SAFETY: the callers' strides address only elements inside the two slices (checked by the test
    // shapes), and `out` holds m × n elements.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            out.as_mut_ptr(),
            1,
            n as isize,
            false,
            lhs.0.as_ptr(),
            lhs.2,
            lhs.1,
            rhs.0.as_ptr(),
            rhs.2,
            rhs.1,
            0.0,
            1.0,
            false,
            false,
            false,
            gemm::Parallelism::None,
        )
    };
    out
}

#[test]
fn weight_gradients_split_across_threads_equal_one_single_threaded_gemm() {
    let device = Device::flex();
    // The discriminator step's three weight-gradient shapes (2,048 tokens), then ragged ones: split by
    // columns (o > i) and by rows (i > o) with a short last block.
    for (rows, i, o) in [(2048, 128, 128), (2048, 128, 512), (2048, 512, 128), (1000, 100, 150), (999, 150, 100)] {
        let (x, dy) = (values(10 + i as u32, rows * i), values(20 + o as u32, rows * o));
        // Xᵀ is X [rows, i] read with row stride 1 and column stride i.
        let want = gemm_single_threaded(i, o, rows, (&x, 1, i as isize), (&dy, o as isize, 1));
        let xt = Tensor::<2>::from_data(TensorData::new(x, [rows, i]), &device);
        let dyt = Tensor::<2>::from_data(TensorData::new(dy, [rows, o]), &device);
        let got = read(xt.transpose().matmul(dyt));
        assert_bits_eq(&got, &want, &format!("Xᵀ·dY, X [{rows}, {i}], dY [{rows}, {o}]"));
    }
}

#[test]
fn a_batch_against_one_shared_matrix_equals_one_single_threaded_gemm_per_batch() {
    // `[B, T, i] × [1, i, o]` (a linear layer as burn runs it, and its input gradient against the
    // transposed weight) is merged into one `[B·T, i] × [i, o]` product by the CPU backend; the reference
    // is what it ran before: each batch's `[T, i] × [i, o]` as its own single-threaded gemm.
    // The last three stay batched (gemm's small kernels, a matrix-vector product per batch, a depth of
    // more than 512); the test holds there too.
    let device = Device::flex();
    for (b, t, i, o, transposed) in [
        (16, 128, 128, 512, false),
        (16, 128, 512, 128, true),
        (3, 37, 50, 70, false),
        (2, 5, 7, 3, true),
        (16, 1, 128, 384, false),
        (4, 40, 600, 30, false),
    ] {
        let x = values(30 + i as u32, b * t * i);
        // The shared matrix is stored [i, o], or [o, i] and used transposed (a strided view).
        let w = values(40 + o as u32, i * o);
        let (w_rs, w_cs) = if transposed { (1, i as isize) } else { (o as isize, 1) };
        let want: Vec<f32> = (0..b)
            .flat_map(|batch| gemm_single_threaded(t, o, i, (&x[batch * t * i..], i as isize, 1), (&w, w_rs, w_cs)))
            .collect();
        let xt = Tensor::<3>::from_data(TensorData::new(x, [b, t, i]), &device);
        // Transposed as autodiff's matmul backward does it: a view of the stored `[1, o, i]`.
        let wt = if transposed {
            Tensor::<3>::from_data(TensorData::new(w, [1, o, i]), &device).swap_dims(1, 2)
        } else {
            Tensor::<3>::from_data(TensorData::new(w, [1, i, o]), &device)
        };
        let got = read(xt.matmul(wt));
        assert_bits_eq(&got, &want, &format!("[{b}, {t}, {i}] × [1, {i}, {o}], transposed {transposed}"));
    }
}
