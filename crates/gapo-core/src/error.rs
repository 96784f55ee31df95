//! One error type for the core. Every variant names what was wrong and where (a file, a field, a tensor),
//! so a shell can print it as is.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum GapoError {
    /// A configuration value that cannot be used; `field` is the dotted key, as in the TOML file.
    #[error("config field `{field}`: {message}")]
    Config { field: String, message: String },

    /// A device the build or the machine cannot give.
    #[error("device `{device}`: {message}")]
    Device { device: String, message: String },

    /// A tokenizer that cannot be trained, parsed or used; `source_name` says which one.
    #[error("tokenizer {source_name}: {message}")]
    Tokenizer { source_name: String, message: String },

    /// A checkpoint that cannot be read or does not fit the model; `source_name` names the file or blob.
    #[error("checkpoint {source_name}: {message}")]
    Checkpoint { source_name: String, message: String },

    /// A data row that cannot be used: `line` is 1-based (0 for the file as a whole), `field` the JSON key.
    #[error("{source_name}{}{}: {message}", if *line > 0 { format!(":{line}") } else { String::new() }, field.as_ref().map(|f| format!(": field `{f}`")).unwrap_or_default())]
    Data { source_name: String, line: usize, field: Option<String>, message: String },

    /// A training step that failed (a NaN/Inf loss, a policy ratio far outside its clip range, ...): the
    /// step and phase it happened in. The session is left as it was before that step.
    #[error("step {step} ({phase}): {cause}")]
    Step { step: usize, phase: String, cause: Box<GapoError> },

    /// A loss that is NaN/Inf or a policy ratio far outside its clip range; the message names the metric.
    #[error("{0}")]
    Diverged(String),

    /// A batch whose shape does not fit the model (too long, empty, mismatched lengths).
    #[error("input: {0}")]
    Input(String),
}

pub type Result<T> = std::result::Result<T, GapoError>;
