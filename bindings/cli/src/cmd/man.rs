//! `medzk completions` and `medzk man`: shell completions (clap_complete) and man pages
//! (clap_mangen), generated from the same command definitions the parser uses.

use std::path::PathBuf;

use clap::Args;
use clap_complete::Shell;
use serde_json::json;

use crate::io::{CliError, CliResult};
use crate::report::{Report, shown};

/// Arguments of `completions`.
#[derive(Args)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, elvish or powershell.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// Arguments of `man`.
#[derive(Args)]
pub struct ManArgs {
    /// Write medzk.1 and one page per subcommand (medzk-verify.1, …) into this directory
    /// instead of printing medzk.1.
    #[arg(long)]
    pub dir: Option<PathBuf>,
}

/// Prints the top-level page, or writes every page into `--dir`.
pub fn man(args: &ManArgs, command: clap::Command) -> CliResult<Report> {
    match &args.dir {
        None => {
            let mut out = Vec::new();
            clap_mangen::Man::new(command)
                .render(&mut out)
                .map_err(|e| CliError::Input(format!("man page: {e}")))?;
            Ok(Report::new(String::from_utf8_lossy(&out).trim_end(), json!(null)))
        }
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|e| CliError::file(dir, crate::io::plain(&e)))?;
            clap_mangen::generate_to(command, dir).map_err(|e| CliError::file(dir, crate::io::plain(&e)))?;
            let mut pages: Vec<String> = std::fs::read_dir(dir)
                .map_err(|e| CliError::file(dir, crate::io::plain(&e)))?
                .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
                .filter(|name| name.starts_with("medzk") && name.ends_with(".1"))
                .collect();
            pages.sort();
            Ok(Report::new(
                format!("wrote {} man pages into {}", pages.len(), dir.display()),
                json!({ "dir": shown(dir), "pages": pages }),
            ))
        }
    }
}
