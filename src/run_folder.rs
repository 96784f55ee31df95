//! A run folder, written and read in this one place: `run`, `train`, `resume`, `eval` and `generate` all
//! go through [`RunFolder`].
//!
//! ```text
//! config.json                the run config (as `gapo run --check` prints it)
//! sources.json               imported Hugging Face folders and a data file, when the run had them
//! metrics.jsonl              one line per step: step, phase, stage, probe, metrics
//! resume.bin                 the whole session (snapshot.rs), while the run is unfinished
//! tokenizer.json             the generator's tokenizer
//! generator.safetensors      the built-in generator, or
//! generator/                 an imported one, as a Hugging Face folder (config.json, model.safetensors, tokenizer.json)
//! discriminator.safetensors  the discriminator (GAPO, PPO with a fixed D)
//! samples.jsonl, curves.svg  the held-out answers with their verdicts; the learning curves
//! ```
//! Every file is written atomically (`atomic.rs`).

use crate::atomic::write_atomic;
use crate::sources::{DirSource, RunSources, SOURCES_FILE, task_from_file};
use anyhow::{Context, Result};
use burn::module::Module;
use burn::tensor::Device;
use gapo_core::checkpoint;
use gapo_core::hf::{self, DecoderSpec, HfDecoder, Weights};
use gapo_core::model::{DiscriminatorConfig, GeneratorConfig};
use gapo_core::players::{DiscriminatorModel, LanguageModel};
use gapo_core::session::{RunConfig, Session};
use gapo_core::task::{Example, TaskConfig, TaskData};
use gapo_core::tokenizer::GapoTokenizer;
use std::path::{Path, PathBuf};

pub const RESUME_FILE: &str = "resume.bin";
pub const METRICS_FILE: &str = "metrics.jsonl";

pub struct RunFolder {
    pub dir: PathBuf,
}

