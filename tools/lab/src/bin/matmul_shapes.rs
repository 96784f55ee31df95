//! Diagnostic: the CPU backend's time for each matmul shape of the bench preset's discriminator step
//! (batch 16 × 128 tokens, d 128, 4 heads), forward and backward.
//!     cargo run --release -p gapo-lab --bin matmul_shapes
use burn::tensor::{Device, Distribution, Tensor};
use futures_lite::future::block_on;
#[path = "../common/timing.rs"]
mod timing;
use timing::median_ms;

fn main() {
    gapo_core::host_memory::tune_host_allocator();
    let dev = Device::flex();
    let r3 = |s: [usize; 3]| Tensor::<3>::random(s, Distribution::Normal(0.0, 1.0), &dev);
    let r2 = |s: [usize; 2]| Tensor::<2>::random(s, Distribution::Normal(0.0, 1.0), &dev);
    let r4 = |s: [usize; 4]| Tensor::<4>::random(s, Distribution::Normal(0.0, 1.0), &dev);
    let sync3 = |t: Tensor<3>| {
        block_on(t.narrow(0, 0, 1).sum().into_data_async()).unwrap();
    };
    let sync2 = |t: Tensor<2>| {
        block_on(t.narrow(0, 0, 1).sum().into_data_async()).unwrap();
    };
    let sync4 = |t: Tensor<4>| {
        block_on(t.narrow(0, 0, 1).sum().into_data_async()).unwrap();
    };
    let mut total = 0.0;
    let mut row = |name: &str, flop: f64, ms: f64| {
        total += ms;
        println!("{name:<44} {ms:>8.3} ms {:>7.1} GFLOP/s", flop / ms / 1e6);
    };
    for (i, o) in [(128, 128), (128, 512), (512, 128)] {
        let x = r3([16, 128, i]);
        let w = r2([i, o]);
        let f = 2.0 * 2048.0 * i as f64 * o as f64;
        row(
            &format!("linear fwd [16,128,{i}]x[{i},{o}]"),
            f,
            median_ms(|| sync3(burn::tensor::module::linear(x.clone(), w.clone(), None))),
        );
        let dy = r3([16, 128, o]);
        row(
            &format!("linear dX  [16,128,{o}]x[{o},{i}]T"),
            f,
            median_ms(|| sync3(burn::tensor::module::linear(dy.clone(), w.clone().transpose(), None))),
        );
        let x2 = r2([2048, i]);
        let dy2 = r2([2048, o]);
        let x3 = r3([16, 128, i]);
        row(
            &format!("linear dW  batched [16,{i},128]x[16,128,{o}], summed"),
            f,
            median_ms(|| sync3(x3.clone().swap_dims(1, 2).matmul(dy.clone()).sum_dim(0))),
        );
        row(
            &format!("linear dW  [{i},2048]x[2048,{o}]"),
            f,
            median_ms(|| sync2(x2.clone().transpose().matmul(dy2.clone()))),
        );
    }
    let q = r4([16, 4, 128, 32]);
    let k = r4([16, 4, 128, 32]);
    let p = r4([16, 4, 128, 128]);
    let fa = 2.0 * 64.0 * 128.0 * 128.0 * 32.0;
    row("attn QK^T [64,128,32]x[64,32,128]", fa, median_ms(|| sync4(q.clone().matmul(k.clone().swap_dims(2, 3)))));
    row("attn PV   [64,128,128]x[64,128,32]", fa, median_ms(|| sync4(p.clone().matmul(k.clone()))));
    row("attn P^T dO [64,128,128]T x[64,128,32]", fa, median_ms(|| sync4(p.clone().swap_dims(2, 3).matmul(k.clone()))));
    println!("total {total:.2} ms");
}
