//! Experiment: dW = Xᵀ·dY (K = 2048) through gemm's own threading against column halves run single-threaded
//! side by side. Prints times and whether the bits agree.
use std::time::Instant;

fn vals(seed: u32, n: usize) -> Vec<f32> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (s >> 8) as f32 / (1u32 << 24) as f32 - 0.5
        })
        .collect()
}

unsafe fn g(
    m: usize,
    n: usize,
    k: usize,
    out: *mut f32,
    out_rs: isize,
    lhs: *const f32,
    lhs_cs: isize,
    lhs_rs: isize,
    rhs: *const f32,
    rhs_cs: isize,
    rhs_rs: isize,
    p: gemm::Parallelism,
) {
    unsafe {
        gemm::gemm(
            m, n, k, out, 1, out_rs, false, lhs, lhs_cs, lhs_rs, rhs, rhs_cs, rhs_rs, 0.0, 1.0, false, false, false, p,
        )
    }
}

fn median(mut f: impl FnMut()) -> f64 {
    for _ in 0..5 {
        f();
    }
    let mut v: Vec<f64> = (0..40)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    gapo_core::host_memory::tune_host_allocator();
    let rows = 2048;
    for (i, o) in [(128usize, 128usize), (128, 512), (512, 128)] {
        let x = vals(1, rows * i); // [rows, i] row-major; lhs = xᵀ [i, rows]: element (a, r) at r*i + a
        let dy = vals(2, rows * o); // [rows, o]
        let mut full = vec![0f32; i * o];
        let mut split = vec![0f32; i * o];
        let flop = 2.0 * rows as f64 * i as f64 * o as f64;
        let t_full = median(|| unsafe {
            g(
                i,
                o,
                rows,
                full.as_mut_ptr(),
                o as isize,
                x.as_ptr(),
                i as isize,
                1,
                dy.as_ptr(),
                1,
                o as isize,
                gemm::Parallelism::Rayon(0),
            );
        });
        for parts in [2usize, 4, 8] {
            let t_split = median(|| {
                let base = split.as_mut_ptr() as usize;
                let (xp, dp) = (x.as_ptr() as usize, dy.as_ptr() as usize);
                let step = o / parts;
                rayon::scope(|s| {
                    for p in 0..parts {
                        s.spawn(move |_| unsafe {
                            let c0 = p * step;
                            g(
                                i,
                                step,
                                rows,
                                (base as *mut f32).add(c0),
                                o as isize,
                                xp as *const f32,
                                i as isize,
                                1,
                                (dp as *const f32).add(c0),
                                1,
                                o as isize,
                                gemm::Parallelism::None,
                            );
                        });
                    }
                });
            });
            let same = full.iter().zip(&split).all(|(a, b)| a.to_bits() == b.to_bits());
            println!(
                "dW [{i},{rows}]x[{rows},{o}]: gemm threads {t_full:.3} ms ({:.0} GFLOP/s), {parts} column parts {t_split:.3} ms ({:.0} GFLOP/s), bits equal: {same}",
                flop / t_full / 1e6,
                flop / t_split / 1e6
            );
        }
        // Rows split instead (m halves).
        let t_rows = median(|| {
            let base = split.as_mut_ptr() as usize;
            let (xp, dp) = (x.as_ptr() as usize, dy.as_ptr() as usize);
            let step = i / 2;
            rayon::scope(|s| {
                for p in 0..2 {
                    s.spawn(move |_| unsafe {
                        let r0 = p * step;
                        g(
                            step,
                            o,
                            rows,
                            (base as *mut f32).add(r0 * o),
                            o as isize,
                            (xp as *const f32).add(r0),
                            i as isize,
                            1,
                            dp as *const f32,
                            1,
                            o as isize,
                            gemm::Parallelism::None,
                        );
                    });
                }
            });
        });
        let same = full.iter().zip(&split).all(|(a, b)| a.to_bits() == b.to_bits());
        println!("   row halves {t_rows:.3} ms ({:.0} GFLOP/s), bits equal: {same}", flop / t_rows / 1e6);
    }

    // Forward and dX shapes: [2048, i] x [i, o], both row-major; rows split.
    for (i, o) in [(128usize, 128usize), (128, 512), (512, 128), (128, 1024)] {
        let x = vals(3, rows * i);
        let w = vals(4, i * o);
        let mut full = vec![0f32; rows * o];
        let mut split = vec![0f32; rows * o];
        let flop = 2.0 * rows as f64 * i as f64 * o as f64;
        let t_full = median(|| unsafe {
            g(
                rows,
                o,
                i,
                full.as_mut_ptr(),
                o as isize,
                x.as_ptr(),
                1,
                i as isize,
                w.as_ptr(),
                1,
                o as isize,
                gemm::Parallelism::Rayon(0),
            );
        });
        for parts in [2usize, 4] {
            let t_split = median(|| {
                let base = split.as_mut_ptr() as usize;
                let (xp, wp) = (x.as_ptr() as usize, w.as_ptr() as usize);
                let step = rows / parts;
                rayon::scope(|s| {
                    for p in 0..parts {
                        s.spawn(move |_| unsafe {
                            let r0 = p * step;
                            g(
                                step,
                                o,
                                i,
                                (base as *mut f32).add(r0 * o),
                                o as isize,
                                (xp as *const f32).add(r0 * i),
                                1,
                                i as isize,
                                wp as *const f32,
                                1,
                                o as isize,
                                gemm::Parallelism::None,
                            );
                        });
                    }
                });
            });
            let same = full.iter().zip(&split).all(|(a, b)| a.to_bits() == b.to_bits());
            println!(
                "fwd [{rows},{i}]x[{i},{o}]: gemm threads {t_full:.3} ms ({:.0} GFLOP/s), {parts} row parts {t_split:.3} ms ({:.0} GFLOP/s), bits equal: {same}",
                flop / t_full / 1e6,
                flop / t_split / 1e6
            );
        }
    }

    // Batches against one shared matrix: per-batch single-threaded gemm against one merged product.
    for (b, t, i, o) in [
        (2usize, 5usize, 7usize, 3usize),
        (16, 1, 128, 384),
        (4, 40, 600, 30),
        (16, 128, 600, 128),
        (16, 128, 128, 512),
        (8, 16, 32, 16),
    ] {
        let x = vals(5, b * t * i);
        let w = vals(6, i * o);
        let mut per = vec![0f32; b * t * o];
        let mut merged = vec![0f32; b * t * o];
        for bb in 0..b {
            unsafe {
                g(
                    t,
                    o,
                    i,
                    per.as_mut_ptr().add(bb * t * o),
                    o as isize,
                    x.as_ptr().add(bb * t * i),
                    1,
                    i as isize,
                    w.as_ptr(),
                    1,
                    o as isize,
                    gemm::Parallelism::None,
                )
            };
        }
        unsafe {
            g(
                b * t,
                o,
                i,
                merged.as_mut_ptr(),
                o as isize,
                x.as_ptr(),
                1,
                i as isize,
                w.as_ptr(),
                1,
                o as isize,
                gemm::Parallelism::Rayon(0),
            )
        };
        let same = per.iter().zip(&merged).all(|(a, c)| a.to_bits() == c.to_bits());
        println!("batched [{b},{t},{i}]x[{i},{o}] vs merged: bits equal: {same}");
    }
}
