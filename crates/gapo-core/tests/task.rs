//! Properties of the built-in task that every result rests on: references pass, rejected prompts and
//! mutated responses really fail, the split never leaks a held-out combination into training, and the
//! evaluation counts the way IFEval does.

use gapo_core::rng::SplitMix64;
use gapo_core::task::example::sample_example;
use gapo_core::task::preferential::{Perturbation, passes, reject_prompt, reject_response};
use gapo_core::task::{Constraint, Kind, TaskConfig, TaskData, evaluate};
use std::collections::{HashMap, HashSet};

const SEEDS: u64 = 10_000;

#[test]
fn over_10000_seeds_references_pass_and_rejections_fail() {
    let mut kinds_seen: HashMap<Kind, usize> = HashMap::new();
    let (mut modified, mut inserted, mut exact_one) = (0, 0, 0);
    let mut responses = HashSet::new();
    for seed in 0..SEEDS {
        let mut rng = SplitMix64::new(seed);
        let k = 1 + (seed % 5) as usize;
        let ex =
            sample_example(k, &Kind::ALL, &mut rng, &|_| true).unwrap_or_else(|| panic!("seed {seed}: no example"));
        assert_eq!(ex.k(), k);
        for c in &ex.constraints {
            let v = c.check(&ex.product, &ex.response);
            assert!(
                v.pass,
                "seed {seed}: reference fails {c:?}: {}\nprompt: {}\nresponse: {}",
                v.why, ex.prompt, ex.response
            );
            *kinds_seen.entry(c.kind()).or_default() += 1;
        }
        responses.insert(ex.response.clone());

        let rp = reject_prompt(&ex, 0.5, &Kind::ALL, &Default::default(), &mut rng)
            .unwrap_or_else(|| panic!("seed {seed}: no rejected prompt"));
        assert!(!passes(&ex.product, &rp.constraints, &ex.response), "seed {seed}: rejected prompt still satisfied");
        assert_ne!(rp.prompt, ex.prompt);
        match rp.how {
            Perturbation::Modified { index } => {
                modified += 1;
                assert_eq!(rp.constraints.len(), ex.constraints.len());
                for (i, (a, b)) in rp.constraints.iter().zip(&ex.constraints).enumerate() {
                    assert_eq!(a == b, i != index, "seed {seed}: only constraint {index} changes");
                }
            }
            Perturbation::Inserted { index } => {
                inserted += 1;
                let mut without = rp.constraints.clone();
                without.remove(index);
                assert_eq!(without, ex.constraints, "seed {seed}: only one constraint inserted");
            }
        }

        let rr = reject_response(&ex, &mut rng).unwrap_or_else(|| panic!("seed {seed}: no rejected response"));
        let failed = &ex.constraints[rr.failed];
        assert!(!failed.check(&ex.product, &rr.response).pass, "seed {seed}: mutation of {failed:?} still passes");
        exact_one += usize::from(
            ex.constraints.iter().enumerate().all(|(i, c)| i == rr.failed || c.check(&ex.product, &rr.response).pass),
        );
    }
    // Every kind occurs, both perturbations occur, and the grammar has real variety.
    assert_eq!(kinds_seen.len(), Kind::ALL.len(), "{kinds_seen:?}");
    assert!(modified > 1000 && inserted > 1000, "modified {modified}, inserted {inserted}");
    assert!(exact_one as f64 > 0.9 * SEEDS as f64, "mutations failing exactly one constraint: {exact_one}");
    assert!(responses.len() as f64 > 0.9 * SEEDS as f64, "only {} distinct responses", responses.len());
}

