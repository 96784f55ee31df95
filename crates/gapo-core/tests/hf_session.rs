//! GAPO through the Session with imported Hugging Face models: the tiny random Qwen2 generator and BERT
//! encoder of tests/fixtures/hf (see hf_parity.rs), on the built-in task, on the CPU.

use burn::module::Module;
use burn::tensor::Device;
use futures_lite::future::block_on;
use gapo_core::hf::{self, DecoderSpec, EncoderSpec, HfDecoder, HfEncoder, MemorySource, Weights};
use gapo_core::model::{CausalLm, Pooling};
use gapo_core::players::{HfDiscriminator, LanguageModel};
use gapo_core::session::{Algo, ImportedModels, Inputs, Restore, RunConfig, Session};

mod common;
use common::folder;

/// Tests here seed the CPU device's one random stream; side by side they would draw from each other's.
static DEVICE_RNG: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn imported(device: &Device) -> ImportedModels {
    let g = folder("qwen2");
    let g_config = hf::read_config(&g).unwrap();
    let generator =
        HfDecoder::load(&DecoderSpec::from_config(&g_config).unwrap(), &Weights::read(&g).unwrap(), device).unwrap();
    let d = folder("bert");
    let d_config = hf::read_config(&d).unwrap();
    let encoder =
        HfEncoder::load(&EncoderSpec::from_config(&d_config).unwrap(), &Weights::read(&d).unwrap(), device).unwrap();
    let d_tokenizer = hf::tokenize::encoder_tokenizer(&d, &d_config).unwrap();
    ImportedModels {
        generator,
        tokenizer: hf::tokenize::decoder_tokenizer(&g, &g_config).unwrap(),
        discriminator: Some(HfDiscriminator::new(encoder, d_tokenizer, Pooling::First, device)),
        lora: None,
    }
}

fn tiny_gapo() -> RunConfig {
    let mut c = RunConfig { algo: Algo::Gapo, ..RunConfig::default() };
    c.task.n_train = 24;
    c.task.n_eval = 4;
    c.sft.steps = 2;
    c.sft.batch = 4;
    c.ppo.rollout_batch = 4;
    c.ppo.minibatch = 2;
    c.ppo.max_new_tokens = 8;
    c.eval.max_new_tokens = 8;
    c.disc.warmup_epochs = 1;
    c.disc.batch = 8;
    c.gapo.stages = 1;
    c.gapo.rollouts_per_stage = 1;
    c.gapo.disc_items_per_stage = 8;
    c.gapo.probe_prompts = 4;
    c
}

fn flat(model: &LanguageModel) -> Vec<f32> {
    let LanguageModel::Hf(m) = model else { panic!("an imported generator") };
    m.embed.weight.val().into_data().try_into_vec::<f32>().unwrap()
}

