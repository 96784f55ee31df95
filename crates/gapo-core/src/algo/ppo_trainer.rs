//! One PPO iteration on the generator: make experience (sample a rollout with the KV cache, score it,
//! compute old/reference log-probs, values, KL-shaped rewards, GAE advantages), then update the policy and
//! the critic on minibatches. The math is in `ppo.rs`; this file only moves tensors through it.
//!
//! Tokens stay on the device during sampling; they are read back once per rollout, to decode the text
//! that the reward function scores (the discriminator re-tokenises text; the checker reads text).

use super::grad_clip::clip_global_norm;
use super::kl_control::KlController;
use super::ppo::{
    KlEstimator, gae, group_norm, kl_estimate, leave_one_out, policy_loss, shaped_rewards, value_loss, whiten,
};
use super::sft::{ReferenceBatch, sft_loss};
use crate::data::batch::prompt_batch;
use crate::error::{GapoError, Result};
use crate::hooks::Hooks;
use crate::model::CausalLm;
use crate::model::sampling::{SamplingConfig, generate};
use crate::players::{LanguageModel, ScoredDecoder};
use crate::readback::{floats, ints, scalar};
use crate::rng::SplitMix64;
use crate::tokenizer::GapoTokenizer;
use burn::module::Module;
use burn::optim::{AdamWConfig, GradientsAccumulator, GradientsParams, ModuleOptimizer};
use burn::tensor::activation::{log_softmax, softmax};
use burn::tensor::{Device, Int, Tensor, TensorData};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PpoConfig {
    /// Prompts per rollout.
    pub rollout_batch: usize,
    pub max_new_tokens: usize,
    /// Passes over each rollout.
    pub epochs: usize,
    pub minibatch: usize,
    /// Rows per forward/backward pass inside a minibatch (gradient accumulation: one optimizer step per
    /// minibatch, the same update in less memory); 0 = the whole minibatch at once.
    pub micro_batch: usize,
    pub actor_lr: f64,
    pub critic_lr: f64,
    pub eps_clip: f64,
    pub value_clip: f64,
    pub gamma: f64,
    pub lambda: f64,
    /// How a response token's advantage is computed: `gae` (a critic), `rloo` or `group_norm` (no critic;
    /// see [`AdvantageEstimator`]).
    pub advantage: AdvantageEstimator,
    pub kl: KlController,
    pub kl_estimator: KlEstimator,
    /// Scores are clipped to [−reward_clip, reward_clip].
    pub reward_clip: f64,
    /// Global gradient-norm clip; 0 turns it off.
    pub max_grad_norm: f64,
    pub whiten_advantages: bool,
    pub temperature: f64,
    pub top_k: usize,
    pub top_p: f64,
    /// Responses sampled per prompt in a rollout (`rollout_batch` counts responses, so it holds
    /// `rollout_batch / samples_per_prompt` prompts).
    pub samples_per_prompt: usize,
    /// With several samples per prompt, subtract from each score the mean score of the prompt's other
    /// samples (RLOO's leave-one-out baseline, OpenRLHF `--advantage_estimator rloo`) before KL shaping, so
    /// the advantage measures the response rather than how easy its prompt was.
    pub leave_one_out_baseline: bool,
    /// PPO-ptx (InstructGPT, Ouyang et al. 2022; OpenRLHF `--ptx_coef`): every optimizer step also descends
    /// `ptx_coef` times the SFT loss of the reference responses of the minibatch's prompts
    /// ([`PpoLearner::references`]), which holds the policy to what the references do while it climbs the
    /// reward (README, "What we found": PPO against D's reward forgets constraints D scores flatly). 0 (the
    /// default) is plain PPO.
    pub ptx_coef: f64,
}

impl Default for PpoConfig {
    fn default() -> Self {
        Self {
            rollout_batch: 32,
            max_new_tokens: 48,
            epochs: 2,
            minibatch: 16,
            micro_batch: 0,
            actor_lr: 3e-5,
            critic_lr: 1e-4,
            eps_clip: 0.2,
            value_clip: 0.2,
            gamma: 1.0,
            lambda: 0.95,
            advantage: AdvantageEstimator::Gae,
            kl: KlController::Fixed { beta: 0.01 },
            kl_estimator: KlEstimator::K1,
            reward_clip: 10.0,
            max_grad_norm: 1.0,
            whiten_advantages: true,
            temperature: 1.0,
            top_k: 0,
            top_p: 1.0,
            samples_per_prompt: 1,
            leave_one_out_baseline: false,
            ptx_coef: 0.0,
        }
    }
}

