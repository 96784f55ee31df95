//! The page's settings: every control, its config key, its default, and the URL hash that carries them
//! (`#algo=gapo&seed=7&stages=4`). Opening a link restores the settings; `<control>_hide=true` hides a
//! control; `backend=cpu` forces the CPU. A hash that cannot be used gives messages, never a blank page.

use gapo_core::session::RunConfig;

/// One control: URL key, label, config key (`--set` syntax) and the allowed values of a choice.
pub struct Control {
    pub key: &'static str,
    pub label: &'static str,
    pub config_key: &'static str,
    pub choices: &'static [&'static str],
}

pub const CONTROLS: [Control; 10] = [
    Control {
        key: "algo",
        label: "method",
        config_key: "algo",
        choices: &["gapo", "ppo", "ppo-oracle", "dpo", "kto", "sft"],
    },
    Control {
        key: "difficulty",
        label: "max constraints (k)",
        config_key: "task.k_max",
        choices: &["2", "3", "4", "5"],
    },
    Control { key: "preset", label: "model size", config_key: "preset", choices: &["tiny", "small"] },
    Control { key: "seed", label: "seed", config_key: "seed", choices: &[] },
    Control { key: "sft_steps", label: "SFT steps", config_key: "sft.steps", choices: &[] },
    Control { key: "stages", label: "stages", config_key: "gapo.stages", choices: &[] },
    Control { key: "actor_lr", label: "generator lr", config_key: "ppo.actor_lr", choices: &[] },
    Control { key: "disc_lr", label: "discriminator lr", config_key: "disc.lr", choices: &[] },
    Control { key: "kl_beta", label: "KL β", config_key: "ppo.kl.beta", choices: &[] },
    Control { key: "fake_share", label: "share of fakes", config_key: "gapo.fake_share", choices: &[] },
];

/// The run the page trains before any setting: the tiny preset on a small task, sized for a browser tab.
pub fn base_config() -> RunConfig {
    let mut c = RunConfig::default();
    c.task.n_train = 400;
    c.task.n_eval = 24;
    c.task.n_eval_in = 24;
    c.sft.steps = 200;
    c.gapo.stages = 3;
    c.gapo.rollouts_per_stage = 4;
    c.gapo.disc_items_per_stage = 64;
    c.gapo.probe_prompts = 16;
    c.disc.warmup_epochs = 1;
    c.pref.steps = 40;
    c.ppo.rollout_batch = 16;
    c.ppo.max_new_tokens = 40;
    c.eval.max_new_tokens = 40;
    c
}

/// The value of a control in `config`, as the page shows it.
pub fn value_of(config: &RunConfig, key: &str) -> String {
    match key {
        "algo" => serde_json::to_value(config.algo).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default(),
        "difficulty" => config.task.k_max.to_string(),
        "preset" => config.preset.clone(),
        "seed" => config.seed.to_string(),
        "sft_steps" => config.sft.steps.to_string(),
        "stages" => config.gapo.stages.to_string(),
        "actor_lr" => config.ppo.actor_lr.to_string(),
        "disc_lr" => config.disc.lr.to_string(),
        "kl_beta" => config.ppo.kl.beta().to_string(),
        "fake_share" => config.gapo.fake_share.to_string(),
        _ => String::new(),
    }
}

/// What a URL hash asks for.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HashState {
    pub config: Option<RunConfig>,
    pub hidden: Vec<String>,
    pub lesson: Option<String>,
    pub force_cpu: bool,
    /// Messages about parts of the hash that were not used.
    pub problems: Vec<String>,
}

