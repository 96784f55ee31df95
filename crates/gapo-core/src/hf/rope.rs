//! Rotary position embeddings as Llama and Qwen2 apply them in transformers: the head dimension is split
//! in two halves (not interleaved pairs), `x' = x·cos + rotate_half(x)·sin` with
//! `rotate_half([a, b]) = [-b, a]`, and frequency `θ^(-2i/d)` for `i < d/2`.

use burn::tensor::{Int, Tensor, TensorData};

/// `cos` and `sin` for each position, `[B, 1, T, Dh]`, broadcast over heads.
/// `positions`: `[B, T]` Int; `theta`: the base (`rope_theta`).
pub fn cos_sin(positions: Tensor<2, Int>, head_dim: usize, theta: f64) -> (Tensor<4>, Tensor<4>) {
    let [b, t] = positions.dims();
    let half = head_dim / 2;
    let device = positions.device();
    // Computed as transformers does (f32 exponent i·2/d, then θ^·), so the angles agree to the last bit
    // that matters at these positions.
    let inv_freq: Vec<f32> = (0..half).map(|i| 1.0 / (theta as f32).powf((2 * i) as f32 / head_dim as f32)).collect();
    let inv_freq = Tensor::<1>::from_data(TensorData::new(inv_freq, [half]), &device).reshape([1, 1, half]);
    let freqs = positions.float().reshape([b, t, 1]) * inv_freq; // [B, T, Dh/2]
    let angles = Tensor::cat(vec![freqs.clone(), freqs], 2).reshape([b, 1, t, head_dim]); // [B, 1, T, Dh]
    (angles.clone().cos(), angles.sin())
}

/// Rotates queries or keys. `x`: `[B, H, T, Dh]`; `cos`, `sin`: `[B, 1, T, Dh]`. Returns `[B, H, T, Dh]`.
pub fn apply(x: Tensor<4>, cos: Tensor<4>, sin: Tensor<4>) -> Tensor<4> {
    let [b, h, t, dh] = x.dims();
    let half = dh / 2;
    let first = x.clone().narrow(3, 0, half);
    let second = x.clone().narrow(3, half, half);
    let rotated = Tensor::cat(vec![second.neg(), first], 3); // [B, H, T, Dh]
    debug_assert_eq!(rotated.dims(), [b, h, t, dh]);
    x * cos + rotated * sin
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::Device;

    #[test]
    fn position_zero_is_the_identity_and_rotation_keeps_the_norm() {
        let device = Device::flex();
        let x = Tensor::<4>::random([1, 2, 3, 8], burn::tensor::Distribution::Normal(0.0, 1.0), &device);
        let pos = Tensor::<2, Int>::from_data(TensorData::new(vec![0i64, 5, 17], [1, 3]), &device);
        let (cos, sin) = cos_sin(pos, 8, 10_000.0);
        let y = apply(x.clone(), cos, sin);
        let (xv, yv) = (x.to_data().try_to_vec::<f32>().unwrap(), y.to_data().try_to_vec::<f32>().unwrap());
        // Position 0 (the first 8 values of each head) is unchanged.
        for head in 0..2 {
            let at = head * 24;
            assert!(xv[at..at + 8].iter().zip(&yv[at..at + 8]).all(|(a, b)| (a - b).abs() < 1e-6));
        }
        // Each rotation keeps the vector's length.
        for row in 0..6 {
            let n = |v: &[f32]| v[row * 8..row * 8 + 8].iter().map(|a| a * a).sum::<f32>();
            assert!((n(&xv) - n(&yv)).abs() < 1e-4);
        }
    }
}
