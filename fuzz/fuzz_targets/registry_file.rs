//! Registry database files: opening and reading a damaged or foreign file gives an error,
//! never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use medzk_registry::Registry;

fuzz_target!(|data: &[u8]| {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("registry.redb");
    std::fs::write(&path, data).unwrap();
    if let Ok(reg) = Registry::open(&path) {
        let _ = reg.root();
        let _ = reg.len();
        let _ = reg.history();
        let _ = reg.verify();
        let _ = reg.path(0);
        let _ = reg.trusted_roots(0, 10);
    }
});
