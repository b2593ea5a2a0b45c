//! Counted records: a record declared with `"count": n` stands for `n` record slots
//! `name[1]` … `name[n]` of its kind, and a clause on `name` for one clause per copy
//! (docs/policies.md "Counts"). Expanded when a document is validated: the circuit sees
//! plain records and clauses.

use std::collections::BTreeSet;

use super::{PolicyError, RecordSpec};

/// Most copies a counted record may stand for (the largest shape's record slots).
const MAX_COUNT: u8 = 8;

/// The record slots of the declared records: a record with `"count": n` becomes `n` slots
/// `name[1]` … `name[n]` of its kind.
pub(super) fn expand_records(declared: &[RecordSpec]) -> Result<Vec<RecordSpec>, PolicyError> {
    let mut out: Vec<RecordSpec> = Vec::new();
    for r in declared {
        match r.count {
            None => out.push(r.clone()),
            Some(n) if (1..=MAX_COUNT).contains(&n) => out.extend((1..=n).map(|i| RecordSpec {
                name: format!("{}[{i}]", r.name),
                kind: r.kind,
                count: None,
            })),
            Some(n) => {
                return Err(PolicyError::Shape(format!(
                    "record {:?} has count {n}; a count is 1 to {MAX_COUNT}",
                    r.name
                )));
            }
        }
    }
    let mut names = BTreeSet::new();
    for r in &out {
        if !names.insert(r.name.clone()) {
            return Err(PolicyError::Duplicate { what: "record", name: r.name.clone() });
        }
    }
    Ok(out)
}

/// The record slots a clause's `record` names: every copy of a counted record, or the
/// name itself (a record, a copy `name[i]`, or an unknown name for `normalize` to refuse).
pub(super) fn copies(declared: &[RecordSpec], name: &str) -> Vec<String> {
    match declared.iter().find(|r| r.name == name).and_then(|r| r.count) {
        Some(n) => (1..=n).map(|i| format!("{name}[{i}]")).collect(),
        None => vec![name.to_string()],
    }
}
