//! `medzk holder keygen`.

use std::path::PathBuf;

use clap::Args;
use medzk_circuits::credential::HolderKeyFile;
use medzk_circuits::holder::HolderSecret;

use crate::io::{self, CliResult};

/// Arguments of `holder keygen`.
#[derive(Args)]
pub struct KeygenArgs {
    /// Where to write the holder key (readable only by you; never replaced without --force).
    #[arg(long)]
    pub out: PathBuf,
    /// Replace an existing key file. Every credential issued to the old holder id
    /// becomes unusable: keep a copy of the old key if any were issued.
    #[arg(long)]
    pub force: bool,
}

/// Generates and writes a holder key.
pub fn keygen(args: &KeygenArgs) -> CliResult<HolderKeyFile> {
    let secret = HolderSecret::generate(&mut rand::rngs::OsRng);
    let file = HolderKeyFile::new(secret);
    io::write_private(&args.out, file.to_json().as_bytes(), args.force)?;
    Ok(file)
}
