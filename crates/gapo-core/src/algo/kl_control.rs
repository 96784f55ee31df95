//! KL coefficient control (Ziegler et al. 2019), as OpenRLHF's `FixedKLController` and
//! `AdaptiveKLController`:
//!
//! ```text
//! fixed:    β stays β₀
//! adaptive: e = clip(KL / target − 1, −0.2, 0.2);  β ← β · (1 + e · n / horizon)
//! ```
//! where KL is the measured mean KL of the last rollout and n the number of samples it had.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum KlController {
    Fixed { beta: f64 },
    Adaptive { beta: f64, target: f64, horizon: f64 },
}

impl KlController {
    pub fn beta(&self) -> f64 {
        match self {
            Self::Fixed { beta } | Self::Adaptive { beta, .. } => beta.max(0.0),
        }
    }

    /// Updates β after a rollout whose mean KL was `kl` over `n_samples` samples.
    pub fn update(&mut self, kl: f64, n_samples: usize) {
        if let Self::Adaptive { beta, target, horizon } = self {
            let error = (kl / *target - 1.0).clamp(-0.2, 0.2);
            *beta *= 1.0 + error * n_samples as f64 / *horizon;
        }
    }
}
