//! A whole session as one byte blob, for `train --resume`: the run config, where the step machine stands,
//! the host RNG, every model and every optimizer state. Restoring it and stepping on gives the same weights
//! and metrics as never stopping (same seed, same device), because `Session::step` reseeds the backend's
//! RNG from (seed, step) before each step, so no hidden random state crosses a step boundary.
//!
//! Modules are written as burn records (burnpack), which keep each parameter's `ParamId`: the optimizer
//! states are keyed by those ids, so the restored Adam moments land on the right parameters.
//!
//! Layout: `GAPOSNAP2\n`, the FNV-1a 64 checksum of everything after it (u64 little-endian), the header
//! length (u64 little-endian), the header (JSON: the session's plain state and the list of blobs with
//! their lengths), then the blobs back to back. The checksum is checked before anything is read: one
//! changed byte anywhere changes it (each FNV-1a step is a bijection of the running hash).

use crate::algo::decoder_rm::RewardModelTrainer;
use crate::algo::discriminator::{DiscTrainer, Labelled};
use crate::algo::kl_control::KlController;
use crate::algo::ppo_trainer::PpoLearner;
use crate::error::{GapoError, Result};
use crate::players::{LanguageModel, ScoredDecoder};
use crate::rng::SplitMix64;
use crate::session::{RunConfig, Session, State};
use crate::task::EvalReport;
use crate::tokenizer::GapoTokenizer;
use burn::module::Module;
use burn::optim::ModuleOptimizer;
use burn::store::ModuleRecord;
use burn::tensor::{Bytes, Device};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

const MAGIC: &[u8] = b"GAPOSNAP2\n";
/// The layout before the checksum.
const MAGIC_WITHOUT_CHECKSUM: &[u8] = b"GAPOSNAP1\n";

/// FNV-1a, 64 bits.
fn checksum(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3))
}

/// The session's plain (non-tensor) state.
#[derive(Serialize, Deserialize)]
struct Header {
    config: RunConfig,
    state: State,
    /// The discriminator phase's rows, when the snapshot is taken inside one.
    disc_rows: Vec<Labelled>,
    rng: SplitMix64,
    steps: usize,
    kl: Option<KlController>,
    sft_eval: Option<EvalReport>,
    final_eval: Option<EvalReport>,
    blobs: Vec<(String, usize)>,
    /// Imported models / a data file's task: the restore must be handed them again.
    #[serde(default)]
    imported: bool,
    #[serde(default)]
    task_from_data: bool,
}

fn module_bytes<M: Module>(module: &M, what: &str) -> Result<Vec<u8>> {
    let bytes = module.clone().into_record().into_bytes().map_err(|e| GapoError::Checkpoint {
        source_name: format!("<snapshot {what}>"),
        message: format!("cannot serialise: {e}"),
    })?;
    Ok(bytes.to_vec())
}

fn optim_bytes(optim: &ModuleOptimizer, what: &str) -> Result<Vec<u8>> {
    let bytes = optim.into_bytes().map_err(|e| GapoError::Checkpoint {
        source_name: format!("<snapshot {what}>"),
        message: format!("cannot serialise the optimizer: {e}"),
    })?;
    Ok(bytes.to_vec())
}

/// The blobs of a snapshot being read, each taken once by name.
struct Blobs {
    source_name: String,
    map: BTreeMap<String, Vec<u8>>,
    /// Whether optimizer states are loaded (else they are dropped and start fresh).
    optimizers: bool,
}

impl Blobs {
    fn err(&self, message: String) -> GapoError {
        GapoError::Checkpoint { source_name: self.source_name.clone(), message }
    }

    fn has(&self, name: &str) -> bool {
        self.map.contains_key(name)
    }

    fn take(&mut self, name: &str) -> Result<Vec<u8>> {
        self.map.remove(name).ok_or_else(|| self.err(format!("has no `{name}` part")))
    }

    fn module<M: Module>(&mut self, module: M, name: &str) -> Result<M> {
        let bytes = self.take(name)?;
        let record = ModuleRecord::from_bytes(Bytes::from_bytes_vec(bytes))
            .map_err(|e| self.err(format!("part `{name}` is not a burn record: {e}")))?;
        module.try_load_record(record).map_err(|e| self.err(format!("part `{name}` does not fit the model: {e}")))
    }

    fn optim(&mut self, optim: ModuleOptimizer, name: &str) -> Result<ModuleOptimizer> {
        let bytes = self.take(name)?;
        if !self.optimizers {
            return Ok(optim);
        }
        optim
            .from_bytes(Bytes::from_bytes_vec(bytes))
            .map_err(|e| self.err(format!("part `{name}` is not an optimizer state: {e}")))
    }
}