#[test]
fn held_out_combinations_and_the_largest_k_never_appear_in_training() {
    let config = TaskConfig { n_train: 600, n_eval: 150, ..TaskConfig::default() };
    let data = TaskData::build(&config).unwrap();
    let train_sigs: HashSet<String> = data.train.iter().map(|t| t.example.signature()).collect();
    for ex in &data.eval {
        assert!(!train_sigs.contains(&ex.signature()), "held-out combination {} in training", ex.signature());
    }
    assert!(data.train.iter().all(|t| t.example.k() < config.k_max));
    assert!(data.eval.iter().any(|e| e.k() == config.k_max));
    assert!(data.eval.iter().any(|e| e.k() < config.k_max));
    // Same seed, same data.
    assert_eq!(TaskData::build(&config).unwrap(), data);
    let err = TaskData::build(&TaskConfig { k_max: 1, ..config }).unwrap_err().to_string();
    assert!(err.contains("task.k_max"), "{err}");
}

#[test]
fn in_distribution_prompts_are_unseen_prompts_drawn_as_the_training_ones() {
    let config = TaskConfig { n_train: 600, n_eval: 50, n_eval_in: 120, ..TaskConfig::default() };
    let data = TaskData::build(&config).unwrap();
    assert_eq!(data.eval_in.len(), 120);
    let train_prompts: HashSet<&str> = data.train.iter().map(|t| t.example.prompt.as_str()).collect();
    for ex in &data.eval_in {
        assert!(!train_prompts.contains(ex.prompt.as_str()), "in-distribution prompt seen in training: {}", ex.prompt);
        assert!(!config.held_out(&ex.constraints) && ex.k() < config.k_max, "{} is held out", ex.signature());
    }
    // Drawn last: the training items and the held-out prompts do not depend on how many there are.
    let without = TaskData::build(&TaskConfig { n_eval_in: 0, ..config }).unwrap();
    assert_eq!((without.train, without.eval), (data.train, data.eval));
}

#[test]
fn evaluation_counts_prompts_and_instructions_like_ifeval() {
    let config = TaskConfig { n_train: 10, n_eval: 60, ..TaskConfig::default() };
    let data = TaskData::build(&config).unwrap();
    let refs: Vec<String> = data.eval.iter().map(|e| e.response.clone()).collect();
    let perfect = evaluate(&data.eval, &refs);
    assert_eq!((perfect.prompt_strict, perfect.instruction_strict), (1.0, 1.0));
    assert!(perfect.mistakes.is_empty());

    // Written out by hand: two prompts, three constraints; one prompt fully right, one half right.
    let mut a = data.eval[0].clone();
    a.constraints = vec![Constraint::MaxWords(100)];
    let mut b = data.eval[1].clone();
    b.constraints = vec![Constraint::MaxWords(100), Constraint::MinWords(1000)];
    let r = evaluate(&[a, b], &["short".to_string(), "short too".to_string()]);
    assert_eq!(r.prompt_strict, 0.5);
    assert!((r.instruction_strict - 2.0 / 3.0).abs() < 1e-12);
    let max = &r.per_kind["max_words"];
    assert_eq!((max.instructions_followed, max.instructions, max.prompts_followed, max.prompts), (2, 2, 1, 2));
    let min = &r.per_kind["min_words"];
    assert_eq!((min.instruction_strict(), min.prompt_strict()), (0.0, 0.0));
    assert_eq!(r.mistakes.len(), 1);
    assert!(r.mistakes[0].failed[0].1.contains("fewer than 1000"), "{:?}", r.mistakes);
}

#[test]
fn prompts_show_the_facts_and_the_rules() {
    let mut rng = SplitMix64::new(5);
    let ex = sample_example(3, &Kind::ALL, &mut rng, &|_| true).unwrap();
    assert!(ex.prompt.contains(&format!("colour: {}", ex.product.colour)));
    assert!(ex.prompt.contains("Rules: "));
    assert_eq!(ex.prompt.matches('.').count() >= 3, true);
}

mod from_rows {
    use gapo_core::task::{DataRow, TaskConfig, TaskData};