#[test]
fn gapo_runs_with_an_imported_qwen2_generator_and_bert_discriminator() {
    let _rng = DEVICE_RNG.lock().unwrap_or_else(|e| e.into_inner());
    let device = Device::flex();
    let models = imported(&device);
    let vocab_d = models.discriminator.as_ref().unwrap().encoder.spec.vocab_size;
    assert!(models.tokenizer.vocab_size() > vocab_d, "the test needs D's vocabulary to be the smaller one");
    let mut s = Session::new(tiny_gapo(), Inputs { models: Some(models), ..Inputs::default() }, device).unwrap();
    let before = flat(&s.generator());
    let mut phases = Vec::new();
    loop {
        let r = block_on(s.step()).unwrap();
        for (k, v) in &r.metrics {
            assert!(v.is_finite(), "step {} ({}): {k} = {v}", r.step, r.phase);
        }
        phases.push(r.phase.clone());
        if r.done {
            break;
        }
    }
    for phase in ["sft", "warmup", "probe", "generator", "discriminator"] {
        assert!(phases.iter().any(|p| p == phase), "no {phase} step in {phases:?}");
    }
    // D reads text with its own tokenizer, whichever tokenizer the caller holds (the session's is the
    // generator's, vocabulary 300 against BERT's 120).
    let disc = s.discriminator().expect("a discriminator").disc.valid();
    let row = ("Describe a red lamp.".to_string(), "A red lamp.".to_string(), 1.0f32);
    let via_session = gapo_core::algo::discriminator::logits(&disc, &s.tokenizer, &[&row], &Device::flex()).unwrap();
    let d_tok = disc.tokenizer().expect("the imported D has its own tokenizer");
    let pair = d_tok.encode_pair(&row.0, &row.1, disc.max_len()).unwrap();
    assert!(pair.ids.iter().all(|&i| (i as usize) < vocab_d));
    let t = pair.ids.len();
    let ids = burn::tensor::Tensor::<2, burn::tensor::Int>::from_data(
        burn::tensor::TensorData::new(pair.ids.iter().map(|&i| i as i64).collect::<Vec<_>>(), [1, t]),
        &Device::flex(),
    );
    let segs = burn::tensor::Tensor::<2, burn::tensor::Int>::from_data(
        burn::tensor::TensorData::new(pair.segments.iter().map(|&i| i as i64).collect::<Vec<_>>(), [1, t]),
        &Device::flex(),
    );
    let direct = disc.forward(ids, segs, burn::tensor::Tensor::<2>::ones([1, t], &Device::flex()));
    assert_eq!(
        via_session.into_data().try_into_vec::<f32>().unwrap(),
        direct.into_data().try_into_vec::<f32>().unwrap()
    );
    let after = s.generator();
    assert!(flat(&after) != before, "SFT and PPO left the imported generator unchanged");
    let evaluated = s.final_eval.as_ref().expect("a final evaluation");
    assert!((0.0..=1.0).contains(&evaluated.prompt_strict));

    // The tuned generator goes out as a Hugging Face folder and reads back to the same logits.
    let LanguageModel::Hf(tuned) = after else { unreachable!() };
    let source = folder("qwen2");
    let config = hf::read_config(&source).unwrap();
    let files = block_on(hf::export::decoder_folder(&tuned, &config, &source.files["tokenizer.json"])).unwrap();
    let exported = MemorySource { label: "exported".into(), files };
    let back = HfDecoder::load(&tuned.spec, &Weights::read(&exported).unwrap(), &Device::flex()).unwrap();
    let ids = burn::tensor::Tensor::<2, burn::tensor::Int>::from_data([[5i64, 17, 42, 7]], &Device::flex());
    let mask = burn::tensor::Tensor::<2>::ones([1, 4], &Device::flex());
    let a = CausalLm::forward(&tuned.valid(), ids.clone(), mask.clone()).into_data().try_into_vec::<f32>().unwrap();
    let b = CausalLm::forward(&back, ids, mask).into_data().try_into_vec::<f32>().unwrap();
    assert_eq!(a, b);
}

#[test]
fn gapo_without_an_imported_discriminator_is_refused_by_name() {
    let device = Device::flex();
    let mut models = imported(&device);
    models.discriminator = None;
    let err = Session::new(tiny_gapo(), Inputs { models: Some(models), ..Inputs::default() }, device)
        .err()
        .expect("refused")
        .to_string();
    assert!(err.contains("--discriminator"), "{err}");
}

