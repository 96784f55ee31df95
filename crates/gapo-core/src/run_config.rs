//! A run's configuration: the method, the model preset, the seed and every section's settings (task, SFT,
//! PPO, discriminator, GAPO, preference methods, evaluation). Read from a shipped preset, a TOML file, flags
//! and `--set key=value` overrides laid over one another, and checked against every field's range
//! (`config_ranges.rs`) before any work starts.

use crate::algo::discriminator::DiscConfig;
use crate::algo::gapo::GapoConfig;
use crate::algo::ppo_trainer::PpoConfig;
use crate::algo::preference::{PrefConfig, PrefMethod};
use crate::config::ModelPreset;
use crate::error::{GapoError, Result};
use crate::task::TaskConfig;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Algo {
    /// SFT only.
    Sft,
    /// SFT, then as many more SFT updates as the PPO methods make generator updates
    /// ([`RunConfig::generator_updates`]): the control that tells a method's gain from more training.
    SftContinued,
    /// Warm-up, then adversarial stages.
    Gapo,
    /// PPO against the warmed-up discriminator, never retrained (same data budget as GAPO).
    Ppo,
    /// PPO against the exact checker (instruction-level pass rate): the ceiling.
    PpoOracle,
    /// PPO against a decoder reward model trained by Bradley–Terry on the same pairs (encoder-vs-decoder).
    PpoDecoderRm,
    /// Offline preference methods on the task's pairs.
    Dpo,
    Ipo,
    Kto,
    Simpo,
    Orpo,
}

impl Algo {
    pub(crate) fn preference(self) -> Option<PrefMethod> {
        match self {
            Self::Dpo => Some(PrefMethod::Dpo),
            Self::Ipo => Some(PrefMethod::Ipo),
            Self::Kto => Some(PrefMethod::Kto),
            Self::Simpo => Some(PrefMethod::Simpo),
            Self::Orpo => Some(PrefMethod::Orpo),
            _ => None,
        }
    }
}

impl std::str::FromStr for Algo {
    type Err = GapoError;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "sft" => Ok(Self::Sft),
            "sft-continued" => Ok(Self::SftContinued),
            "gapo" => Ok(Self::Gapo),
            "ppo" => Ok(Self::Ppo),
            "ppo-oracle" => Ok(Self::PpoOracle),
            "ppo-decoder-rm" => Ok(Self::PpoDecoderRm),
            "dpo" => Ok(Self::Dpo),
            "ipo" => Ok(Self::Ipo),
            "kto" => Ok(Self::Kto),
            "simpo" => Ok(Self::Simpo),
            "orpo" => Ok(Self::Orpo),
            _ => Err(GapoError::Config {
                field: "algo".into(),
                message: format!(
                    "unknown or not yet available `{s}`; expected sft, sft-continued, gapo, ppo, ppo-oracle, ppo-decoder-rm, dpo, ipo, kto, simpo, orpo"
                ),
            }),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SftConfig {
    pub steps: usize,
    pub batch: usize,
    /// The peak learning rate.
    pub lr: f64,
    /// `constant`, or `cosine`: a linear warm-up over the first 5% of the steps, then a cosine decay to a
    /// tenth of `lr` at the last step (nanoGPT's schedule).
    pub schedule: LrSchedule,
}

/// How the SFT learning rate moves over its steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LrSchedule {
    Constant,
    Cosine,
}

impl SftConfig {
    /// The learning rate of SFT step `step` (0-based) of `self.steps`.
    pub fn lr_at(&self, step: usize) -> f64 {
        match self.schedule {
            LrSchedule::Constant => self.lr,
            LrSchedule::Cosine => {
                let warmup = (self.steps / 20).max(1);
                if step < warmup {
                    return self.lr * (step + 1) as f64 / warmup as f64;
                }
                let progress = (step - warmup) as f64 / (self.steps.saturating_sub(warmup + 1)).max(1) as f64;
                let floor = 0.1 * self.lr;
                floor + 0.5 * (self.lr - floor) * (1.0 + (std::f64::consts::PI * progress.min(1.0)).cos())
            }
        }
    }
}

