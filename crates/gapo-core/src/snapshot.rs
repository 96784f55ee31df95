//! A whole session as one byte blob, for `train --resume`: the run config, where the step machine stands,
//! the host RNG, every model and every optimizer state. Restoring it and stepping on gives the same weights
//! and metrics as never stopping (same seed, same device), because `Session::step` reseeds the backend's
//! RNG from (seed, step) before each step, so no hidden random state crosses a step boundary.
//!
//! Modules are written as burn records (burnpack), which keep each parameter's `ParamId`: the optimizer
//! states are keyed by those ids, so the restored Adam moments land on the right parameters.
//!
//! Layout: `GAPOSNAP3\n`, the FNV-1a 64 checksum of everything after it (u64 little-endian), the header
//! length (u64 little-endian), the header (JSON: the session's plain state and the list of blobs with
//! their lengths), then the blobs back to back. The checksum is checked before anything is read: one
//! changed byte anywhere changes it (each FNV-1a step is a bijection of the running hash).

use crate::algo::decoder_rm::RewardModelTrainer;
use crate::algo::discriminator::{DiscTrainer, Labelled};
use crate::algo::kl_control::KlController;
use crate::algo::ppo_trainer::PpoLearner;
use crate::error::{GapoError, Result};
use crate::players::ScoredDecoder;
use crate::rng::SplitMix64;
use crate::session::{Inputs, Phase, Position, Restore, Reward, RunConfig, Session, Trainer, fresh_sft_optim};
use crate::task::EvalReport;
use crate::tokenizer::GapoTokenizer;
use burn::module::Module;
use burn::optim::ModuleOptimizer;
use burn::store::ModuleRecord;
use burn::tensor::{Bytes, Device};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

const MAGIC: &[u8] = b"GAPOSNAP3\n";
/// Older layouts: before the checksum, and before the schedule.
const OLDER: [&[u8]; 2] = [b"GAPOSNAP1\n", b"GAPOSNAP2\n"];

/// FNV-1a, 64 bits.
fn checksum(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3))
}

