//! The largest single buffers a run allocates on the device, from its config alone: what a WebGPU
//! adapter's `maxStorageBufferBindingSize` must hold. The page refuses a preset that needs more than the
//! adapter allows, with these numbers, instead of failing inside a kernel.

use crate::session::RunConfig;

/// One buffer: what it is and its size in bytes (f32).
#[derive(Clone, Debug, PartialEq)]
pub struct Buffer {
    pub what: String,
    pub bytes: u64,
}

/// The run's biggest buffers, largest first: embeddings, logits of the largest batch, attention scores.
pub fn largest_buffers(config: &RunConfig) -> crate::Result<Vec<Buffer>> {
    let preset = config.model_preset()?;
    let (v, g, d) = (preset.tokenizer.vocab_size as u64, &preset.generator, &preset.discriminator);
    let t = g.max_seq_len as u64;
    let batch = [config.sft.batch, config.ppo.rollout_batch, config.pref.batch, config.eval.batch]
        .into_iter()
        .max()
        .unwrap_or(1) as u64;
    let mut out = vec![
        Buffer { what: format!("generator embedding ({v} × {} floats)", g.d_model), bytes: v * g.d_model as u64 * 4 },
        Buffer { what: format!("logits of a batch ({batch} × {t} × {v} floats)"), bytes: batch * t * v * 4 },
        Buffer {
            what: format!("attention scores ({batch} × {} heads × {t} × {t} floats)", g.n_heads),
            bytes: batch * g.n_heads as u64 * t * t * 4,
        },
        Buffer {
            what: format!(
                "discriminator attention scores ({} × {} heads × {} × {} floats)",
                config.disc.batch, d.n_heads, d.max_seq_len, d.max_seq_len
            ),
            bytes: config.disc.batch as u64 * d.n_heads as u64 * (d.max_seq_len as u64).pow(2) * 4,
        },
    ];
    out.sort_by(|a, b| b.bytes.cmp(&a.bytes));
    Ok(out)
}

/// `Err` with the numbers when the largest buffer does not fit `max_binding` bytes.
pub fn check_fits(config: &RunConfig, max_binding: u64) -> crate::Result<()> {
    let largest = largest_buffers(config)?.into_iter().next().expect("at least one buffer");
    if largest.bytes > max_binding {
        let mb = |b: u64| b as f64 / 1e6;
        return Err(crate::GapoError::Config {
            field: "preset".into(),
            message: format!(
                "preset `{}` needs a {:.1} MB buffer for the {}, and this GPU allows {:.1} MB per buffer (maxStorageBufferBindingSize)",
                config.preset,
                mb(largest.bytes),
                largest.what,
                mb(max_binding)
            ),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tiny_preset_fits_a_128_mb_binding_and_a_tiny_limit_is_refused_with_numbers() {
        let config = RunConfig::default();
        let buffers = largest_buffers(&config).unwrap();
        assert!(buffers.windows(2).all(|w| w[0].bytes >= w[1].bytes));
        // WebGPU's guaranteed minimum for maxStorageBufferBindingSize is 128 MiB.
        check_fits(&config, 128 << 20).unwrap();
        let err = check_fits(&config, 1 << 20).unwrap_err().to_string();
        assert!(
            err.contains("MB buffer") && err.contains("1.0 MB") && err.contains("maxStorageBufferBindingSize"),
            "{err}"
        );
    }
}
