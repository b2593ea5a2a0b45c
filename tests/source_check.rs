//! Source check: no unchecked decoding, no unchecked comparison and no reduction modulo
//! the field order outside tests — except the lines marked with a reason
//! (`medzk-allow-unchecked: …` or `medzk-allow-mod-order: …`, on the line or in the
//! comment right above it), each of which handles trusted data.

use std::path::{Path, PathBuf};

const PATTERNS: [&str; 3] = ["_unchecked(", "_mod_order(", "enforce_cmp_unchecked"];
const MARKERS: [&str; 2] = ["medzk-allow-unchecked:", "medzk-allow-mod-order:"];
const SOURCES: [&str; 9] = [
    "circuits/src",
    "formats/src",
    "prover/src",
    "verifier/src",
    "registry/src",
    "bindings",
    "benches/src",
    "src",
    "examples",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if path.is_dir() {
            if !matches!(name, "tests" | "target" | "node_modules" | "pkg" | "dist") {
                rust_files(&path, out);
            }
        } else if name.ends_with(".rs") && name != "tests.rs" && !name.ends_with("_tests.rs") {
            out.push(path);
        }
    }
}

/// Every flagged line outside tests, with whether it carries a reason.
fn flagged() -> Vec<(String, bool)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in SOURCES {
        rust_files(&root.join(dir), &mut files);
    }
    assert!(files.len() > 40, "found the sources");
    let mut out = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            if line.trim_start().starts_with("#[cfg(test)]") {
                break; // test modules close every file
            }
            if line.trim_start().starts_with("//") || !PATTERNS.iter().any(|p| line.contains(p)) {
                continue;
            }
            let marked = |l: &str| MARKERS.iter().any(|m| l.contains(m));
            // The marker is on the line, or in the comment block right above it.
            let above = lines[..i].iter().rev().take_while(|l| l.trim_start().starts_with("//"));
            let reason = marked(line) || above.into_iter().any(|l| marked(l));
            let at = file.strip_prefix(root).unwrap().display().to_string();
            out.push((format!("{at}:{}: {}", i + 1, line.trim()), reason));
        }
    }
    out
}

#[test]
fn no_unchecked_decoding_or_reduction_outside_the_allowlist() {
    let unexplained: Vec<String> = flagged().into_iter().filter(|(_, ok)| !ok).map(|(l, _)| l).collect();
    assert!(unexplained.is_empty(), "unchecked use without a reason:\n{}", unexplained.join("\n"));
}

#[test]
fn the_allowlist_is_short_and_known() {
    let allowed: Vec<String> = flagged().into_iter().map(|(l, _)| l).collect();
    // The proving key (digest-checked, the prover's own file), the context (a transcript
    // challenge), re-reading our own canonical bytes when sorting sets, and the MSM's
    // chord-rule sums (points computed from curve points, not decoded).
    assert_eq!(allowed.len(), 5, "{allowed:#?}");
    assert!(
        allowed
            .iter()
            .any(|l| l.starts_with("prover/src/key.rs") && l.contains("deserialize_uncompressed_unchecked"))
    );
    assert!(
        allowed
            .iter()
            .any(|l| l.starts_with("circuits/src/context.rs") && l.contains("from_le_bytes_mod_order"))
    );
}
