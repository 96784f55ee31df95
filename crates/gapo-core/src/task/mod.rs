//! The built-in constraint task (DESIGN §3): a seeded product world, constraint kinds with exact checkers,
//! prompt and reference-response rendering, preferential-prompt and preferential-response builders, the
//! train / held-out split by constraint combination, and IFEval-style evaluation.

pub mod constraint;
pub mod eval;
pub mod example;
pub mod from_rows;
pub mod parse;
pub mod preferential;
pub mod render;
pub mod split;
pub mod text;
pub mod world;

pub use constraint::{Constraint, Kind, Verdict};
pub use eval::{EvalReport, evaluate};
pub use example::Example;
pub use from_rows::DataRow;
pub use parse::parse_prompt;
pub use split::{TaskConfig, TaskData, TrainItem};
pub use world::{Attribute, Product};
