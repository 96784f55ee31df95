//! Diagnostic: the products of the bench's discriminator step run three ways straight through gemm, with
//! times and whether their bits agree (the evidence for two patches in vendor/burn-flex `ops/matmul.rs`):
//! - weight gradients `Xᵀ·dY` (k = 2,048 tokens): gemm's own threading against one block of output rows or
//!   columns per thread, each single-threaded (`split_deep_product`);
//! - linear layers `[16, 128, i] × [i, o]`: one single-threaded gemm per batch (flex's batched loop) against
//!   one merged `[2048, i] × [i, o]` product (the batch merge), including shapes outside the merge's bounds.
//!     cargo run --release -p gapo-lab --bin gemm_split
#[path = "../common/timing.rs"]
mod timing;
use timing::median_ms;

fn values(seed: u32, n: usize) -> Vec<f32> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (s >> 8) as f32 / (1u32 << 24) as f32 - 0.5
        })
        .collect()
}

/// A matrix operand: its first element's address and its row and column strides.
#[derive(Clone, Copy)]
struct Operand {
    at: usize,
    rs: isize,
    cs: isize,
}

impl Operand {
    fn of(v: &[f32], rs: isize, cs: isize) -> Self {
        Operand { at: v.as_ptr() as usize, rs, cs }
    }
    /// The operand from row `r` (or, with `by_rows` false, column `r`) on.
    fn from(self, r: usize, by_rows: bool) -> Self {
        let step = if by_rows { self.rs } else { self.cs };
        Operand { at: self.at + (r as isize * step * 4) as usize, ..self }
    }
}

/// `out[m, n] (row-major, row stride out_rs) = lhs[m, k] × rhs[k, n]`.
fn product(m: usize, n: usize, k: usize, out: usize, out_rs: usize, lhs: Operand, rhs: Operand, p: gemm::Parallelism) {
    // SAFETY: the callers' buffers hold the m × n output at `out` and the operands with these strides.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            out as *mut f32,
            1,
            out_rs as isize,
            false,
            lhs.at as *const f32,
            lhs.cs,
            lhs.rs,
            rhs.at as *const f32,
            rhs.cs,
            rhs.rs,
            0.0,
            1.0,
            false,
            false,
            false,
            p,
        )
    }
}

/// The same product as `parts` blocks of output rows (`by_rows`) or columns, single-threaded, side by side.
#[allow(clippy::too_many_arguments)]
fn product_in_blocks(
    m: usize,
    n: usize,
    k: usize,
    out: usize,
    lhs: Operand,
    rhs: Operand,
    parts: usize,
    by_rows: bool,
) {
    let len = if by_rows { m } else { n };
    let step = len.div_ceil(parts);
    rayon::scope(|s| {
        for start in (0..len).step_by(step) {
            let size = step.min(len - start);
            s.spawn(move |_| {
                if by_rows {
                    let out = out + start * n * 4;
                    product(size, n, k, out, n, lhs.from(start, true), rhs, gemm::Parallelism::None);
                } else {
                    let out = out + start * 4;
                    product(m, size, k, out, n, lhs, rhs.from(start, false), gemm::Parallelism::None);
                }
            });
        }
    });
}

fn same_bits(a: &[f32], b: &[f32]) -> bool {
    a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
}

fn main() {
    gapo_core::host_memory::tune_host_allocator();
    let tokens = 2048;
    for (i, o) in [(128usize, 128usize), (128, 512), (512, 128)] {
        // X [tokens, i] and dY [tokens, o] row-major; Xᵀ is X read with row stride 1, column stride i.
        let (x, dy) = (values(1, tokens * i), values(2, tokens * o));
        let (lhs, rhs) = (Operand::of(&x, 1, i as isize), Operand::of(&dy, o as isize, 1));
        let (mut full, mut split) = (vec![0f32; i * o], vec![0f32; i * o]);
        let gflop = 2.0 * (tokens * i * o) as f64 / 1e6;
        let (fa, sa) = (full.as_mut_ptr() as usize, split.as_mut_ptr() as usize);
        let t = median_ms(|| product(i, o, tokens, fa, o, lhs, rhs, gemm::Parallelism::Rayon(0)));
        println!("dW [{i},{tokens}]x[{tokens},{o}]: gemm's threads {t:.3} ms ({:.0} GFLOP/s)", gflop / t);
        for (parts, by_rows) in [(2, false), (2, true), (4, false)] {
            let t = median_ms(|| product_in_blocks(i, o, tokens, sa, lhs, rhs, parts, by_rows));
            let how = if by_rows { "rows" } else { "columns" };
            let same = same_bits(&full, &split);
            println!("   {parts} blocks of {how}: {t:.3} ms ({:.0} GFLOP/s), same bits: {same}", gflop / t);
        }
    }
    for (b, t, i, o) in [
        (16usize, 128usize, 128usize, 128usize),
        (16, 128, 128, 512),
        (16, 128, 512, 128),
        (2, 5, 7, 3),
        (16, 1, 128, 384),
        (4, 40, 600, 30),
    ] {
        let (x, w) = (values(5, b * t * i), values(6, i * o));
        let (lhs, rhs) = (Operand::of(&x, i as isize, 1), Operand::of(&w, o as isize, 1));
        let (mut batched, mut merged) = (vec![0f32; b * t * o], vec![0f32; b * t * o]);
        let gflop = 2.0 * (b * t * i * o) as f64 / 1e6;
        let (ba, ma) = (batched.as_mut_ptr() as usize, merged.as_mut_ptr() as usize);
        let t_batched = median_ms(|| {
            rayon::scope(|s| {
                for batch in 0..b {
                    s.spawn(move |_| {
                        let out = ba + batch * t * o * 4;
                        product(t, o, i, out, o, lhs.from(batch * t, true), rhs, gemm::Parallelism::None)
                    });
                }
            })
        });
        let t_merged = median_ms(|| product(b * t, o, i, ma, o, lhs, rhs, gemm::Parallelism::Rayon(0)));
        println!(
            "[{b},{t},{i}]x[{i},{o}]: a gemm per batch {t_batched:.3} ms ({:.0} GFLOP/s), merged {t_merged:.3} ms ({:.0} GFLOP/s), same bits: {}",
            gflop / t_batched,
            gflop / t_merged,
            same_bits(&batched, &merged)
        );
    }
}