/// The session's plain (non-tensor) state.
#[derive(Serialize, Deserialize)]
struct Header {
    config: RunConfig,
    /// Where the session stood in its schedule, and the phase there (checked against the schedule of the
    /// config it is restored with).
    at: Position,
    phase: Option<Phase>,
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
        let mut disc = None;
        match &self.trainer {
            Trainer::Supervised { generator, optim, disc: d } => {
                put("sft_generator", module_bytes(generator, "sft_generator")?);
                put("sft_optim", optim_bytes(optim, "sft_optim")?);
                disc = d.as_ref();
            }
            Trainer::Preference { policy, reference, optim } => {
                put("sft_generator", module_bytes(policy, "sft_generator")?);
                put("sft_optim", optim_bytes(optim, "sft_optim")?);
                put("pref_reference", module_bytes(reference, "pref_reference")?);
            }
            Trainer::Ppo { learner: l, reward } => {
                put("policy", module_bytes(&l.policy, "policy")?);
                put("reference", module_bytes(&l.reference, "reference")?);
                put("critic", module_bytes(&l.critic, "critic")?);
                put("actor_optim", optim_bytes(&l.actor_optim, "actor_optim")?);
                put("critic_optim", optim_bytes(&l.critic_optim, "critic_optim")?);
                match reward {
                    Reward::Checker => {}
                    Reward::DecoderRm(r) => {
                        put("reward_model", module_bytes(&r.rm, "reward_model")?);
                        put("reward_model_optim", optim_bytes(&r.optim, "reward_model_optim")?);
                    }
                    Reward::Discriminator(d) => disc = Some(d),
                }
            }
        }
        if let Some(d) = disc {
            put("disc", module_bytes(&d.disc, "disc")?);
            put("disc_optim", optim_bytes(&d.optim, "disc_optim")?);
        }
        let header = Header {
            config: self.config.clone(),
            at: self.at.clone(),
            phase: self.current_phase().cloned(),
            disc_rows: self.disc_rows.clone(),
            rng: self.rng.clone(),
            steps: self.steps,
            kl: self.ppo_learner().map(|l| l.kl.clone()),
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

    /// Rebuilds a session from [`Session::snapshot`] bytes on `device`, `how` says to what end. `overrides`
    /// (`key=value`) change the stored config: a smaller learning rate after a divergence, more stages; what
    /// the stored state depends on — algo (except to branch), preset, seed, task, SFT — cannot change.
    /// `inputs` are what the run was started from, handed in again (a data file's task, imported models
    /// with their folders, LoRA and dtype); the snapshot's weights, optimizer states and place in the
    /// schedule are loaded into them. A file that is not a snapshot, is cut short or does not fit is an
    /// error naming `source_name`; nothing is applied partially.
    pub fn restore(
        bytes: &[u8],
        source_name: &str,
        how: Restore,
        overrides: &[String],
        inputs: Inputs,
        device: Device,
    ) -> Result<Self> {
        let (mut header, body) = read_header(bytes, source_name)?;
        let err = |message: String| GapoError::Checkpoint { source_name: source_name.into(), message };
        let config = header.config.with_overrides(overrides)?;
        config.validate()?;
        let branching = how == Restore::Branch;
        if branching && header.phase != Some(Phase::EvalSft) {
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
        let mut blobs = Blobs { source_name: source_name.into(), map, optimizers: how != Restore::ModelsOnly };

        let mut s = Session::new(header.config.clone(), inputs, device)?;
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
        // The schedule may grow (more stages) but must agree up to the place the snapshot was taken.
        if !same_place(&s, &header) {
            return Err(err(
                "does not fit the overridden config: its schedule no longer has the phase the run was in".into()
            ));
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
        s.trainer = load_trainer(&s, &header, &mut blobs, branching)?;
        if let Some(extra) = blobs.map.keys().next() {
            return Err(err(format!("has a part `{extra}` this version does not know")));
        }
        s.at = header.at;
        s.disc_rows = header.disc_rows;
        s.rng = header.rng;
        s.steps = header.steps;
        s.sft_eval = header.sft_eval;
        s.final_eval = header.final_eval;
        s.pairs_eval = None;
        Ok(s)
    }
}

/// The stored phase and the new schedule's phase at the stored place are the same kind in the same stage
/// (a changed count of steps, rollouts or epochs is allowed).
fn same_place(s: &Session, header: &Header) -> bool {
    let probe = |p: &Phase| match p {
        Phase::Probe { point, .. } => Some(*point),
        _ => None,
    };
    match (s.schedule.get(header.at.phase), &header.phase) {
        (Some(a), Some(b)) => {
            std::mem::discriminant(a) == std::mem::discriminant(b) && a.stage() == b.stage() && probe(a) == probe(b)
        }
        (a, b) => a == b.as_ref(),
    }
}

/// The stored trainer, loaded into the models of the session `Session::new` made (imported models are
/// their own templates: same shape, LoRA and dtype; the built-in ones come from the preset). Without a
/// stored D (a branch from an SFT-only run) the session keeps the one it made, initialised exactly as in a
/// run of that method from the start; a stored D the branched method does not use is dropped.
fn load_trainer(s: &Session, header: &Header, blobs: &mut Blobs, branching: bool) -> Result<Trainer> {
    let Trainer::Supervised { generator: template, disc: fresh_disc, .. } = &s.trainer else {
        return Err(blobs.err("cannot be loaded into a session that has already started".into()));
    };
    let mut disc = match fresh_disc {
        Some(fresh) if blobs.has("disc") => {
            let mut d = DiscTrainer::new(header.config.disc.clone(), fresh.disc.clone()).with_hooks(s.hooks);
            d.disc = blobs.module(d.disc, "disc")?;
            d.optim = blobs.optim(d.optim, "disc_optim")?;
            Some(d)
        }
        Some(fresh) => Some(DiscTrainer::new(header.config.disc.clone(), fresh.disc.clone()).with_hooks(s.hooks)),
        None => {
            if branching && blobs.has("disc") {
                blobs.take("disc")?;
                blobs.take("disc_optim")?;
            }
            None
        }
    };
    if blobs.has("policy") {
        let mut l = PpoLearner::new(header.config.ppo.clone(), template.clone(), &s.train_device).with_hooks(s.hooks);
        l.policy = blobs.module(l.policy, "policy")?;
        l.reference = blobs.module(l.reference, "reference")?;
        l.critic = blobs.module(l.critic, "critic")?;
        l.actor_optim = blobs.optim(l.actor_optim, "actor_optim")?;
        l.critic_optim = blobs.optim(l.critic_optim, "critic_optim")?;
        l.kl = header.kl.clone().ok_or_else(|| blobs.err("has a policy but no KL controller".into()))?;
        let reward = if blobs.has("reward_model") {
            let rm = ScoredDecoder::from_backbone(template.clone(), &s.train_device);
            let mut r = RewardModelTrainer::new(rm, header.config.disc.lr, header.config.disc.max_grad_norm);
            r.rm = blobs.module(r.rm, "reward_model")?;
            r.optim = blobs.optim(r.optim, "reward_model_optim")?;
            Reward::DecoderRm(r)
        } else if let Some(d) = disc.take() {
            Reward::Discriminator(d)
        } else {
            Reward::Checker
        };
        return Ok(Trainer::Ppo { learner: l, reward });
    }
    let generator = blobs.module(template.clone(), "sft_generator")?;
    let optim = blobs.optim(fresh_sft_optim(), "sft_optim")?;
    if blobs.has("pref_reference") {
        let reference = blobs.module(template.valid(), "pref_reference")?;
        return Ok(Trainer::Preference { policy: generator, reference, optim });
    }
    Ok(Trainer::Supervised { generator, optim, disc })
}

fn read_header<'a>(bytes: &'a [u8], source_name: &str) -> Result<(Header, &'a [u8])> {
    let err = |message: String| GapoError::Checkpoint { source_name: source_name.into(), message };
    if OLDER.iter().any(|m| bytes.starts_with(m)) {
        return Err(
            err("was written by an older gapo, in a layout this one does not read; start the run again".into()),
        );
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