impl RunFolder {
    pub fn new(dir: &Path) -> Self {
        Self { dir: dir.to_path_buf() }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    fn label(&self, name: &str) -> String {
        self.path(name).display().to_string()
    }

    pub fn save(&self, name: &str, bytes: &[u8]) -> Result<()> {
        write_atomic(&self.path(name), bytes).with_context(|| format!("saving {}", self.label(name)))
    }

    pub fn read(&self, name: &str) -> Result<Vec<u8>> {
        std::fs::read(self.path(name))
            .with_context(|| format!("reading {} (is {} a run folder?)", self.label(name), self.dir.display()))
    }

    /// config.json, and sources.json when the run was started from more than its config.
    pub fn write_start(&self, config: &RunConfig, sources: &RunSources) -> Result<()> {
        self.save("config.json", serde_json::to_string_pretty(config)?.as_bytes())?;
        if sources.imported.is_some() || sources.data.is_some() {
            self.save(SOURCES_FILE, serde_json::to_string_pretty(sources)?.as_bytes())?;
        }
        Ok(())
    }

    pub fn read_config(&self) -> Result<RunConfig> {
        serde_json::from_slice(&self.read("config.json")?)
            .with_context(|| format!("{}: not a gapo run config", self.label("config.json")))
    }

    /// sources.json, or none (a run of the built-in models on the built-in task).
    pub fn read_sources(&self) -> Result<RunSources> {
        match std::fs::read(self.path(SOURCES_FILE)) {
            Ok(b) => serde_json::from_slice(&b)
                .with_context(|| format!("{}: not a gapo sources file", self.label(SOURCES_FILE))),
            Err(_) => Ok(RunSources::default()),
        }
    }

    /// The run's task again: its data file's, else the one its config generates.
    pub fn read_task(&self, config: &RunConfig, sources: &RunSources) -> Result<TaskData> {
        match &sources.data {
            Some(data) => task_from_file(data, config),
            None => Ok(TaskData::build(&TaskConfig { seed: config.seed, ..config.task.clone() })?),
        }
    }

    /// The final generator and its tokenizer: generator.safetensors with tokenizer.json, or the Hugging
    /// Face folder generator/ an imported run writes.
    pub fn load_generator(&self, sources: &RunSources, device: &Device) -> Result<(LanguageModel, GapoTokenizer)> {
        if let Some(imported) = &sources.imported {
            let source = DirSource(self.path("generator"));
            let config = hf::read_config(&source)?;
            let spec = DecoderSpec::from_config(&config)?;
            let mut generator = HfDecoder::load(&spec, &Weights::read(&source)?, device)?;
            generator.max_len = imported.max_len.min(spec.max_positions);
            let tokenizer = hf::tokenize::decoder_tokenizer(&source, &config)?;
            return Ok((LanguageModel::Hf(generator), tokenizer));
        }
        let tokenizer = GapoTokenizer::from_json(&self.read("tokenizer.json")?, &self.label("tokenizer.json"))?;
        let name = self.label("generator.safetensors");
        let bytes = self.read("generator.safetensors")?;
        let info = checkpoint::read_info(&bytes, &name)?;
        let config: GeneratorConfig =
            serde_json::from_str(&info.config_json).with_context(|| format!("{name}: bad gapo.config"))?;
        let generator = checkpoint::load_bytes(config.init(device), bytes, "generator", &name)?;
        Ok((generator.into(), tokenizer))
    }

    /// The built-in discriminator, when the run trained one. An imported encoder's D is not read back (it
    /// needs its folder's tokenizer): `None`, as for a run without D.
    pub fn load_discriminator(&self, sources: &RunSources, device: &Device) -> Result<Option<DiscriminatorModel>> {
        let name = self.label("discriminator.safetensors");
        let bytes = match std::fs::read(self.path("discriminator.safetensors")) {
            Ok(bytes) if sources.imported.is_none() => bytes,
            _ => return Ok(None),
        };
        let info = checkpoint::read_info(&bytes, &name)?;
        let config: DiscriminatorConfig =
            serde_json::from_str(&info.config_json).with_context(|| format!("{name}: bad gapo.config"))?;
        Ok(Some(checkpoint::load_bytes(config.init(device), bytes, "discriminator", &name)?.into()))
    }

    /// The models of a finished session: tokenizer.json, the generator (a Hugging Face folder for an
    /// imported one, written with `hf_config`, its config.json) and the discriminator. Returns what the
    /// generator was written as.
    pub fn write_models(&self, session: &Session, hf_config: Option<&serde_json::Value>) -> Result<&'static str> {
        let preset = session.config.model_preset()?;
        self.save("tokenizer.json", session.tokenizer.to_json()?.as_bytes())?;
        let written = match session.generator() {
            LanguageModel::Tiny(generator) => {
                let config = preset.generator_config(session.tokenizer.vocab_size());
                self.save(
                    "generator.safetensors",
                    &checkpoint::to_bytes(&generator, "generator", &serde_json::to_string(&config)?)?,
                )?;
                "generator.safetensors"
            }
            LanguageModel::Hf(generator) => {
                let hf_config = hf_config.context("an imported generator needs its config.json to be written back")?;
                let tokenizer_json = session.tokenizer.to_json()?;
                let files = futures_lite::future::block_on(hf::export::decoder_folder(
                    &generator,
                    hf_config,
                    tokenizer_json.as_bytes(),
                ))?;
                std::fs::create_dir_all(self.path("generator")).context("creating generator/")?;
                for (name, bytes) in files {
                    self.save(&format!("generator/{name}"), &bytes)?;
                }
                "generator/ (a Hugging Face folder)"
            }
        };
        if let Some(d) = session.discriminator() {
            // The model itself, not the enum around it: `load_discriminator` reads the built-in
            // discriminator by its own parameter names.
            let bytes = match &d.disc {
                DiscriminatorModel::Tiny(tiny) => {
                    let cfg = serde_json::to_string(&preset.discriminator_config(session.tokenizer.vocab_size()))?;
                    checkpoint::to_bytes(&tiny.valid(), "discriminator", &cfg)?
                }
                DiscriminatorModel::Hf(h) => {
                    checkpoint::to_bytes(&h.valid(), "discriminator", &serde_json::to_string(&h.encoder.spec)?)?
                }
            };
            self.save("discriminator.safetensors", &bytes)?;
        }
        Ok(written)
    }

    /// samples.jsonl: each held-out prompt with its response and every constraint's verdict.
    pub fn write_samples(&self, eval: &[Example], responses: &[String]) -> Result<()> {
        let samples: String = eval
            .iter()
            .zip(responses)
            .map(|(e, r)| {
                let verdicts: Vec<_> = e
                    .constraints
                    .iter()
                    .map(|c| serde_json::json!({"kind": c.kind().name(), "verdict": c.check(&e.product, r)}))
                    .collect();
                serde_json::json!({"prompt": e.prompt, "response": r, "constraints": verdicts}).to_string() + "\n"
            })
            .collect();
        self.save("samples.jsonl", samples.as_bytes())
    }

    /// The metrics logged before step `steps` (a resumed run keeps them and logs on from there).
    pub fn metrics_before(&self, steps: usize) -> Result<String> {
        let path = self.path(METRICS_FILE);
        let logged = std::fs::read_to_string(&path).unwrap_or_default();
        let mut kept = String::new();
        for (i, line) in logged.lines().enumerate() {
            let step = serde_json::from_str::<serde_json::Value>(line)
                .ok()
                .and_then(|v| v.get("step").and_then(|s| s.as_u64()))
                .with_context(|| format!("{}:{}: not a metrics line", path.display(), i + 1))?;
            if (step as usize) < steps {
                kept.push_str(line);
                kept.push('\n');
            }
        }
        Ok(kept)
    }
}
