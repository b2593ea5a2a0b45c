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

    /// An input error about `path` (a registry's PostgreSQL URL is shown without its
    /// password).
    pub fn file(path: &Path, reason: impl Display) -> CliError {
        CliError::Io { path: redacted(path), reason: reason.to_string() }
    }
}

/// A path as shown to the user: itself, or for a registry's PostgreSQL URL the database
/// and host without any password.
pub fn redacted(path: &Path) -> PathBuf {
    match medzk_registry::Location::parse(path) {
        medzk_registry::Location::File(p) => p,
        db => PathBuf::from(db.to_string()),
    }
}

/// Result of a command.
pub type CliResult<T = ()> = Result<T, CliError>;

/// Largest proving key the CLI reads.
pub const MAX_KEY_FILE: u64 = 1 << 30;
/// Largest verifying key or presentation the CLI reads.
pub const MAX_SMALL_FILE: u64 = 64 << 10;
/// Largest JSON file (policy, credential, path, value set, holder key) the CLI reads.
pub const MAX_TEXT_FILE: u64 = 64 << 20;

/// An I/O error in words, without any path inside it (a temporary file's name must never
/// reach the user: the caller names the user's own path).
pub fn plain(e: &std::io::Error) -> String {
    match e.raw_os_error() {
        Some(code) => std::io::Error::from_raw_os_error(code).to_string(),
        None => e.kind().to_string(),
    }
}

/// Reads at most `max` bytes of a file, with its path in any error: a file that is larger
/// (or a device that never ends, such as `/dev/zero`) is refused once `max` is passed.
pub fn read_at_most(path: &Path, max: u64) -> CliResult<Vec<u8>> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| CliError::file(path, plain(&e)))?;
    let mut out = Vec::new();
    file.take(max + 1).read_to_end(&mut out).map_err(|e| CliError::file(path, plain(&e)))?;
    if out.len() as u64 > max {
        return Err(CliError::file(path, format!("file is too large (more than {max} bytes)")));
    }
    Ok(out)
}

/// Reads a verifying key, presentation or other small binary file.
pub fn read(path: &Path) -> CliResult<Vec<u8>> {
    read_at_most(path, MAX_SMALL_FILE)
}

/// Reads a UTF-8 text file.
pub fn read_text(path: &Path) -> CliResult<String> {
    String::from_utf8(read_at_most(path, MAX_TEXT_FILE)?).map_err(|_| CliError::file(path, "not UTF-8 text"))
}

/// Writes a file (replacing it atomically: write to a temporary file in the same
/// directory, flush it to disk, then rename it over `path`).
pub fn write(path: &Path, bytes: &[u8]) -> CliResult {
    write_with(path, bytes, true)
}

/// Writes a file atomically, refusing to replace an existing one unless `replace`.
pub fn write_with(path: &Path, bytes: &[u8], replace: bool) -> CliResult {
    let fail = |e: std::io::Error| CliError::file(path, plain(&e));
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(fail)?;
    std::io::Write::write_all(&mut tmp, bytes).map_err(fail)?;
    tmp.as_file().sync_data().map_err(fail)?;
    if replace {
        tmp.persist(path).map_err(|e| fail(e.error))?;
    } else {
        tmp.persist_noclobber(path).map_err(|e| {
            if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                CliError::file(path, "file exists; refusing to replace it (use --force to replace it)")
            } else {
                fail(e.error)
            }
        })?;
    }
    Ok(())
}

/// Writes a file readable only by its owner (holder secrets, credentials), refusing to
/// replace an existing one unless `replace`. The temporary file is private from the start.
pub fn write_private(path: &Path, bytes: &[u8], replace: bool) -> CliResult {
    // NamedTempFile creates its file with mode 0600 on Unix, and the rename keeps it.
    write_with(path, bytes, replace)
}
