//! A command's result, in words for a person and as JSON for a script (`--json`).

use std::path::Path;

use serde_json::{Value, json};

use crate::io::CliError;

/// What a command prints on success.
pub struct Report {
    /// The human output (stdout), as it always was.
    pub text: String,
    /// The `--json` output: full values, never shortened.
    pub json: Value,
}

impl Report {
    /// A result with both forms.
    pub fn new(text: impl Into<String>, json: Value) -> Report {
        Report { text: text.into(), json }
    }

    /// A result whose human form is already JSON: both print the same document.
    pub fn json_only(json: Value) -> Report {
        Report { text: pretty(&json), json }
    }

    /// A result already printed as it happened (the demo's steps); only JSON is left.
    pub fn printed(json: Value) -> Report {
        Report { text: String::new(), json }
    }
}

/// A path as JSON text (as the user wrote it; never a panic on a path that is not UTF-8).
pub fn shown(path: &Path) -> Value {
    Value::String(path.display().to_string())
}

/// Prints a line on stdout. A reader that went away (`medzk demo | head`) is not an error
/// worth a panic: the rest of the output is dropped and the command finishes its work.
pub fn say(text: impl std::fmt::Display) {
    use std::io::Write;
    let _ = writeln!(std::io::stdout(), "{text}");
}

/// Pretty JSON text.
pub fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).expect("JSON values serialize")
}

/// A failure as JSON (`--json`): its kind, message, path if a file is at fault, and the
/// exit code.
pub fn error_json(e: &CliError) -> Value {
    let (kind, message, path) = match e {
        CliError::Rejected(reason) => ("rejected", reason.clone(), None),
        CliError::CannotProve(reason) => ("cannot_prove", reason.clone(), None),
        CliError::Io { path, reason } => ("file", reason.clone(), Some(shown(path))),
        CliError::Input(reason) => ("input", reason.clone(), None),
    };
    let mut error = json!({ "kind": kind, "message": message });
    if let Some(path) = path {
        error["path"] = path;
    }
    json!({ "error": error, "exit_code": e.exit_code() })
}