    fn rows(n: usize) -> (TaskData, Vec<DataRow>) {
        let built = TaskData::build(&TaskConfig { n_train: n, n_eval: 4, ..TaskConfig::default() }).unwrap();
        let rows = built
            .train
            .iter()
            .enumerate()
            .map(|(i, t)| DataRow {
                line: i + 1,
                prompt: t.example.prompt.clone(),
                response: t.example.response.clone(),
                rejected_prompt: Some(t.rejected_prompt.prompt.clone()),
                rejected_response: Some(t.rejected_response.response.clone()),
            })
            .collect();
        (built, rows)
    }

    #[test]
    fn a_data_files_rows_become_the_task_with_their_rejections_kept() {
        let (built, rows) = rows(30);
        let config = TaskConfig { n_eval: 5, ..TaskConfig::default() };
        let task = TaskData::from_rows(&rows, &config, "d.jsonl").unwrap();
        assert_eq!((task.train.len(), task.eval.len()), (25, 5));
        for item in &task.train {
            let original = built.train.iter().find(|t| t.example.prompt == item.example.prompt).unwrap();
            assert_eq!(
                item.example.constraints, original.example.constraints,
                "the parsed constraints are the built ones"
            );
            assert_eq!(item.rejected_prompt.prompt, original.rejected_prompt.prompt);
            assert_eq!(item.rejected_prompt.how, original.rejected_prompt.how);
            assert_eq!(item.rejected_response.response, original.rejected_response.response);
        }
        // Without rejected sides they are built, and each is checked to be a rejection.
        let bare: Vec<DataRow> =
            rows.iter().map(|r| DataRow { rejected_prompt: None, rejected_response: None, ..r.clone() }).collect();
        let task = TaskData::from_rows(&bare, &config, "d.jsonl").unwrap();
        for item in &task.train {
            let e = &item.example;
            assert!(item.rejected_prompt.constraints.iter().any(|c| !c.check(&e.product, &e.response).pass));
            assert!(e.constraints.iter().any(|c| !c.check(&e.product, &item.rejected_response.response).pass));
        }
    }

    #[test]
    fn rows_that_are_not_verifiable_or_not_rejections_are_named() {
        let (_, rows) = rows(12);
        let config = TaskConfig { n_eval: 2, ..TaskConfig::default() };
        let err = |rows: &[DataRow]| TaskData::from_rows(rows, &config, "d.jsonl").err().expect("refused").to_string();
        let mut bad = rows.clone();
        bad[3].prompt = "Tell me a joke.".into();
        let e = err(&bad);
        assert!(e.contains("d.jsonl:4") && e.contains("`prompt`") && e.contains("Product:"), "{e}");
        let mut bad = rows.clone();
        bad[5].response = "x".into();
        let e = err(&bad);
        assert!(e.contains("d.jsonl:6") && e.contains("`response`") && e.contains("fails its own prompt"), "{e}");
        let mut bad = rows.clone();
        // A rejected prompt the response still satisfies (the accepted prompt itself) is not a rejection.
        for r in bad.iter_mut() {
            r.rejected_prompt = Some(r.prompt.clone());
        }
        let e = err(&bad);
        assert!(e.contains("`reject`"), "{e}");
        let mut bad = rows.clone();
        for r in bad.iter_mut() {
            r.rejected_response = Some(r.response.clone());
        }
        let e = err(&bad);
        assert!(e.contains("`rejected`") && e.contains("not a rejection"), "{e}");
        let e = err(&rows[..2]);
        assert!(e.contains("none would train"), "{e}");
    }
}

