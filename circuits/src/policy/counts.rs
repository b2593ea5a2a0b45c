//! The declared records as the circuit sees them. Counted records: a record declared with
//! `"count": n` stands for `n` record slots `name[1]` … `name[n]` of its kind, and a
//! clause on `name` for one clause per copy (docs/policies.md "Counts"), expanded when a
//! document is validated: the circuit sees plain records and clauses. Codes records: each
//! names the record it completes (docs/policies.md "Codes records").

use std::collections::BTreeSet;

use super::{PolicyError, RecordSpec};
use crate::record::RecordKind;

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
                of: None,
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

/// A record of kind `codes` names with `of` the record it completes: another record of
/// the policy, not a codes record, with no other codes record; other kinds name none.
pub(super) fn check_codes_records(
    records: &[RecordSpec],
    declared: &[RecordSpec],
) -> Result<(), PolicyError> {
    let bad = |name: &str, why: String| Err(PolicyError::Shape(format!("record {name:?}: {why}")));
    for r in declared.iter().filter(|r| r.count.is_some()) {
        if r.kind == RecordKind::Codes || r.of.is_some() {
            return bad(&r.name, "a codes record names one record: it has no count".into());
        }
    }
    let mut completed = BTreeSet::new();
    for r in records {
        match (r.kind, r.of.as_deref()) {
            (RecordKind::Codes, None) => {
                return bad(&r.name, "a codes record names the record it completes: \"of\"".into());
            }
            (RecordKind::Codes, Some(of)) => {
                let Some(main) = records.iter().find(|m| m.name == of) else {
                    return bad(&r.name, format!("\"of\" names no record of the policy ({of:?})"));
                };
                if main.kind == RecordKind::Codes {
                    return bad(&r.name, format!("{of:?} is itself a codes record"));
                }
                if !completed.insert(of) {
                    return bad(&r.name, format!("{of:?} already has a codes record"));
                }
            }
            (kind, Some(_)) => {
                return bad(
                    &r.name,
                    format!("only a codes record names another with \"of\"; this one is {kind:?}"),
                );
            }
            (_, None) => {}
        }
    }
    Ok(())
}
