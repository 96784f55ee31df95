//! Reference solution of exercise 4 (see `exercises/e4_gae.rs` for the text): the backward loop, on the
//! device, one column at a time.

use burn::tensor::Tensor;

pub fn gae(rewards: Tensor<2>, values: Tensor<2>, mask: Tensor<2>, gamma: f64, lambda: f64) -> (Tensor<2>, Tensor<2>) {
    let [b, n] = rewards.dims();
    let device = rewards.device();
    let rewards = rewards * mask.clone();
    let values = values * mask.clone();
    let col = |t: &Tensor<2>, i: usize| t.clone().narrow(1, i, 1); // [B, 1]
    let mut next_value = Tensor::<2>::zeros([b, 1], &device);
    let mut next_advantage = Tensor::<2>::zeros([b, 1], &device);
    let mut columns = Vec::with_capacity(n);
    for t in (0..n).rev() {
        let delta = col(&rewards, t) + next_value.mul_scalar(gamma) - col(&values, t);
        let advantage = delta + next_advantage.mul_scalar(gamma * lambda);
        columns.push(advantage.clone());
        next_advantage = advantage;
        next_value = col(&values, t);
    }
    columns.reverse();
    let advantages = Tensor::cat(columns, 1) * mask.clone();
    let returns = (advantages.clone() + values) * mask;
    (advantages, returns)
}