/// How the advantage of each response token is computed from the rollout's scores.
///
/// With a fresh critic, GAE gives token t only (γλ)^(T−1−t) of the final score: with λ = 0.95 the first
/// token of a 48-token answer gets 0.09 of it, and a constraint decided by the first word (`starts_with`)
/// hardly moves. The critic-free estimators give every token the whole baseline-centred score.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdvantageEstimator {
    /// GAE(γ, λ) with the critic (OpenRLHF's default `gae`); `leave_one_out_baseline` may centre the scores.
    Gae,
    /// No critic: `A_t = Σ_{s≥t} r_s`, the KL-shaped return from t on (γ = 1), with each score minus the mean
    /// of its prompt's other samples (RLOO, Ahmadian et al. 2024; OpenRLHF `--advantage_estimator rloo`,
    /// TRL's RLOOTrainer). Needs `samples_per_prompt ≥ 2`.
    Rloo,
    /// As `rloo`, with each score centred and scaled by its prompt group: `(s − mean) / (std + 1e-9)` (GRPO,
    /// Shao et al. 2024; OpenRLHF `group_norm`), so the reward's scale does not set the step's size.
    GroupNorm,
}

impl AdvantageEstimator {
    /// Whether the estimator trains and reads a critic.
    pub fn uses_critic(self) -> bool {
        self == Self::Gae
    }
}

impl PpoConfig {
    /// Refuses a PPO-ptx weight that is negative or not a finite number, and a critic-free estimator
    /// without prompt groups to centre on, naming the field.
    pub fn validate(&self) -> Result<()> {
        if !self.advantage.uses_critic()
            && (self.samples_per_prompt < 2 || self.rollout_batch % self.samples_per_prompt != 0)
        {
            return Err(GapoError::Config {
                field: "ppo.advantage".into(),
                message: format!(
                    "{:?} centres each score on its prompt's other samples: it needs ppo.samples_per_prompt ≥ 2 \
                     dividing ppo.rollout_batch (they are {} and {})",
                    self.advantage, self.samples_per_prompt, self.rollout_batch
                ),
            });
        }
        if !(self.ptx_coef.is_finite() && self.ptx_coef >= 0.0) {
            return Err(GapoError::Config {
                field: "ppo.ptx_coef".into(),
                message: format!("is {}; it must be a finite number ≥ 0", self.ptx_coef),
            });
        }
        Ok(())
    }
}

/// A sampled batch with everything the update needs.
pub struct Experience {
    /// `[B, P + N]`: left-padded prompt then response.
    pub ids: Tensor<2, Int>,
    pub mask: Tensor<2>,
    pub prompt_len: usize,
    /// `[B, N]`: 1 on generated tokens.
    pub action_mask: Tensor<2>,
    pub old_logp: Tensor<2>,
    pub old_values: Tensor<2>,
    pub advantages: Tensor<2>,
    pub returns: Tensor<2>,
    pub responses: Vec<String>,
    /// The reward model's raw score of each response (before clipping and any baseline), on the host.
    pub scores: Vec<f32>,
}

/// Log-probs `[B, N]` of the response tokens and the policy's mean entropy over them.
pub fn response_logprobs(
    model: &impl CausalLm,
    ids: Tensor<2, Int>,
    mask: Tensor<2>,
    p: usize,
    n: usize,
) -> (Tensor<2>, Tensor<3>) {
    let [b, _] = ids.dims();
    let logits = model.forward_positions(ids.clone(), mask, p - 1, n); // [B, N, V]
    let logp_all = log_softmax(logits, 2);
    let targets = ids.narrow(1, p, n).reshape([b, n, 1]);
    (logp_all.clone().gather(2, targets).reshape([b, n]), logp_all)
}

/// The critic's value of the state before each response token: `[B, N]`.
pub fn response_values(critic: &ScoredDecoder, ids: Tensor<2, Int>, mask: Tensor<2>, p: usize, n: usize) -> Tensor<2> {
    critic.values(ids, mask).narrow(1, p - 1, n)
}

/// The PPO learner: policy, frozen reference, critic and their optimizers.
pub struct PpoLearner {
    pub config: PpoConfig,
    pub policy: LanguageModel,
    pub reference: LanguageModel,
    pub critic: ScoredDecoder,
    pub(crate) actor_optim: ModuleOptimizer,
    pub(crate) critic_optim: ModuleOptimizer,
    pub kl: KlController,
    /// With `ptx_coef > 0`: the reference responses of the next rollout's prompts, row for row, set by the
    /// caller before [`PpoLearner::learn`], which takes them.
    pub references: Option<ReferenceBatch>,
    /// Exercise solutions used in place of the built-in reward shaping, GAE and clipped loss.
    pub hooks: Hooks,
}

