//! `gapo`: the native command line of gapo-playground. A thin shell over `gapo-core`: it parses flags,
//! picks the device, drives the core and writes files (atomically).

mod atomic;
mod bench_cmd;
mod compare_cmd;
mod curves;
mod data_cmd;
mod eval_cmd;
mod generate_cmd;
mod hf_cmd;
mod run;
mod run_folder;
mod sources;
mod train_cmd;

use anyhow::Result;
use clap::{Parser, Subcommand};
use gapo_core::device::{BackendChoice, device_for};

#[derive(Parser, Debug)]
#[command(name = "gapo", version, about = "GAPO (arXiv 2503.20194) in Rust on burn: train, evaluate, export data")]
struct Cli {
    /// Backend: cpu (default, burn's pure-Rust flex), wgpu (needs --features wgpu), cuda (needs --features cuda).
    #[arg(long, global = true, default_value = "cpu")]
    device: String,
    /// Seed for everything random (same seed + same device = same result on the CPU).
    /// (default 42, or the seed of the run config given with --config)
    #[arg(long, global = true)]
    seed: Option<u64>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// The default job: the built-in constraint task, SFT, evaluation on held-out prompts.
    Run(run::RunCommand),
    /// Train on your own jsonl data.
    Train(train_cmd::TrainArgs),
    /// Score a finished run again on the held-out prompts, with its mistakes.
    Eval(eval_cmd::EvalArgs),
    /// One prompt in (typed or a held-out one); the sample, the discriminator's score and each
    /// constraint's verdict out.
    Generate(generate_cmd::GenerateArgs),
    /// Every method from the same SFT start on the same budget, over several seeds: the paper's table.
    Compare(compare_cmd::CompareArgs),
    /// Time the steps GAPO is made of (SFT, PPO update, discriminator step, sampling, a whole stage).
    Bench(bench_cmd::BenchArgs),
    /// Export, check and measure data.
    #[command(subcommand)]
    Data(data_cmd::DataCommand),
    /// Versions, compiled backends and the chosen device: what a bug report needs.
    Env,
}

/// The seed when neither --seed nor a run config gives one.
const DEFAULT_SEED: u64 = 42;

fn main() {
    let cli = Cli::parse();
    // Keep burn's freed CPU buffers in the heap instead of unmapping them (25–30% faster steps; why:
    // gapo_core::host_memory).
    gapo_core::host_memory::tune_host_allocator();
    // Run on rayon's pool, where the CPU backend splits its work (why: gapo_core::cpu_pool).
    if let Err(e) = gapo_core::cpu_pool::on_cpu_pool(|| dispatch(cli)) {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

fn dispatch(cli: Cli) -> Result<()> {
    let choice: BackendChoice = cli.device.parse()?;
    match cli.command {
        Some(Command::Env) => env(choice),
        Some(Command::Run(cmd)) if cmd.check => run::check(&cmd.args, cli.seed),
        Some(Command::Run(cmd)) => run::run(cmd.args, choice, cli.seed),
        None => run::run(run::RunArgs::default(), choice, cli.seed),
        Some(Command::Train(args)) => train_cmd::run(args, choice, cli.seed),
        Some(Command::Data(cmd)) => data_cmd::run(cmd, cli.seed.unwrap_or(DEFAULT_SEED)),
        Some(Command::Eval(args)) => eval_cmd::run(args, choice),
        Some(Command::Bench(args)) => bench_cmd::run(args, choice, cli.seed.unwrap_or(DEFAULT_SEED)),
        Some(Command::Compare(args)) => compare_cmd::run(args, choice, cli.seed),
        Some(Command::Generate(args)) => generate_cmd::run(args, choice, cli.seed.unwrap_or(DEFAULT_SEED)),
    }
}

fn env(choice: BackendChoice) -> Result<()> {
    println!("gapo {}", env!("CARGO_PKG_VERSION"));
    println!("burn {}", gapo_core::BURN_VERSION);
    println!("target {}-{}", std::env::consts::ARCH, std::env::consts::OS);
    let compiled: Vec<_> = BackendChoice::compiled_backends().iter().map(|b| b.name()).collect();
    println!("backends compiled in: {}", compiled.join(", "));
    match device_for(choice) {
        Ok(device) => println!("device: {}", gapo_core::device::describe(choice, &device)),
        Err(e) => println!("device: unavailable ({e})"),
    }
    Ok(())
}