#[test]
fn lora_trains_only_the_adapters_and_the_export_merges_them() {
    let _rng = DEVICE_RNG.lock().unwrap_or_else(|e| e.into_inner());
    let device = Device::flex();
    let mut models = imported(&device);
    models.lora = Some((4, 8.0));
    let mut config = tiny_gapo();
    config.ppo.actor_lr = 1e-2; // large enough that the adapters visibly move in a few steps
    config.sft.lr = 1e-2;
    let mut s = Session::new(config, Inputs { models: Some(models), ..Inputs::default() }, device).unwrap();
    let LanguageModel::Hf(start) = s.generator() else { unreachable!() };
    while !block_on(s.step()).unwrap().done {}
    let LanguageModel::Hf(end) = s.generator() else { unreachable!() };
    let read = |t: burn::tensor::Tensor<2>| t.into_data().try_into_vec::<f32>().unwrap();
    let q = |m: &HfDecoder| (read(m.layers[0].q.weight.base()), read(m.layers[0].q.weight.val()));
    let (base0, val0) = q(&start);
    let (base1, val1) = q(&end);
    assert_eq!(base0, base1, "the frozen base weight moved");
    assert_eq!(base0, val0, "a fresh adapter (B = 0) changes nothing");
    assert!(val1 != base1, "the adapter did not train");
    assert!(end.layers[0].q.weight.adapter().is_some());
    assert_eq!(read(start.embed.weight.val()), read(end.embed.weight.val()), "the embedding is frozen under LoRA");

    // The export writes merged dense weights: re-imported without adapters, the logits are the same.
    let source = folder("qwen2");
    let config = hf::read_config(&source).unwrap();
    let files = block_on(hf::export::decoder_folder(&end, &config, &source.files["tokenizer.json"])).unwrap();
    let back = HfDecoder::load(
        &end.spec,
        &Weights::read(&MemorySource { label: "lora".into(), files }).unwrap(),
        &Device::flex(),
    )
    .unwrap();
    assert!(back.layers[0].q.weight.adapter().is_none());
    let ids = burn::tensor::Tensor::<2, burn::tensor::Int>::from_data([[5i64, 17, 42, 7]], &Device::flex());
    let mask = burn::tensor::Tensor::<2>::ones([1, 4], &Device::flex());
    let a = CausalLm::forward(&end, ids.clone(), mask.clone()).into_data().try_into_vec::<f32>().unwrap();
    let b = CausalLm::forward(&back, ids, mask).into_data().try_into_vec::<f32>().unwrap();
    let diff = a.iter().zip(&b).map(|(x, y)| (x - y).abs()).fold(0.0f32, f32::max);
    assert!(diff < 1e-5, "merged export differs by {diff}");
}

fn embed(model: &LanguageModel) -> Vec<f32> {
    let LanguageModel::Hf(m) = model else { panic!("an imported generator") };
    m.layers[0].q.weight.val().into_data().try_into_vec::<f32>().unwrap()
}

/// An imported run (with LoRA) snapshotted inside its generator phase and restored with the same models
/// ends exactly as the run never stopped; restored as a built-in run, it is refused.
#[test]
fn an_imported_run_resumes_exactly() {
    let _rng = DEVICE_RNG.lock().unwrap_or_else(|e| e.into_inner());
    let with_lora = || {
        let mut m = imported(&Device::flex());
        m.lora = Some((2, 4.0));
        m
    };
    let mut config = tiny_gapo();
    config.gapo.rollouts_per_stage = 2;
    let mut whole =
        Session::new(config.clone(), Inputs { models: Some(with_lora()), ..Inputs::default() }, Device::flex())
            .unwrap();
    let mut cut =
        Session::new(config, Inputs { models: Some(with_lora()), ..Inputs::default() }, Device::flex()).unwrap();
    let mut snapshot = None;
    let mut reports = Vec::new();
    loop {
        let r = block_on(cut.step()).unwrap();
        let done = r.done;
        reports.push(r);
        if snapshot.is_none() && reports.last().unwrap().phase == "generator" {
            snapshot = Some(cut.snapshot().unwrap());
            break;
        }
        assert!(!done, "no generator step");
    }
    let bytes = snapshot.unwrap();
    let err = Session::restore(&bytes, "cut.bin", Restore::Resume, &[], Inputs::default(), Device::flex())
        .err()
        .expect("refused")
        .to_string();
    assert!(err.contains("imported models"), "{err}");
    let mut resumed = Session::restore(
        &bytes,
        "cut.bin",
        Restore::Resume,
        &[],
        Inputs { models: Some(with_lora()), ..Inputs::default() },
        Device::flex(),
    )
    .unwrap();
    let mut whole_reports = Vec::new();
    while !whole_reports.last().is_some_and(|r: &gapo_core::session::StepReport| r.done) {
        whole_reports.push(block_on(whole.step()).unwrap());
    }
    while !reports.last().unwrap().done {
        reports.push(block_on(resumed.step()).unwrap());
    }
    assert_eq!(reports, whole_reports, "the resumed run's reports differ");
    assert_eq!(embed(&resumed.generator()), embed(&whole.generator()), "final weights differ");
}