impl Default for SftConfig {
    fn default() -> Self {
        Self { steps: 800, batch: 16, lr: 2e-3, schedule: LrSchedule::Constant }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EvalConfig {
    pub max_new_tokens: usize,
    pub batch: usize,
}

impl Default for EvalConfig {
    fn default() -> Self {
        Self { max_new_tokens: 48, batch: 32 }
    }
}

/// Everything a run depends on. One serde tree: a TOML file, CLI `--set` overrides and the page's URL
/// state all deserialise into it; unknown keys are errors.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RunConfig {
    pub algo: Algo,
    /// Model sizes: a preset name (tiny, small, bench).
    pub preset: String,
    pub seed: u64,
    pub task: TaskConfig,
    pub sft: SftConfig,
    pub ppo: PpoConfig,
    pub disc: DiscConfig,
    pub gapo: GapoConfig,
    pub pref: PrefConfig,
    pub eval: EvalConfig,
}

impl Default for RunConfig {
    fn default() -> Self {
        Self {
            algo: Algo::Gapo,
            preset: "tiny".into(),
            seed: 42,
            task: TaskConfig::default(),
            sft: SftConfig::default(),
            // The built-in task's run: OpenRLHF's PPO with a larger step for a tiny model, 4 samples a prompt
            // and RLOO's critic-free advantages (docs/learning.md: with the exact checker as the reward,
            // +5.0 points held-out prompt-level over five seeds against GAE's +3.1, and the first token's
            // kind, starts_with, +3.7 against −0.2), and 12 stages × 10 rollouts (the paper's dynamics
            // figure shows ≥ 12 stages). With 3 × 8 rollouts and no baseline neither GAPO nor PPO against
            // the checker moved the held-out pass rate.
            ppo: PpoConfig {
                actor_lr: 1e-4,
                samples_per_prompt: 4,
                leave_one_out_baseline: true,
                advantage: crate::algo::ppo_trainer::AdvantageEstimator::Rloo,
                ..PpoConfig::default()
            },
            disc: DiscConfig::default(),
            gapo: GapoConfig { stages: 12, rollouts_per_stage: 10, ..GapoConfig::default() },
            pref: PrefConfig::default(),
            eval: EvalConfig::default(),
        }
    }
}

/// Run presets shipped with the crate, by name: TOML files holding only the keys they change.
pub const RUN_PRESETS: [(&str, &str); 3] = [
    ("default", include_str!("../presets/runs/default.toml")),
    ("quick", include_str!("../presets/runs/quick.toml")),
    ("form", include_str!("../presets/runs/form.toml")),
];

impl RunConfig {
    /// A shipped run preset (`default`, `quick`, `form`).
    pub fn named(name: &str) -> Result<Self> {
        let (_, text) = RUN_PRESETS.iter().find(|(n, _)| *n == name).ok_or_else(|| GapoError::Config {
            field: "config".into(),
            message: format!(
                "unknown run preset `{name}`; shipped: {} (or give a path to a .toml file)",
                RUN_PRESETS.iter().map(|p| p.0).collect::<Vec<_>>().join(", ")
            ),
        })?;
        Self::from_toml(text, &format!("run preset {name}"))
    }

    /// Optimizer updates the PPO methods make to the generator: per rollout, `ppo.epochs` passes over
    /// `ppo.rollout_batch` rows in minibatches of `ppo.minibatch`.
    pub fn generator_updates(&self) -> usize {
        let p = &self.ppo;
        let per_rollout = p.epochs * p.rollout_batch.div_ceil(p.minibatch.max(1));
        (self.gapo.stages * self.gapo.rollouts_per_stage * per_rollout).max(1)
    }

    /// Checks the whole config before any work starts: every number against its range
    /// (`config_ranges.rs`), the model preset, the PPO and GAPO settings that depend on each other, and
    /// the answer lengths against the generator's context. Errors name the field.
    pub fn validate(&self) -> Result<()> {
        crate::config_ranges::check(self)?;
        let preset = self.model_preset()?;
        self.ppo.validate()?;
        self.gapo.validate()?;
        let context = preset.generator.max_seq_len;
        for (field, n) in
            [("ppo.max_new_tokens", self.ppo.max_new_tokens), ("eval.max_new_tokens", self.eval.max_new_tokens)]
        {
            if n >= context {
                return Err(GapoError::Config {
                    field: field.into(),
                    message: format!(
                        "is {n}; it must leave room for a prompt in the generator's context of {context} tokens \
                         (preset {})",
                        self.preset
                    ),
                });
            }
        }
        Ok(())
    }

    /// The model preset this run builds: the named one, with the run's `disc.pooling` if set.
    pub fn model_preset(&self) -> Result<ModelPreset> {
        let mut preset = ModelPreset::named(&self.preset)?;
        if let Some(pooling) = self.disc.pooling {
            preset.discriminator.pooling = pooling;
        }
        Ok(preset)
    }

