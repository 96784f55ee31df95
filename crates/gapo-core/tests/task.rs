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
        let ex = sample_example(k, &mut rng, &|_| true).unwrap_or_else(|| panic!("seed {seed}: no example"));
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

        let rp = reject_prompt(&ex, 0.5, &mut rng).unwrap_or_else(|| panic!("seed {seed}: no rejected prompt"));
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
    let ex = sample_example(3, &mut rng, &|_| true).unwrap();
    assert!(ex.prompt.contains(&format!("colour: {}", ex.product.colour)));
    assert!(ex.prompt.contains("Rules: "));
    assert_eq!(ex.prompt.matches('.').count() >= 3, true);
}
