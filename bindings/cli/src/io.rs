//! Errors, exit codes and file access for the CLI.

use std::fmt::Display;
use std::path::{Path, PathBuf};

/// A CLI failure and its exit code.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The verifier rejected a presentation (exit 1).
    #[error("REJECTED: {0}")]
    Rejected(String),
    /// The holder cannot prove: a condition is not met (exit 1).
    #[error("{0}")]
    CannotProve(String),
    /// A file could not be read or written (exit 2).
    #[error("{path}: {reason}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// Invalid input or arguments (exit 2).
    #[error("{0}")]
    Input(String),
}

impl CliError {
    /// The process exit code.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Rejected(_) | CliError::CannotProve(_) => 1,
            CliError::Io { .. } | CliError::Input(_) => 2,
        }
    }

    /// An input error about `path`.
    pub fn file(path: &Path, reason: impl Display) -> CliError {
        CliError::Io { path: path.to_path_buf(), reason: reason.to_string() }
    }
}

/// Result of a command.
pub type CliResult<T = ()> = Result<T, CliError>;

/// Largest file the CLI reads (proving keys are the largest objects).
const MAX_READ: u64 = 1 << 30;

/// Reads a file, with its path in any error.
pub fn read(path: &Path) -> CliResult<Vec<u8>> {
    let meta = std::fs::metadata(path).map_err(|e| CliError::file(path, e))?;
    if meta.len() > MAX_READ {
        return Err(CliError::file(path, "file is too large"));
    }
    std::fs::read(path).map_err(|e| CliError::file(path, e))
}

/// Reads a UTF-8 text file.
pub fn read_text(path: &Path) -> CliResult<String> {
    String::from_utf8(read(path)?).map_err(|_| CliError::file(path, "not UTF-8 text"))
}

/// Writes a file (replacing it atomically: write to a temporary file, then rename).
pub fn write(path: &Path, bytes: &[u8]) -> CliResult {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| CliError::file(path, e))?;
    std::io::Write::write_all(&mut tmp, bytes).map_err(|e| CliError::file(path, e))?;
    tmp.persist(path).map_err(|e| CliError::file(path, e.error))?;
    Ok(())
}

/// Writes a file readable only by its owner (holder secrets).
pub fn write_private(path: &Path, bytes: &[u8]) -> CliResult {
    write(path, bytes)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| CliError::file(path, e))?;
    }
    Ok(())
}
