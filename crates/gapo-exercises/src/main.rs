//! `cargo run -p gapo-exercises -- [check | list | hint N] [--expect passing|todo]`
//!
//! `check` (the default) lists the exercises with their state and explains the first one that does not
//! pass yet. `--expect` is for CI: exit 1 unless every exercise is in that state.

use gapo_exercises::checks::{EXERCISES, State};
use std::process::ExitCode;

fn usage() -> ExitCode {
    eprintln!("usage: cargo run -p gapo-exercises -- [check | list | hint N] [--expect passing|todo]");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut expect = None;
    let mut words = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--expect" => match it.next().map(String::as_str) {
                Some("passing") => expect = Some(true),
                Some("todo") => expect = Some(false),
                _ => return usage(),
            },
            other => words.push(other),
        }
    }
    match words.as_slice() {
        [] | ["check"] => check(expect),
        ["list"] => {
            for (i, e) in EXERCISES.iter().enumerate() {
                println!("{}. {:<16} {:<40} {}", i + 1, e.name, e.title, e.file);
            }
            ExitCode::SUCCESS
        }
        ["hint", n] => match n.parse::<usize>().ok().and_then(|n| EXERCISES.get(n.wrapping_sub(1))) {
            Some(e) => {
                println!("Hints for exercise {n}, {} ({}):", e.title, e.file);
                for h in e.hints {
                    println!("  - {h}");
                }
                ExitCode::SUCCESS
            }
            None => {
                eprintln!("hint {n}: there are exercises 1 to {}", EXERCISES.len());
                ExitCode::from(2)
            }
        },
        _ => usage(),
    }
}

fn check(expect: Option<bool>) -> ExitCode {
    let states: Vec<State> = EXERCISES.iter().map(|e| e.run()).collect();
    println!("GAPO exercises (edit the files under crates/gapo-exercises/):\n");
    for (i, (e, s)) in EXERCISES.iter().zip(&states).enumerate() {
        let mark = match s {
            State::Passing => "✓ passing",
            State::Todo => "· todo",
            State::Failing(_) => "✗ failing",
        };
        println!("  {}. {:<40} {:<11} {}", i + 1, e.title, mark, e.file);
    }
    let passing = states.iter().filter(|s| **s == State::Passing).count();
    println!("\n{passing}/{} passing.", EXERCISES.len());
    if let Some((i, (e, s))) = EXERCISES.iter().zip(&states).enumerate().find(|(_, (_, s))| **s != State::Passing) {
        println!("\nNext: exercise {}, {} — open crates/gapo-exercises/{} and read its text.", i + 1, e.title, e.file);
        match s {
            State::Todo => println!("It still says todo!(): write the function."),
            State::Failing(why) => println!("Not right yet: {why}"),
            State::Passing => {}
        }
        println!("Stuck? cargo run -p gapo-exercises -- hint {}", i + 1);
    } else {
        println!("All done. Train with your code: cargo run --release -- train --use-exercise-solutions");
    }
    let ok = match expect {
        None => true,
        Some(true) => passing == EXERCISES.len(),
        Some(false) => states.iter().all(|s| *s == State::Todo),
    };
    if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}
