//! The holder's JSON files — credential, holder key, inclusion path — and value sets.
#![no_main]

use libfuzzer_sys::fuzz_target;
use medzk_circuits::credential::{Credential, HolderKeyFile, InclusionFile};
use medzk_circuits::valueset::ValueSet;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(c) = Credential::from_json(text) {
        let _ = c.slots().commitment();
    }
    let _ = HolderKeyFile::from_json(text);
    if let Ok(p) = InclusionFile::from_json(text) {
        let _ = p.path.root(p.root);
    }
    if let Ok(set) = ValueSet::from_json(text) {
        let _ = set.root();
    }
});