impl PpoLearner {
    /// `policy` on the autodiff `train_device`; the reference is a frozen copy of it, the critic a copy of
    /// its backbone with a fresh value head.
    pub fn new(config: PpoConfig, policy: impl Into<LanguageModel>, train_device: &Device) -> Self {
        let policy = policy.into();
        let reference = policy.valid();
        let critic = ScoredDecoder::from_backbone(policy.clone(), train_device);
        crate::model::init::materialize(&critic);
        Self {
            kl: config.kl.clone(),
            actor_optim: AdamWConfig::new().with_beta_2(0.95).with_epsilon(1e-8).with_weight_decay(0.0).init(),
            critic_optim: AdamWConfig::new().with_beta_2(0.95).with_epsilon(1e-8).with_weight_decay(0.0).init(),
            config,
            policy,
            reference,
            critic,
            references: None,
            hooks: Hooks::default(),
        }
    }

    /// Uses the exercise solutions in `hooks` in place of the built-in pieces.
    pub fn with_hooks(mut self, hooks: Hooks) -> Self {
        self.hooks = hooks;
        self
    }

    /// Samples one rollout for `prompts` and scores it with `score` (texts in, one score per response out,
    /// on `device`). Returns the experience and the rollout metrics.
    pub async fn make_experience(
        &self,
        tokenizer: &GapoTokenizer,
        prompts: &[String],
        score: &mut dyn FnMut(&[String]) -> Result<Tensor<1>>,
        device: &Device,
    ) -> Result<(Experience, BTreeMap<String, f64>)> {
        let c = &self.config;
        let special = tokenizer.special();
        let budget = self.policy.max_len().saturating_sub(c.max_new_tokens).max(2);
        let batch = prompt_batch(tokenizer, prompts, budget)?;
        let (prompt_ids, prompt_mask) = batch.to_device(device);
        let policy = self.policy.valid();
        let sampling = SamplingConfig::new().with_temperature(c.temperature).with_top_k(c.top_k).with_top_p(c.top_p);
        let rollout = generate(
            &policy,
            prompt_ids.clone(),
            prompt_mask.clone(),
            c.max_new_tokens,
            &sampling,
            special.eos,
            special.pad,
        )?;
        let (b, p, n) = (prompts.len(), batch.len, c.max_new_tokens);
        // The one readback of the rollout: the text the reward reads.
        let tokens = ints(rollout.tokens.clone()).await?;
        let responses = tokens
            .chunks(n)
            .map(|row| {
                let ids: Vec<u32> = row.iter().take_while(|&&t| t != special.eos as i64).map(|&t| t as u32).collect();
                tokenizer.decode(&ids)
            })
            .collect::<Result<Vec<_>>>()?;
        let eos_count = tokens.chunks(n).filter(|row| row.contains(&(special.eos as i64))).count();
        let raw_scores = score(&responses)?; // [B]
        let scores = raw_scores.clone();
        let k = c.samples_per_prompt;
        let grouped = k > 1 && b % k == 0;
        let scores = match c.advantage {
            AdvantageEstimator::Gae if c.leave_one_out_baseline && grouped => leave_one_out(scores, k),
            AdvantageEstimator::Gae => scores,
            AdvantageEstimator::Rloo => leave_one_out(scores, k),
            AdvantageEstimator::GroupNorm => group_norm(scores, k),
        };

        let ids = Tensor::cat(vec![prompt_ids, rollout.tokens], 1);
        let mask = Tensor::cat(vec![prompt_mask, rollout.mask.clone()], 1);
        let action_mask = rollout.mask;
        let (old_logp, logp_all) = response_logprobs(&policy, ids.clone(), mask.clone(), p, n);
        let (ref_logp, _) = response_logprobs(&self.reference, ids.clone(), mask.clone(), p, n);
        let old_values = if c.advantage.uses_critic() {
            response_values(&self.critic.valid(), ids.clone(), mask.clone(), p, n) * action_mask.clone()
        } else {
            Tensor::zeros([b, n], device)
        };
        let kl = kl_estimate(c.kl_estimator, old_logp.clone(), ref_logp, action_mask.clone());
        let beta = self.kl.beta();
        let shape = self.hooks.shaped_rewards.unwrap_or(shaped_rewards);
        let rewards = shape(kl.clone(), scores.clone(), action_mask.clone(), beta, c.reward_clip);
        // Without a critic (V = 0) and with λ = 1, GAE is the plain return from each token on.
        let lambda = if c.advantage.uses_critic() { c.lambda } else { 1.0 };
        let gae = self.hooks.gae.unwrap_or(gae);
        let (advantages, returns) = gae(rewards, old_values.clone(), action_mask.clone(), c.gamma, lambda);
        let advantages = if c.whiten_advantages { whiten(advantages, action_mask.clone()) } else { advantages };

        // Diagnostics, TRL names. KL and entropy are per sequence (sums over tokens), averaged.
        let kl_seq = kl.sum_dim(1).reshape([b]).mean();
        let entropy = (softmax(logp_all.clone(), 2) * logp_all).sum_dim(2).neg().reshape([b, n]);
        let entropy_seq = (entropy * action_mask.clone()).sum_dim(1).reshape([b]).mean();
        let mut m = BTreeMap::new();
        let kl_v = scalar(kl_seq).await?;
        // One readback of the B raw scores: their clipped mean is the logged score, and the session
        // compares them with the checker's verdicts (`rollout/score_checker_corr`).
        let host_scores = floats(raw_scores).await?;
        let clip = c.reward_clip as f32;
        let score_v = host_scores.iter().map(|s| s.clamp(-clip, clip) as f64).sum::<f64>() / b.max(1) as f64;
        m.insert("objective/kl".into(), kl_v);
        m.insert("objective/entropy".into(), scalar(entropy_seq).await?);
        m.insert("objective/non_score_reward".into(), -beta * kl_v);
        m.insert("objective/scores".into(), score_v);
        m.insert("objective/rlhf_reward".into(), score_v - beta * kl_v);
        m.insert("objective/kl_coef".into(), beta);
        m.insert("val/num_eos_tokens".into(), eos_count as f64);
        m.insert("val/response_length".into(), scalar(action_mask.clone().sum_dim(1).reshape([b]).mean()).await?);
        let experience = Experience {
            ids,
            mask,
            prompt_len: p,
            action_mask,
            old_logp,
            old_values,
            advantages,
            returns,
            responses,
            scores: host_scores,
        };
        Ok((experience, m))
    }

