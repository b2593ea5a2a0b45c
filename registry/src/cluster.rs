//! A throwaway PostgreSQL server for tests and the demo: `initdb` and `pg_ctl` from the
//! machine's PostgreSQL (Debian's `postgresql` package, binaries under
//! `/usr/lib/postgresql/<version>/bin`, or `MEDZK_PG_BIN`) into a temporary directory,
//! listening on a Unix socket in that directory only (no TCP port, nothing shared with
//! other runs). Stopped and deleted on drop. PostgreSQL refuses to run as root, so as
//! root every command runs as the `postgres` user (`runuser`), on a directory it owns.
//!
//! Durability is off (`fsync=off`): the data is thrown away with the directory.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Why a throwaway cluster could not start.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    /// No PostgreSQL server binaries on this machine.
    #[error(
        "PostgreSQL is not installed (no initdb under /usr/lib/postgresql/*/bin; install Debian's \
         `postgresql` package or set MEDZK_PG_BIN)"
    )]
    NotInstalled,
    /// A step failed.
    #[error("{step}: {detail}")]
    Step {
        /// What was being done.
        step: &'static str,
        /// Its output.
        detail: String,
    },
}

/// A running throwaway PostgreSQL server.
pub struct TempCluster {
    bin: PathBuf,
    dir: tempfile::TempDir,
    as_postgres: bool,
}

/// The directory of the newest PostgreSQL server binaries here, if any.
pub fn find_binaries() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("MEDZK_PG_BIN") {
        let dir = PathBuf::from(dir);
        return dir.join("initdb").exists().then_some(dir);
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| {
            let e = e.ok()?;
            let version: u32 = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("Uid:")).map(|l| l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}

fn failed(step: &'static str, out: &Output) -> ClusterError {
    let mut detail = String::from_utf8_lossy(&out.stderr).trim().to_string();
    if detail.is_empty() {
        detail = String::from_utf8_lossy(&out.stdout).trim().to_string();
    }
    ClusterError::Step { step, detail }
}

impl TempCluster {
    /// Initialises and starts a server (a second or two).
    pub fn start() -> Result<TempCluster, ClusterError> {
        let bin = find_binaries().ok_or(ClusterError::NotInstalled)?;
        let dir = tempfile::Builder::new()
            .prefix("medzk-pg-")
            .tempdir()
            .map_err(|e| ClusterError::Step { step: "temporary directory", detail: e.to_string() })?;
        let as_postgres = is_root();
        let cluster = TempCluster { bin, dir, as_postgres };
        if as_postgres {
            let out = Command::new("chown")
                .arg("postgres:")
                .arg(cluster.dir.path())
                .output()
                .map_err(|e| ClusterError::Step { step: "chown", detail: e.to_string() })?;
            if !out.status.success() {
                return Err(failed("chown to the postgres user", &out));
            }
        }
        let data = cluster.data();
        let data =
            data.to_str().ok_or(ClusterError::Step { step: "initdb", detail: "path not UTF-8".into() })?;
        cluster.run(
            "initdb",
            "initdb",
            &["-D", data, "-A", "trust", "-U", "medzk", "-E", "UTF8", "--no-locale", "--no-sync"],
        )?;
        let socket = cluster.socket_dir();
        let options = format!(
            "-c listen_addresses='' -k {} -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
            socket.display()
        );
        let log = cluster.dir.path().join("server.log");
        let log = log.to_str().unwrap_or("server.log").to_string();
        cluster.run(
            "pg_ctl",
            "pg_ctl start",
            &["-D", data, "-o", &options, "-l", &log, "-w", "-t", "60", "start"],
        )?;
        Ok(cluster)
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn socket_dir(&self) -> &Path {
        self.dir.path()
    }

    fn run(&self, program: &str, step: &'static str, args: &[&str]) -> Result<Output, ClusterError> {
        let exe = self.bin.join(program);
        let mut cmd = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&exe);
            c
        } else {
            Command::new(&exe)
        };
        let out = cmd
            .args(args)
            .current_dir(self.dir.path())
            .output()
            .map_err(|e| ClusterError::Step { step, detail: e.to_string() })?;
        if out.status.success() { Ok(out) } else { Err(failed(step, &out)) }
    }

    /// A libpq connection string for database `name`.
    pub fn url(&self, name: &str) -> String {
        format!("host={} user=medzk dbname={name}", self.socket_dir().display())
    }

    /// A `postgresql://` URL for database `name` (the form `medzk --registry` takes).
    pub fn url_form(&self, name: &str) -> String {
        format!("postgresql:///{name}?host={}&user=medzk", self.socket_dir().display())
    }

    /// Creates an empty database and returns its connection string.
    pub fn create_database(&self, name: &str) -> Result<String, ClusterError> {
        if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(ClusterError::Step { step: "create database", detail: format!("bad name {name:?}") });
        }
        let mut client = postgres::Client::connect(&self.url("postgres"), postgres::NoTls)
            .map_err(|e| ClusterError::Step { step: "connect", detail: e.to_string() })?;
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .map_err(|e| ClusterError::Step { step: "create database", detail: e.to_string() })?;
        Ok(self.url(name))
    }

    /// Stops the server at once (as a crash would).
    pub fn kill(&self) -> Result<(), ClusterError> {
        let data = self.data();
        let data = data.to_str().unwrap_or_default().to_string();
        self.run("pg_ctl", "pg_ctl stop", &["-D", &data, "-m", "immediate", "-w", "stop"]).map(|_| ())
    }
}

impl Drop for TempCluster {
    fn drop(&mut self) {
        let _ = self.kill();
    }
}