#[test]
fn answered_rejected_prompts_pass_their_prompt_and_are_labelled_by_the_checker() {
    // gapo.answer_rejected_prompts: (P_rej, R′, 1) where R′ passes P_rej, and (P_acc, R′, 0) only when
    // R′ fails P_acc; R′ depends on the item alone, so the warm-up and the discriminator phases agree.
    use gapo_core::algo::gapo::answered_rows;
    use gapo_core::task::preferential::answer_rejected_prompt;
    let task = TaskData::build(&TaskConfig { n_train: 300, n_eval: 10, ..TaskConfig::default() }).unwrap();
    let (mut answered, mut negatives) = (0, 0);
    for t in &task.train {
        let rej = &t.rejected_prompt;
        let Some((r, fails_accepted)) = answer_rejected_prompt(&t.example, rej, &mut SplitMix64::new(3)) else {
            continue;
        };
        answered += 1;
        assert!(passes(&t.example.product, &rej.constraints, &r), "{r:?} fails {}", rej.prompt);
        assert_eq!(fails_accepted, !passes(&t.example.product, &t.example.constraints, &r));
        let rows = answered_rows(t);
        assert_eq!(rows, answered_rows(t), "R′ must not depend on anything but the item");
        for (prompt, response, label) in &rows {
            let constraints = if *prompt == rej.prompt { &rej.constraints } else { &t.example.constraints };
            assert_eq!(*label == 1.0, passes(&t.example.product, constraints, response), "{prompt} | {response}");
            negatives += usize::from(*label == 0.0);
        }
    }
    assert!(answered >= 240, "only {answered} of 300 rejected prompts could be answered");
    assert!(negatives >= 100, "only {negatives} answered responses fail the accepted prompt");
}

#[test]
fn a_subset_of_kinds_is_all_the_task_draws_and_inserts() {
    // task.kinds: prompts, held-out prompts and rejected prompts (modified or inserted) use only these.
    let kinds = vec![Kind::EndsWith, Kind::Lowercase, Kind::Uppercase, Kind::StartsWith];
    let config = TaskConfig { k_max: 3, n_train: 400, n_eval: 60, kinds: kinds.clone(), ..TaskConfig::default() };
    let task = TaskData::build(&config).unwrap();
    let only = |cs: &[Constraint], what: &str| {
        for c in cs {
            assert!(kinds.contains(&c.kind()), "{what} has a `{}` constraint", c.kind().name());
        }
    };
    let mut inserted = 0;
    for t in &task.train {
        only(&t.example.constraints, &t.example.prompt);
        only(&t.rejected_prompt.constraints, &t.rejected_prompt.prompt);
        inserted += usize::from(matches!(t.rejected_prompt.how, Perturbation::Inserted { .. }));
        assert!(!passes(&t.example.product, &t.rejected_prompt.constraints, &t.example.response));
    }
    assert!(inserted > 50, "only {inserted} inserted rejections");
    for e in &task.eval {
        only(&e.constraints, &e.prompt);
    }
    assert!(task.eval.iter().any(|e| e.k() == 3));
    // The default is every kind, and a run config names kinds by their metric names.
    assert_eq!(TaskConfig::default().kinds, Kind::ALL.to_vec());
    let parsed: TaskConfig =
        toml::from_str("k_max = 3\nkinds = [\"ends_with\", \"lowercase\", \"uppercase\", \"starts_with\"]").unwrap();
    assert_eq!(parsed.kinds, kinds);
    let err = toml::from_str::<TaskConfig>("kinds = [\"ends_with\", \"shouting\"]").unwrap_err().to_string();
    assert!(err.contains("shouting") && err.contains("kinds"), "{err}");
}

#[test]
fn kinds_that_cannot_make_a_task_are_refused_by_name() {
    let with =
        |kinds: Vec<Kind>, k_max: usize| TaskConfig { kinds, k_max, n_train: 20, n_eval: 4, ..TaskConfig::default() };
    let err = |c: TaskConfig| TaskData::build(&c).unwrap_err().to_string();
    assert!(err(with(vec![Kind::Lowercase], 2)).contains("task.kinds"));
    assert!(err(with(vec![Kind::Lowercase, Kind::Lowercase], 2)).contains("`lowercase` twice"));
    assert!(err(with(vec![Kind::Lowercase, Kind::EndsWith], 3)).contains("task.k_max"));
    // Lowercase and uppercase conflict: no prompt holds both, so with nothing else held out no held-out
    // prompt can be drawn; the build stops with an error instead of looping.
    let e = err(TaskConfig { held_out_share: 0.0, ..with(vec![Kind::Lowercase, Kind::Uppercase], 2) });
    assert!(e.contains("task."), "{e}");
}