    /// Parses a TOML run config; unknown keys and ill-typed values are errors naming the key.
    ///
    /// The file's keys are laid over the run defaults key by key: a `[ppo]` table that sets `actor_lr`
    /// keeps every other PPO setting of `RunConfig::default()` (deserialising the file on its own would
    /// give the other keys `PpoConfig::default()`'s values, which differ from the run's).
    pub fn from_toml(text: &str, source_name: &str) -> Result<Self> {
        let err = |e: String| GapoError::Config { field: source_name.into(), message: e.trim_end().into() };
        let file: toml::Table = toml::from_str(text).map_err(|e| err(e.to_string()))?;
        let mut tree = toml::Value::try_from(RunConfig::default()).expect("a run config always serialises");
        lay_over(&mut tree, toml::Value::Table(file));
        tree.try_into::<RunConfig>().map_err(|e| err(e.to_string()))
    }

    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("a run config always serialises")
    }

    /// Applies `key=value` overrides (`ppo.actor_lr=1e-4`, `gapo.stages=6`, `algo="ppo"`). The value is
    /// TOML; a bare word that is not TOML is taken as a string. Unknown keys fail and are named.
    pub fn with_overrides(&self, overrides: &[String]) -> Result<Self> {
        self.overlay(overrides).map_err(|e| match e {
            // Name the override without which the others deserialise: TOML names only the enclosing table
            // of a tagged variant such as `ppo.kl`.
            GapoError::Config { field, message } if field == "--set" => {
                let culprit = (0..overrides.len()).rev().find(|&i| {
                    let others: Vec<String> =
                        overrides.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, o)| o.clone()).collect();
                    self.overlay(&others).is_ok()
                });
                let field = culprit.map_or(field, |i| overrides[i].split('=').next().unwrap_or("").trim().into());
                GapoError::Config { field, message }
            }
            other => other,
        })
    }

    fn overlay(&self, overrides: &[String]) -> Result<Self> {
        // TOML's integers are i64: a seed above that (from `--seed`) cannot be laid out as a tree.
        for (field, seed) in [("seed", self.seed), ("task.seed", self.task.seed)] {
            if i64::try_from(seed).is_err() {
                return Err(GapoError::Config {
                    field: field.into(),
                    message: format!("is {seed}; it must be at most {}", i64::MAX),
                });
            }
        }
        let mut tree: toml::Value = toml::Value::try_from(self).expect("a run config with i64 seeds serialises");
        for item in overrides {
            let (key, raw) = item.split_once('=').ok_or_else(|| GapoError::Config {
                field: item.clone(),
                message: "an override is key=value, e.g. ppo.actor_lr=1e-4".into(),
            })?;
            let key = key.trim();
            let value: toml::Value = toml::from_str::<toml::Table>(&format!("v = {}", raw.trim()))
                .ok()
                .and_then(|mut t| t.remove("v"))
                .unwrap_or_else(|| toml::Value::String(raw.trim().to_string()));
            let parts: Vec<&str> = key.split('.').collect();
            set_path(&mut tree, &parts, value, key)?;
            if let Err(e) = tree.clone().try_into::<RunConfig>() {
                let message = e.to_string();
                if message.contains("unknown field") {
                    return Err(GapoError::Config {
                        field: key.into(),
                        message: format!("unknown key `{}`: {}", parts[parts.len() - 1], message.trim_end()),
                    });
                }
            }
        }
        tree.try_into::<RunConfig>()
            .map_err(|e| GapoError::Config { field: "--set".into(), message: e.to_string().trim_end().into() })
    }
}

/// Lays `over` onto `base` key by key. A table with a `kind` key (a tagged variant such as `ppo.kl`) is
/// taken whole, so that a new variant does not inherit the old one's fields.
fn lay_over(base: &mut toml::Value, over: toml::Value) {
    match (base, over) {
        (toml::Value::Table(b), toml::Value::Table(o)) if !o.contains_key("kind") => {
            for (k, v) in o {
                match b.get_mut(&k) {
                    Some(slot) => lay_over(slot, v),
                    None => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (slot, v) => *slot = v,
    }
}

fn set_path(node: &mut toml::Value, parts: &[&str], value: toml::Value, key: &str) -> Result<()> {
    let table = node
        .as_table_mut()
        .ok_or_else(|| GapoError::Config { field: key.into(), message: "is not inside a section".into() })?;
    if parts.len() == 1 && !table.contains_key(parts[0]) {
        // An optional setting left unset (`disc.pooling`) is absent from the tree; a key that is not a
        // setting at all is refused when the tree is read back (`with_overrides`).
        table.insert(parts[0].to_string(), value);
        return Ok(());
    }
    let child = table
        .get_mut(parts[0])
        .ok_or_else(|| GapoError::Config { field: key.into(), message: format!("unknown key `{}`", parts[0]) })?;
    if parts.len() == 1 {
        *child = value;
        Ok(())
    } else {
        set_path(child, &parts[1..], value, key)
    }
}