/// Reads `#k=v&k=v` onto the base config. Each bad part is reported and skipped; the rest applies.
pub fn parse_hash(hash: &str) -> HashState {
    let mut state = HashState::default();
    let mut config = base_config();
    for part in hash.trim_start_matches('#').split('&').filter(|p| !p.is_empty()) {
        let Some((key, raw)) = part.split_once('=') else {
            state.problems.push(format!("`{part}` in the link is not key=value; ignored"));
            continue;
        };
        let value = decode(raw);
        if let Some(control) = key.strip_suffix("_hide") {
            if CONTROLS.iter().any(|c| c.key == control) && value == "true" {
                state.hidden.push(control.to_string());
            } else {
                state.problems.push(format!("`{part}` in the link hides no control; ignored"));
            }
            continue;
        }
        match key {
            "lesson" => state.lesson = Some(value),
            "backend" if value == "cpu" => state.force_cpu = true,
            "backend" => state.problems.push(format!("backend `{value}` in the link: only `cpu` can be forced")),
            _ => match CONTROLS.iter().find(|c| c.key == key) {
                None => state.problems.push(format!("unknown setting `{key}` in the link; ignored")),
                Some(c) if !c.choices.is_empty() && !c.choices.contains(&value.as_str()) => state
                    .problems
                    .push(format!("{} `{value}` in the link: expected one of {}", c.label, c.choices.join(", "))),
                Some(c) => {
                    let quoted = if c.choices.is_empty() { value.clone() } else { format!("\"{value}\"") };
                    match config.with_overrides(&[format!("{}={quoted}", c.config_key)]).and_then(|next| {
                        next.validate()?;
                        Ok(next)
                    }) {
                        Ok(next) => config = next,
                        Err(e) => state.problems.push(format!("{} `{value}` in the link: {e}", c.label)),
                    }
                }
            },
        }
    }
    state.config = Some(config);
    state
}

/// The hash that restores `config` (only the controls that differ from the page's base), plus the hidden
/// controls and the lesson.
pub fn to_hash(config: &RunConfig, hidden: &[String], lesson: Option<&str>) -> String {
    let base = base_config();
    let mut parts: Vec<String> = CONTROLS
        .iter()
        .filter(|c| value_of(config, c.key) != value_of(&base, c.key))
        .map(|c| format!("{}={}", c.key, value_of(config, c.key)))
        .collect();
    parts.extend(hidden.iter().map(|h| format!("{h}_hide=true")));
    if let Some(l) = lesson {
        parts.push(format!("lesson={l}"));
    }
    parts.join("&")
}

/// Percent-decoding of a hash value (`%20` → space, `+` → space).
fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = (b[i] == b'%' && i + 2 < b.len())
            .then(|| std::str::from_utf8(&b[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok()))
            .flatten();
        match hex {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(if b[i] == b'+' { b' ' } else { b[i] });
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_restores_settings_and_reports_bad_parts() {
        let s = parse_hash("#algo=ppo&seed=7&stages=5&kl_beta=0.05&seed_hide=true&lesson=kl");
        let c = s.config.unwrap();
        assert_eq!((value_of(&c, "algo").as_str(), c.seed, c.gapo.stages, c.ppo.kl.beta()), ("ppo", 7, 5, 0.05));
        assert_eq!((s.hidden, s.lesson), (vec!["seed".to_string()], Some("kl".to_string())));
        assert!(s.problems.is_empty(), "{:?}", s.problems);
        let again = parse_hash(&to_hash(&c, &[], None)).config.unwrap();
        assert_eq!(again, c);
        let bad = parse_hash("#algo=magic&seed=many&colour=red&junk&preset=tiny");
        assert_eq!(bad.problems.len(), 4, "{:?}", bad.problems);
        assert!(bad.problems.iter().any(|p| p.contains("magic") && p.contains("gapo")));
        assert!(bad.problems.iter().any(|p| p.contains("seed")));
        assert!(bad.problems.iter().any(|p| p.contains("unknown setting `colour`")));
        assert_eq!(bad.config.unwrap(), base_config());
        // Values out of their range are reported with the field and kept at the base setting.
        let out = parse_hash("#kl_beta=-3&stages=0&actor_lr=nan&fake_share=2");
        assert_eq!(out.problems.len(), 4, "{:?}", out.problems);
        for field in ["ppo.kl.beta", "gapo.stages", "ppo.actor_lr", "gapo.fake_share"] {
            assert!(out.problems.iter().any(|p| p.contains(field)), "{field}: {:?}", out.problems);
        }
        assert_eq!(out.config.unwrap(), base_config());
    }
}