impl Session {
    /// The whole session as bytes (see the module doc). Taken between steps.
    pub fn snapshot(&self) -> Result<Vec<u8>> {
        let mut blobs: Vec<(String, Vec<u8>)> = vec![("tokenizer".into(), self.tokenizer.to_json()?.into_bytes())];
        let mut put = |name: &str, bytes: Vec<u8>| blobs.push((name.to_string(), bytes));
        if let Some(g) = &self.sft_generator {
            put("sft_generator", module_bytes(g, "sft_generator")?);
        }
        put("sft_optim", optim_bytes(&self.sft_optim, "sft_optim")?);
        if let Some(g) = &self.pref_reference {
            put("pref_reference", module_bytes(g, "pref_reference")?);
        }
        if let Some(l) = &self.learner {
            put("policy", module_bytes(&l.policy, "policy")?);
            put("reference", module_bytes(&l.reference, "reference")?);
            put("critic", module_bytes(&l.critic, "critic")?);
            put("actor_optim", optim_bytes(&l.actor_optim, "actor_optim")?);
            put("critic_optim", optim_bytes(&l.critic_optim, "critic_optim")?);
        }
        if let Some(d) = &self.disc {
            put("disc", module_bytes(&d.disc, "disc")?);
            put("disc_optim", optim_bytes(&d.optim, "disc_optim")?);
        }
        if let Some(r) = &self.reward_model {
            put("reward_model", module_bytes(&r.rm, "reward_model")?);
            put("reward_model_optim", optim_bytes(&r.optim, "reward_model_optim")?);
        }
        let header = Header {
            config: self.config.clone(),
            state: self.state.clone(),
            disc_rows: self.disc_rows.clone(),
            rng: self.rng.clone(),
            steps: self.steps,
            kl: self.learner.as_ref().map(|l| l.kl.clone()),
            sft_eval: self.sft_eval.clone(),
            final_eval: self.final_eval.clone(),
            blobs: blobs.iter().map(|(n, b)| (n.clone(), b.len())).collect(),
            imported: self.imported,
            task_from_data: self.task_from_data,
        };
        let header = serde_json::to_vec(&header).map_err(|e| GapoError::Checkpoint {
            source_name: "<snapshot>".into(),
            message: format!("cannot serialise the header: {e}"),
        })?;
        let mut out =
            Vec::with_capacity(MAGIC.len() + 16 + header.len() + blobs.iter().map(|b| b.1.len()).sum::<usize>());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&[0; 8]);
        out.extend_from_slice(&(header.len() as u64).to_le_bytes());
        out.extend_from_slice(&header);
        for (_, b) in &blobs {
            out.extend_from_slice(b);
        }
        let sum = checksum(&out[MAGIC.len() + 8..]);
        out[MAGIC.len()..MAGIC.len() + 8].copy_from_slice(&sum.to_le_bytes());
        Ok(out)
    }

    /// The step count stored in a snapshot, without restoring it (to trim logs to the resume point).
    pub fn snapshot_steps(bytes: &[u8], source_name: &str) -> Result<usize> {
        Ok(read_header(bytes, source_name)?.0.steps)
    }

    /// Rebuilds a session from [`Session::snapshot`] bytes on `device`. A file that is not a snapshot, or
    /// one that is cut short, is an error naming `source_name`; nothing is applied partially.
    pub fn restore(bytes: &[u8], device: Device, source_name: &str) -> Result<Self> {
        Self::restore_with(bytes, device, source_name, &[])
    }

    /// As [`Session::restore`], with `key=value` overrides applied to the stored config (a smaller learning
    /// rate after a divergence, more stages). What the stored state depends on — algo, preset, seed, task —
    /// cannot change.
    pub fn restore_with(bytes: &[u8], device: Device, source_name: &str, overrides: &[String]) -> Result<Self> {
        Self::restore_inner(bytes, device, source_name, overrides, false, true, Box::new(Session::new))
    }

    /// As [`Session::restore_with`] for a session built by [`Session::with_imported`] (and, with `task`, on
    /// a data file's task): the same models and task are handed in again (their folders, LoRA, dtype), and
    /// the snapshot's weights, optimizer states and step machine are loaded into them.
    pub fn restore_imported(
        bytes: &[u8],
        device: Device,
        source_name: &str,
        overrides: &[String],
        models: crate::session::ImportedModels,
        task: Option<crate::task::TaskData>,
    ) -> Result<Self> {
        let base = Box::new(move |config, device| Session::with_imported(config, device, models, task));
        Self::restore_inner(bytes, device, source_name, overrides, false, true, base)
    }

    /// As [`Session::restore_with`] for a session built by [`Session::on_task`] on a data file's task.
    pub fn restore_on_task(
        bytes: &[u8],
        device: Device,
        source_name: &str,
        overrides: &[String],
        task: crate::task::TaskData,
    ) -> Result<Self> {
        let base = Box::new(move |config, device| Session::on_task(config, device, task));
        Self::restore_inner(bytes, device, source_name, overrides, false, true, base)
    }

    /// As [`Session::restore`], with fresh optimizer states: the models, the step machine and the RNG come
    /// back, the Adam moments do not. For the browser, where burn 0.22's optimizer-record loader reaches for
    /// the default device (WebGPU, which must be initialised asynchronously first) and panics.
    pub fn restore_models(bytes: &[u8], device: Device, source_name: &str) -> Result<Self> {
        Self::restore_inner(bytes, device, source_name, &[], false, false, Box::new(Session::new))
    }

    /// A session that starts from the SFT model of a snapshot taken when SFT had finished (before its
    /// evaluation) and goes on with another method: `overrides` may change `algo` and `pref.pairs`. Every
    /// method compared from one such snapshot starts from the very same SFT weights. With the method the
    /// snapshot was made for, it is the same run as one never stopped.
    pub fn branch(bytes: &[u8], device: Device, source_name: &str, overrides: &[String]) -> Result<Self> {
        Self::restore_inner(bytes, device, source_name, overrides, true, true, Box::new(Session::new))
    }

    /// Whether the session has finished SFT and not yet evaluated it: the point `branch` starts from.
    pub fn at_sft_end(&self) -> bool {
        matches!(self.state, State::SftEval)
    }

    fn restore_inner(
        bytes: &[u8],
        device: Device,
        source_name: &str,
        overrides: &[String],
        branching: bool,
        optimizers: bool,
        base: Box<dyn FnOnce(RunConfig, Device) -> Result<Session> + '_>,
    ) -> Result<Self> {
        let (mut header, body) = read_header(bytes, source_name)?;
        let err = |message: String| GapoError::Checkpoint { source_name: source_name.into(), message };
        let config = header.config.with_overrides(overrides)?;
        config.validate()?;
        if branching && !matches!(header.state, State::SftEval) {
            return Err(err("was not taken at the end of SFT, so no other method can start from it".into()));
        }
        let fixed = [
            ("algo", branching || config.algo == header.config.algo),
            ("preset", config.preset == header.config.preset),
            ("seed", config.seed == header.config.seed),
            ("task", config.task == header.config.task),
            ("sft", config.sft == header.config.sft),
        ];
        if let Some((field, _)) = fixed.iter().find(|(_, same)| !same) {
            return Err(GapoError::Config {
                field: (*field).into(),
                message: "cannot change when resuming: the checkpoint was built for its stored value".into(),
            });
        }
        header.config = config;
        let mut map = BTreeMap::new();
        let mut at = 0usize;
        for (name, len) in &header.blobs {
            let end = at.checked_add(*len).filter(|&e| e <= body.len()).ok_or_else(|| {
                err(format!("is cut short: part `{name}` needs {len} bytes, {} remain", body.len() - at))
            })?;
            map.insert(name.clone(), body[at..end].to_vec());
            at = end;
        }
        let mut blobs = Blobs { source_name: source_name.into(), map, optimizers };

        let mut s = base(header.config.clone(), device)?;
        if (header.imported, header.task_from_data) != (s.imported, s.task_from_data) {
            let what = |imported: bool, data: bool| match (imported, data) {
                (true, true) => "imported models on a data file",
                (true, false) => "imported models",
                (false, true) => "the built-in models on a data file",
                (false, false) => "the built-in models and task",
            };
            return Err(err(format!(
                "was taken from a run with {}, and is being restored as one with {}",
                what(header.imported, header.task_from_data),
                what(s.imported, s.task_from_data)
            )));
        }
        let tokenizer_json = blobs.take("tokenizer")?;
        if s.imported {
            // An imported tokenizer comes from its folder again; the stored one must be the same.
            if tokenizer_json != s.tokenizer.to_json()?.into_bytes() {
                return Err(err("was taken with another generator tokenizer than the one given now".into()));
            }
        } else {
            s.tokenizer = GapoTokenizer::from_json(&tokenizer_json, &format!("{source_name} (tokenizer)"))?;
        }
        let preset = header.config.model_preset()?;
        // Imported models are their own templates (same shape, LoRA and dtype); the built-in ones are made
        // from the preset, as `Session::new` makes them.
        let imported_generator = if s.imported { s.sft_generator.clone() } else { None };
        let imported_disc = if s.imported { s.disc.as_ref().map(|d| d.disc.clone()) } else { None };
        let fresh_generator = || match &imported_generator {
            Some(template) => template.clone(),
            None => LanguageModel::from(preset.generator_config(s.tokenizer.vocab_size()).init(&s.train_device)),
        };

        s.sft_generator =
            if blobs.has("sft_generator") { Some(blobs.module(fresh_generator(), "sft_generator")?) } else { None };
        s.sft_optim = blobs.optim(std::mem::replace(&mut s.sft_optim, Session::fresh_sft_optim()), "sft_optim")?;
        s.pref_reference = if blobs.has("pref_reference") {
            Some(blobs.module(fresh_generator().valid(), "pref_reference")?)
        } else {
            None
        };
        s.learner = if blobs.has("policy") {
            let mut l = PpoLearner::new(header.config.ppo.clone(), fresh_generator(), &s.train_device);
            l.policy = blobs.module(l.policy, "policy")?;
            l.reference = blobs.module(l.reference, "reference")?;
            l.critic = blobs.module(l.critic, "critic")?;
            l.actor_optim = blobs.optim(l.actor_optim, "actor_optim")?;
            l.critic_optim = blobs.optim(l.critic_optim, "critic_optim")?;
            l.kl = header.kl.clone().ok_or_else(|| err("has a policy but no KL controller".into()))?;
            Some(l)
        } else {
            None
        };
        // Without a stored D (a branch from an SFT-only run) the session keeps the one `Session::new` made,
        // initialised exactly as in a run of that method from the start.
        s.disc = if blobs.has("disc") {
            let fresh = match imported_disc {
                Some(template) => template,
                None => preset.discriminator_config(s.tokenizer.vocab_size()).init(&s.train_device).into(),
            };
            let mut d = DiscTrainer::new(header.config.disc.clone(), fresh);
            d.disc = blobs.module(d.disc, "disc")?;
            d.optim = blobs.optim(d.optim, "disc_optim")?;
            Some(d)
        } else {
            s.disc.take()
        };
        s.reward_model = if blobs.has("reward_model") {
            let rm = ScoredDecoder::from_backbone(fresh_generator(), &s.train_device);
            let mut r = RewardModelTrainer::new(rm, header.config.disc.lr, header.config.disc.max_grad_norm);
            r.rm = blobs.module(r.rm, "reward_model")?;
            r.optim = blobs.optim(r.optim, "reward_model_optim")?;
            Some(r)
        } else {
            None
        };
        if let Some(extra) = blobs.map.keys().next() {
            return Err(err(format!("has a part `{extra}` this version does not know")));
        }
        s.state = header.state;
        s.disc_rows = header.disc_rows;
        s.rng = header.rng;
        s.steps = header.steps;
        s.sft_eval = header.sft_eval;
        s.final_eval = header.final_eval;
        s.pairs_eval = None;
        Ok(s)
    }
}

fn read_header<'a>(bytes: &'a [u8], source_name: &str) -> Result<(Header, &'a [u8])> {
    let err = |message: String| GapoError::Checkpoint { source_name: source_name.into(), message };
    if bytes.starts_with(MAGIC_WITHOUT_CHECKSUM) {
        return Err(err("was written by an older gapo, without a checksum; start the run again".into()));
    }
    let rest = bytes.strip_prefix(MAGIC).ok_or_else(|| err("is not a gapo session snapshot".into()))?;
    let (sum, rest) = rest.split_first_chunk::<8>().ok_or_else(|| err("is cut short in its header".into()))?;
    if u64::from_le_bytes(*sum) != checksum(rest) {
        return Err(err(
            "is damaged: its checksum does not match its contents (a changed byte, or a file cut short)".into()
        ));
    }
    let (len, rest) = rest.split_first_chunk::<8>().ok_or_else(|| err("is cut short in its header".into()))?;
    let len = u64::from_le_bytes(*len) as usize;
    if len > rest.len() {
        return Err(err("is cut short in its header".into()));
    }
    let header: Header =
        serde_json::from_slice(&rest[..len]).map_err(|e| err(format!("has an unreadable header: {e}")))?;
    Ok((header, &rest[len..]))
}