    /// PPO epochs over the experience in shuffled minibatches; updates the KL controller after.
    /// A NaN/Inf loss stops the update and names the metric.
    pub async fn learn(
        &mut self,
        exp: &Experience,
        rng: &mut SplitMix64,
        metrics: &mut BTreeMap<String, f64>,
    ) -> Result<()> {
        let c = self.config.clone();
        let [b, n] = exp.action_mask.dims();
        let device = exp.ids.device();
        let references = self.references.take().filter(|_| c.ptx_coef > 0.0);
        check_references(references.as_ref(), c.ptx_coef, b)?;
        let mut sums: BTreeMap<&str, (f64, usize)> = BTreeMap::new();
        let mut add = |k: &'static str, v: f64| {
            let e = sums.entry(k).or_insert((0.0, 0));
            e.0 += v;
            e.1 += 1;
        };
        for _ in 0..c.epochs {
            let mut order: Vec<i64> = (0..b as i64).collect();
            rng.shuffle(&mut order);
            for chunk in order.chunks(c.minibatch.max(1)) {
                // Both losses are means over rows (of each row's token mean, `ppo::masked_mean`): a
                // micro-batch's loss weighted by its share of the minibatch's rows sums to exactly that.
                let (mut actor_acc, mut critic_acc) = (GradientsAccumulator::new(), GradientsAccumulator::new());
                let (mut loss_v, mut vl_v) = (0.0, 0.0);
                let micro = if c.micro_batch == 0 { chunk.len() } else { c.micro_batch };
                for rows in chunk.chunks(micro) {
                    let idx = Tensor::<1, Int>::from_data(TensorData::new(rows.to_vec(), [rows.len()]), &device);
                    let pick2 = |t: &Tensor<2>| t.clone().select(0, idx.clone());
                    let ids = exp.ids.clone().select(0, idx.clone());
                    let mask = pick2(&exp.mask);
                    let am = pick2(&exp.action_mask);
                    let share = rows.len() as f64 / chunk.len() as f64;

                    let (logp, _) = response_logprobs(&self.policy, ids.clone(), mask.clone(), exp.prompt_len, n);
                    let (old_logp, advantages) = (pick2(&exp.old_logp), pick2(&exp.advantages));
                    let mut pl =
                        policy_loss(logp.clone(), old_logp.clone(), advantages.clone(), am.clone(), c.eps_clip);
                    if let Some(student) = self.hooks.clipped_policy_loss {
                        // An exercise solution gives the loss; the diagnostics stay the built-in ones.
                        pl.loss = student(logp, old_logp, advantages, am.clone(), c.eps_clip);
                    }
                    let loss = pl.loss.mul_scalar(share);
                    let part = scalar(loss.clone().detach()).await?;
                    if !part.is_finite() {
                        return Err(GapoError::Diverged(format!("loss/policy_avg is {part}: the update was skipped")));
                    }
                    let ratio_v = scalar(pl.ratio.clone()).await?;
                    if !(ratio_v.is_finite() && ratio_v < 10.0 && ratio_v > 0.1) {
                        return Err(GapoError::Diverged(format!(
                            "val/ratio is {ratio_v}, far outside the clip range: the update was skipped"
                        )));
                    }
                    loss_v += part;
                    actor_acc.accumulate(&self.policy, GradientsParams::from_grads(loss.backward(), &self.policy));
                    add("policy/clipfrac_avg", scalar(pl.clipfrac).await?);
                    add("policy/approxkl_avg", scalar(pl.approxkl).await?);
                    add("val/ratio", ratio_v);

                    if c.advantage.uses_critic() {
                        let values = response_values(&self.critic, ids, mask, exp.prompt_len, n);
                        let (vl, vclip) =
                            value_loss(values, pick2(&exp.old_values), pick2(&exp.returns), am, c.value_clip);
                        let vl = vl.mul_scalar(share);
                        let part = scalar(vl.clone().detach()).await?;
                        if !part.is_finite() {
                            return Err(GapoError::Diverged(format!(
                                "loss/value_avg is {part}: the update was skipped"
                            )));
                        }
                        vl_v += part;
                        critic_acc.accumulate(&self.critic, GradientsParams::from_grads(vl.backward(), &self.critic));
                        add("val/clipfrac_avg", scalar(vclip).await?);
                    }

                    if let Some(r) = &references {
                        // PPO-ptx: γ·L_SFT on these rows' references, weighted like the other losses.
                        let r = r.select(idx.clone());
                        let ptx = sft_loss(&self.policy, r.ids, r.mask, r.loss_mask);
                        let part = scalar(ptx.clone().detach()).await?;
                        if !part.is_finite() {
                            return Err(GapoError::Diverged(format!("loss/ptx is {part}: the update was skipped")));
                        }
                        add("loss/ptx", part);
                        let ptx = ptx.mul_scalar(c.ptx_coef * share);
                        actor_acc.accumulate(&self.policy, GradientsParams::from_grads(ptx.backward(), &self.policy));
                    }
                }
                let (grads, norm) = clip_global_norm(&self.policy, actor_acc.grads(), c.max_grad_norm);
                self.policy = self.actor_optim.step(c.actor_lr, self.policy.clone(), grads);
                add("loss/policy_avg", loss_v);
                if let Some(norm) = norm {
                    add("policy/grad_norm", scalar(norm).await?);
                }
                if c.advantage.uses_critic() {
                    let (grads, _) = clip_global_norm(&self.critic, critic_acc.grads(), c.max_grad_norm);
                    self.critic = self.critic_optim.step(c.critic_lr, self.critic.clone(), grads);
                    add("loss/value_avg", vl_v);
                }
            }
        }
        for (k, (s, count)) in sums {
            metrics.insert(k.to_string(), s / count as f64);
        }
        let kl = metrics.get("objective/kl").copied().unwrap_or(0.0);
        self.kl.update(kl, b);
        Ok(())
    }
}

/// PPO-ptx needs one reference response per rollout row. Without this check a caller that forgot them
/// would get plain PPO from a config that says ptx.
fn check_references(references: Option<&ReferenceBatch>, ptx_coef: f64, rows: usize) -> Result<()> {
    let err = |message: String| GapoError::Config { field: "ppo.ptx_coef".into(), message };
    match references {
        None if ptx_coef > 0.0 => Err(err(format!(
            "is {ptx_coef} but no reference responses were set for this rollout (PpoLearner::references)"
        ))),
        Some(r) if r.rows() != rows => {
            Err(err(format!("the rollout has {rows} rows but {} reference responses were given", r.rows())))
        }
        _ => Ok(()),
    }
}
