//! A session snapshotted mid-stage and restored continues exactly as one that never stopped: same
//! metrics at every later step, same final weights. Alone in its own binary because burn's CPU backend
//! has one random generator per process (tests in one binary run on parallel threads).

use burn::tensor::Device;
use futures_lite::future::block_on;
use gapo_core::model::init::{Read, collect_params};
use gapo_core::session::{Inputs, Restore, RunConfig, Session, StepReport};
use gapo_core::task::TaskConfig;

fn tiny(algo: &str) -> RunConfig {
    let mut c = RunConfig {
        algo: algo.parse().unwrap(),
        task: TaskConfig { n_train: 40, n_eval: 6, ..TaskConfig::default() },
        ..RunConfig::default()
    };
    c.sft.steps = 4;
    c.gapo.stages = 2;
    c.gapo.rollouts_per_stage = 2;
    c.gapo.disc_items_per_stage = 8;
    c.gapo.probe_prompts = 4;
    c.disc.warmup_epochs = 1;
    c.ppo.rollout_batch = 8;
    c.ppo.max_new_tokens = 8;
    c.eval.max_new_tokens = 8;
    c.pref.steps = 4;
    c.pref.batch = 4;
    c
}

fn run_to_end(s: &mut Session, reports: &mut Vec<StepReport>) {
    while !s.is_done() {
        reports.push(block_on(s.step()).unwrap());
    }
}

/// Every float parameter of a module, by path.
fn params<M: burn::module::Module>(m: &M) -> Vec<(String, Vec<usize>, Vec<f32>)> {
    collect_params(m, Read::Values)
}

#[test]
fn resume() {
    // One test function: the two checks must not draw from the backend's generator at the same time.
    a_restored_session_ends_where_an_uninterrupted_one_does();
    a_damaged_snapshot_is_a_clear_error();
    a_branch_from_the_sft_end_is_the_run_of_that_method();
}

/// `gapo compare` trains SFT once per seed and branches every method from it; a branch must be the very
/// run that method makes from the start.
fn a_branch_from_the_sft_end_is_the_run_of_that_method() {
    let mut sft = Session::new(tiny("sft"), Inputs::default(), Device::flex()).unwrap();
    while !sft.at_sft_end() {
        block_on(sft.step()).unwrap();
    }
    let bytes = sft.snapshot().unwrap();
    for algo in ["gapo", "kto"] {
        let mut whole = Session::new(tiny(algo), Inputs::default(), Device::flex()).unwrap();
        let mut all = Vec::new();
        run_to_end(&mut whole, &mut all);
        let mut branch = Session::restore(
            &bytes,
            "sft",
            Restore::Branch,
            &[format!("algo={algo}")],
            Inputs::default(),
            Device::flex(),
        )
        .unwrap();
        let mut tail = Vec::new();
        run_to_end(&mut branch, &mut tail);
        assert_eq!(all[all.len() - tail.len()..], tail[..], "{algo}");
        assert!(params(&whole.generator()) == params(&branch.generator()), "{algo}: final weights differ");
    }
    let e =
        Session::restore(&bytes, "sft", Restore::Branch, &["sft.steps=9".into()], Inputs::default(), Device::flex())
            .err()
            .unwrap();
    assert!(e.to_string().contains("`sft`: cannot change"), "{e}");
    let mut later = Session::new(tiny("sft"), Inputs::default(), Device::flex()).unwrap();
    block_on(later.step()).unwrap();
    let e = Session::restore(&later.snapshot().unwrap(), "x", Restore::Branch, &[], Inputs::default(), Device::flex())
        .err()
        .unwrap();
    assert!(e.to_string().contains("not taken at the end of SFT"), "{e}");
}

fn a_restored_session_ends_where_an_uninterrupted_one_does() {
    for algo in ["gapo", "dpo"] {
        let config = tiny(algo);
        let mut whole = Session::new(config.clone(), Inputs::default(), Device::flex()).unwrap();
        let mut all = Vec::new();
        run_to_end(&mut whole, &mut all);

        // Stop in the middle of the first generator phase (or of the preference steps), and for GAPO also
        // inside the first discriminator phase (its fresh rows made, not yet trained on); snapshot, drop.
        let mut cuts = vec![all.iter().position(|r| r.phase == "generator" || r.phase == "preference").unwrap() + 1];
        cuts.extend(all.iter().position(|r| r.metrics.contains_key("disc/rows")).map(|i| i + 1));
        for cut in cuts {
            let mut first = Session::new(config.clone(), Inputs::default(), Device::flex()).unwrap();
            let mut head = Vec::new();
            for _ in 0..cut {
                head.push(block_on(first.step()).unwrap());
            }
            let bytes = first.snapshot().unwrap();
            drop(first);
            assert_eq!(Session::snapshot_steps(&bytes, "snap").unwrap(), cut);

            let mut resumed =
                Session::restore(&bytes, "snap", Restore::Resume, &[], Inputs::default(), Device::flex()).unwrap();
            let mut tail = Vec::new();
            run_to_end(&mut resumed, &mut tail);
            head.extend(tail);
            assert_eq!(head.len(), all.len(), "{algo}");
            for (a, b) in all.iter().zip(&head) {
                assert_eq!(a, b, "{algo}: step {} differs after resuming at {cut}", a.step);
            }
            assert!(
                params(&whole.generator()) == params(&resumed.generator()),
                "{algo}: final generator weights differ"
            );
            if let (Some(a), Some(b)) = (whole.discriminator(), resumed.discriminator()) {
                assert!(params(&a.disc) == params(&b.disc), "{algo}: final discriminator weights differ");
            }
        }
    }
}

fn a_damaged_snapshot_is_a_clear_error() {
    let s = Session::new(tiny("sft"), Inputs::default(), Device::flex()).unwrap();
    let bytes = s.snapshot().unwrap();
    let msg = |b: &[u8]| {
        Session::restore(b, "runs/x/resume.bin", Restore::Resume, &[], Inputs::default(), Device::flex())
            .err()
            .unwrap()
            .to_string()
    };
    assert!(msg(b"hello").contains("runs/x/resume.bin") && msg(b"hello").contains("not a gapo session snapshot"));
    let cut = msg(&bytes[..bytes.len() - 100]);
    assert!(cut.contains("cut short") && cut.contains("runs/x/resume.bin"), "{cut}");
    let cut = msg(&bytes[..20]);
    assert!(cut.contains("cut short"), "{cut}");
    // One flipped bit anywhere past the magic: in the checksum, the header length, the header, every
    // blob, the last byte.
    let magic = 10;
    for offset in [magic, magic + 7, magic + 8, magic + 20, bytes.len() / 3, bytes.len() / 2, bytes.len() - 1] {
        let mut damaged = bytes.clone();
        damaged[offset] ^= 0x04;
        let m = msg(&damaged);
        assert!(m.contains("damaged") && m.contains("runs/x/resume.bin"), "offset {offset}: {m}");
        assert!(
            Session::restore(&damaged, "x", Restore::ModelsOnly, &[], Inputs::default(), Device::flex()).is_err(),
            "offset {offset}"
        );
    }
    let mut old = bytes.clone();
    old[..10].copy_from_slice(b"GAPOSNAP1\n");
    assert!(msg(&old).contains("older gapo"), "{}", msg(&old));
    // Models only (the page's load): same step machine, fresh optimizer states.
    let models = Session::restore(&bytes, "x", Restore::ModelsOnly, &[], Inputs::default(), Device::flex()).unwrap();
    assert_eq!(models.steps_done(), s.steps_done());
    assert!(params(&models.generator()) == params(&s.generator()));
}
