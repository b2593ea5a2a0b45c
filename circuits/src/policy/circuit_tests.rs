use super::circuit::PolicyCircuit;
use super::eval::{EvalContext, PolicyWitness};
use super::*;
use crate::code::Code;
use crate::date::Day;
use crate::field;
use crate::fixtures::{PolicyFixture, TrialPatient, border_dcc_policy, codes, trial_policy};
use crate::holder::HolderSecret;
use crate::r1cs::R1cs;
use crate::record::{Record, RecordData, Salt};
use crate::statement::{PUBLIC_INPUT_NAMES, PolicyShape, PublicInputs};
use crate::tree::Depth;
use crate::valueset::ValueSet;
use ark_ff::AdditiveGroup;

fn today() -> Day {
    Day::from_ymd(2026, 11, 24).unwrap()
}

fn depth() -> Depth {
    Depth::new(4).unwrap()
}

pub(super) fn public(policy: &Policy, f: &PolicyFixture, w: &PolicyWitness) -> PublicInputs {
    PublicInputs {
        root: f.root(),
        policy_hash: policy.hash(),
        today: f.today,
        context: Fr::from(77u64),
        nullifier: w.nullifier(policy),
    }
}

pub(super) fn synth(policy: &Policy, f: &PolicyFixture, w: PolicyWitness) -> R1cs {
    let c = PolicyCircuit::new(f.tree.depth(), policy.clone(), public(policy, f, &w), w);
    R1cs::synthesize(|cs| c.synthesize(cs)).unwrap()
}

fn witness(policy: &Policy, f: &PolicyFixture, value_sets: &[ValueSet]) -> PolicyWitness {
    let ctx = EvalContext { today: f.today, value_sets };
    PolicyWitness::build(policy, f.secret.clone(), &f.credentials(), &ctx).unwrap()
}

fn trial_fixture(depth: Depth) -> PolicyFixture {
    let secret = HolderSecret::from_bytes(&[5; 32]).unwrap();
    let records = TrialPatient::eligible().records(&secret, today());
    PolicyFixture::new(depth, secret, &records, 3, today(), 1)
}

#[test]
fn trial_proof_satisfies_with_pinned_shape() {
    let policy = trial_policy();
    let f = trial_fixture(Depth::default());
    let w = witness(&policy, &f, &[]);
    let c = PolicyCircuit::new(Depth::default(), policy.clone(), public(&policy, &f, &w), w);
    let r = R1cs::synthesize(|cs| c.synthesize(cs)).unwrap();
    assert_eq!(r.failing_region(), None);
    assert_eq!(r.num_public_inputs(), PUBLIC_INPUT_NAMES.len());
    assert_eq!(r.public_inputs(), c.public_inputs().to_field_elements());
    assert_eq!(r.num_constraints(), CONSTRAINTS_DEFAULT_SHAPE);
    let blank = PolicyCircuit::blank(policy.statement(Depth::default()));
    let b = R1cs::synthesize(|cs| blank.synthesize(cs)).unwrap();
    assert_eq!(b.matrix_digest(), r.matrix_digest(), "one setup serves every policy of the shape");
}

/// Constraints of the default shape (K = 4, M = 16, G = 4) at depth 32.
const CONSTRAINTS_DEFAULT_SHAPE: usize = 32_000;

#[test]
fn border_groups_each_prove() {
    let policy = border_dcc_policy();
    let secret = HolderSecret::from_bytes(&[7; 32]).unwrap();
    let id = secret.id();
    let t = today();
    let cases = [
        RecordData::immunization(id, "cvx|208".parse().unwrap(), Day(t.0 - 30), 2, 2, "L1", "c"),
        RecordData::observation(id, codes::pcr(), Day(t.0 - 3), 0, Some(codes::not_detected()), "lab"),
        RecordData::observation(id, codes::pcr(), Day(t.0 - 180), 1, Some(codes::detected()), "lab"),
    ];
    for (g, record) in cases.iter().enumerate() {
        let f = PolicyFixture::new(depth(), secret.clone(), std::slice::from_ref(record), 2, t, 4);
        let w = witness(&policy, &f, &[]);
        assert_eq!(w.group, g);
        assert_eq!(synth(&policy, &f, w).failing_region(), None, "group {g}");
    }
}

#[test]
fn one_setup_serves_several_policies_and_a_policy_is_bound() {
    let trial = trial_policy();
    let border = border_dcc_policy();
    let d1 = R1cs::synthesize(|cs| PolicyCircuit::blank(trial.statement(depth())).synthesize(cs)).unwrap();
    let d2 = R1cs::synthesize(|cs| PolicyCircuit::blank(border.statement(depth())).synthesize(cs)).unwrap();
    assert_eq!(d1.matrix_digest(), d2.matrix_digest());
    // A proof instance for the trial policy does not satisfy under the border policy's hash.
    let f = trial_fixture(depth());
    let w = witness(&trial, &f, &[]);
    let mut p = public(&trial, &f, &w);
    p.policy_hash = border.hash();
    let c = PolicyCircuit::new(depth(), trial.clone(), p, w);
    let r = R1cs::synthesize(|cs| c.synthesize(cs)).unwrap();
    assert_eq!(r.failing_region(), Some("policy hash"));
}

#[test]
fn the_same_record_cannot_fill_two_slots() {
    let policy = Policy::from_json(
        &serde_json::json!({
            "statement": "policy", "version": 1, "scope": "s",
            "records": [{"name": "a", "kind": "observation"}, {"name": "b", "kind": "observation"}],
            "groups": [{"name": "two tests", "clauses": [
                {"record": "a", "slot": "code", "op": "eq", "value": "loinc|94500-6"},
                {"record": "b", "slot": "code", "op": "eq", "value": "loinc|94500-6"}
            ]}]
        })
        .to_string(),
    )
    .unwrap();
    let secret = HolderSecret::from_bytes(&[8; 32]).unwrap();
    let test = RecordData::observation(secret.id(), codes::pcr(), Day(today().0 - 1), 0, None, "lab");
    let f = PolicyFixture::new(depth(), secret.clone(), &[test.clone(), test], 0, today(), 5);
    // Two records with the same contents but different salts are two records.
    assert_eq!(synth(&policy, &f, witness(&policy, &f, &[])).failing_region(), None);
    // The same record twice is not.
    let creds = f.credentials();
    let mut records: Vec<Option<(Record, crate::tree::MerklePath)>> = vec![None; 4];
    records[0] = Some(creds[0].clone());
    records[1] = Some(creds[0].clone());
    let w = PolicyWitness { secret, group: 0, records, value_set: None };
    assert_eq!(synth(&policy, &f, w).failing_region(), Some("distinct records"));
}

#[test]
fn records_of_two_holders_cannot_be_combined() {
    let policy = trial_policy();
    let f = trial_fixture(depth());
    let stranger = HolderSecret::from_bytes(&[11; 32]).unwrap();
    let theirs = TrialPatient::eligible().records(&stranger, today());
    let mut tree = f.tree.clone();
    let foreign = theirs[2].encode(&Salt::from_field(Fr::from(3u64)));
    tree.insert(12, foreign.commitment());
    let g = PolicyFixture { tree, secret: f.secret.clone(), records: f.records.clone(), today: f.today };
    let mut w = witness(&policy, &g, &[]);
    w.records[2] = Some((foreign, g.tree.inclusion_path(12)));
    assert_eq!(synth(&policy, &g, w).failing_region(), Some("registry membership"));
}

#[test]
fn unused_slots_do_not_change_the_outcome() {
    let policy = border_dcc_policy();
    let secret = HolderSecret::from_bytes(&[12; 32]).unwrap();
    let t = today();
    let negative =
        RecordData::observation(secret.id(), codes::pcr(), Day(t.0 - 1), 0, Some(codes::not_detected()), "l");
    let f = PolicyFixture::new(depth(), secret.clone(), &[negative], 1, t, 6);
    let w = witness(&policy, &f, &[]);
    assert_eq!(w.group, 1);
    // Junk in the unused slots (records in no registry, of another holder).
    let junk = Record::from_slots([Fr::from(99u64); crate::record::SLOTS]);
    let mut noisy = w.clone();
    noisy.records[0] = Some((junk.clone(), f.tree.inclusion_path(0)));
    noisy.records[2] = Some((junk, f.tree.inclusion_path(0)));
    assert_eq!(synth(&policy, &f, noisy.clone()).failing_region(), None);
    // Selecting a group that reads the junk is unsatisfied.
    noisy.group = 0;
    assert!(synth(&policy, &f, noisy).failing_region().is_some());
    // A policy that fails for the holder cannot be rescued by unused slots either.
    let stale =
        RecordData::observation(secret.id(), codes::pcr(), Day(t.0 - 4), 0, Some(codes::not_detected()), "l");
    let g = PolicyFixture::new(depth(), secret, &[stale], 1, t, 7);
    let mut w = w;
    w.records[1] = Some(g.credentials()[0].clone());
    assert_eq!(synth(&policy, &g, w).failing_region(), Some("clause"));
}

#[test]
fn value_set_membership_and_non_membership() {
    let codes: Vec<Code> = (0..300).map(|i| Code::new("icd10", &format!("E11.{i}")).unwrap()).collect();
    let set = ValueSet::of_codes("t2d", &codes).unwrap();
    let doc = |op: &str| {
        serde_json::json!({
            "statement": "policy", "version": 1, "scope": "s",
            "records": [{"name": "dx", "kind": "condition"}],
            "value_sets": [{"name": "t2d", "root": field::to_hex(&set.root())}],
            "groups": [{"name": "g", "clauses": [{"record": "dx", "slot": "code", "op": op, "value_set": "t2d"}]}]
        })
        .to_string()
    };
    let secret = HolderSecret::from_bytes(&[13; 32]).unwrap();
    let dx = |code: &Code| {
        RecordData::condition(
            secret.id(),
            code.clone(),
            Day(100),
            crate::record::ClinicalStatus::Active,
            None,
            "c",
        )
    };
    let inside = PolicyFixture::new(depth(), secret.clone(), &[dx(&codes[123])], 0, today(), 8);
    let outside =
        PolicyFixture::new(depth(), secret.clone(), &[dx(&"icd10|I10".parse().unwrap())], 0, today(), 9);
    let sets = [set.clone()];
    for (op, member_ok) in [("in_value_set", true), ("not_in_value_set", false)] {
        let policy = Policy::from_json(&doc(op)).unwrap();
        let (good, bad) = if member_ok { (&inside, &outside) } else { (&outside, &inside) };
        assert_eq!(synth(&policy, good, witness(&policy, good, &sets)).failing_region(), None, "{op}");
        let ctx = EvalContext { today: today(), value_sets: &sets };
        assert!(PolicyWitness::build(&policy, secret.clone(), &bad.credentials(), &ctx).is_err());
        // Forcing the other record with the honest record's proof fails in the lane.
        let mut w = witness(&policy, good, &sets);
        w.records[0] = Some(bad.credentials()[0].clone());
        assert_eq!(synth(&policy, bad, w).failing_region(), Some("value set"), "{op}");
    }
}

/// The lower sentinel leaf `(0, v₁)` must not prove that 0 is a member (found by the
/// agreement property test): a record whose `ext` is empty (0) is not in any value set.
#[test]
fn the_zero_sentinel_is_not_a_member() {
    let set = ValueSet::of_codes("lots", &[Code::new("sct", "1").unwrap()]).unwrap();
    let policy = Policy::from_json(
        &serde_json::json!({
            "statement": "policy", "version": 1, "scope": "s",
            "records": [{"name": "t", "kind": "observation"}],
            "value_sets": [{"name": "lots", "root": field::to_hex(&set.root())}],
            "groups": [{"name": "g", "clauses": [{"record": "t", "slot": "ext", "op": "in_value_set", "value_set": "lots"}]}]
        })
        .to_string(),
    )
    .unwrap();
    let secret = HolderSecret::from_bytes(&[14; 32]).unwrap();
    let plain = RecordData::observation(secret.id(), codes::pcr(), Day(100), 0, None, "lab");
    let f = PolicyFixture::new(depth(), secret.clone(), &[plain], 0, today(), 10);
    let sets = [set.clone()];
    let ctx = EvalContext { today: today(), value_sets: &sets };
    assert!(PolicyWitness::build(&policy, secret.clone(), &f.credentials(), &ctx).is_err());
    let sentinel = set.prove(&Fr::from(1u64)).unwrap(); // the leaf (0, v₁)
    assert_eq!(sentinel.low, Fr::ZERO);
    let mut records = vec![None; 4];
    records[0] = Some(f.credentials()[0].clone());
    let w = PolicyWitness { secret, group: 0, records, value_set: Some(sentinel) };
    assert_eq!(synth(&policy, &f, w).failing_region(), Some("value set"));
}

/// Witness-mutation sweep over the general policy circuit: every witness is pinned,
/// including the inverses of inactive checks (each is forced to 0 when its check is
/// off), so the allowlist is empty.
#[test]
fn mutation_sweep_finds_no_free_witness() {
    let policy = trial_policy();
    let f = trial_fixture(depth());
    let mut r = synth(&policy, &f, witness(&policy, &f, &[]));
    assert_eq!(r.failing_region(), None);
    let free = r.mutation_sweep();
    assert_eq!(free, vec![], "{free:?}");
    // With a value-set clause active, the lane has no free witness either.
    let codes: Vec<Code> = (0..40).map(|i| Code::new("icd10", &format!("E11.{i}")).unwrap()).collect();
    let set = ValueSet::of_codes("t2d", &codes).unwrap();
    let doc = serde_json::json!({
        "statement": "policy", "version": 1, "scope": "s",
        "records": [{"name": "dx", "kind": "condition"}],
        "value_sets": [{"name": "t2d", "root": field::to_hex(&set.root())}],
        "groups": [{"name": "g", "clauses": [{"record": "dx", "slot": "code", "op": "in_value_set", "value_set": "t2d"}]}]
    });
    let policy = Policy::from_json(&doc.to_string()).unwrap();
    let secret = HolderSecret::from_bytes(&[15; 32]).unwrap();
    let dx = RecordData::condition(
        secret.id(),
        codes[7].clone(),
        Day(100),
        crate::record::ClinicalStatus::Active,
        None,
        "c",
    );
    let g = PolicyFixture::new(depth(), secret, &[dx], 0, today(), 11);
    let mut r = synth(&policy, &g, witness(&policy, &g, std::slice::from_ref(&set)));
    assert_eq!(r.failing_region(), None);
    let free = r.mutation_sweep();
    // Even the three unused record slots are pinned: their values feed the commitment
    // hashes, whose every S-box is a constraint.
    assert_eq!(free, vec![], "{free:?}");
}

/// "At least two doses of one vaccine, the second 21 to 365 days after the first, the
/// latest within a year": a counted record and a relative date, proven with the holder's
/// k − 1, k and k + 1 qualifying doses (and doses of other vaccines beside them).
#[test]
fn counted_doses_with_an_interval_prove_exactly_from_k() {
    let doc = serde_json::json!({
        "statement": "policy", "version": 1, "scope": "clinic:count",
        "records": [{"name": "dose", "kind": "immunization", "count": 2}],
        "groups": [{"name": "two doses", "clauses": [
            {"record": "dose", "slot": "code", "op": "eq", "value": "cvx|208"},
            {"record": "dose[2]", "slot": "date", "op": "between", "other": "dose[1].date", "min": 21, "max": 365},
            {"record": "dose[2]", "slot": "date", "op": "date_within", "min": 0, "max": 365}
        ]}]
    });
    let policy = Policy::from_json(&doc.to_string()).unwrap();
    assert_eq!(policy.groups()[0].clauses.len(), 4, "the code clause reads both copies");
    let secret = HolderSecret::from_bytes(&[6; 32]).unwrap();
    let dose = |code: &str, days_ago: i32, n: u64| {
        RecordData::immunization(
            secret.id(),
            code.parse().unwrap(),
            today().checked_add(-days_ago).unwrap(),
            n,
            2,
            "LOT1",
            "clinic:a",
        )
    };
    let other = dose("cvx|207", 100, 1);
    for (qualifying, holds) in [(1, false), (2, true), (3, true)] {
        let records: Vec<RecordData> =
            [dose("cvx|208", 200, 1), dose("cvx|208", 150, 2), dose("cvx|208", 20, 3)][..qualifying]
                .iter()
                .cloned()
                .chain([other.clone()])
                .collect();
        let f = PolicyFixture::new(depth(), secret.clone(), &records, 2, today(), 9);
        let ctx = EvalContext { today: f.today, value_sets: &[] };
        let built = PolicyWitness::build(&policy, f.secret.clone(), &f.credentials(), &ctx);
        assert_eq!(built.is_ok(), holds, "{qualifying} qualifying doses: {built:?}");
        if let Ok(w) = built {
            assert_eq!(synth(&policy, &f, w).failing_region(), None, "{qualifying} doses");
        }
    }
    // Doses too close together (14 days) do not satisfy the interval.
    let close = [dose("cvx|208", 100, 1), dose("cvx|208", 86, 2)];
    let f = PolicyFixture::new(depth(), secret.clone(), &close, 2, today(), 9);
    let ctx = EvalContext { today: f.today, value_sets: &[] };
    let e = PolicyWitness::build(&policy, f.secret.clone(), &f.credentials(), &ctx).unwrap_err().to_string();
    assert!(
        e.contains("dose[2].date − dose[1].date between 21 and 365") && e.contains("difference is"),
        "{e}"
    );
    // One record in both copies is refused by the circuit, not only by the evaluator.
    let f = PolicyFixture::new(depth(), secret.clone(), &[dose("cvx|208", 30, 1)], 2, today(), 9);
    let (r, p) = f.credentials().remove(0);
    let w = PolicyWitness {
        secret: f.secret.clone(),
        group: 0,
        records: vec![Some((r.clone(), p.clone())), Some((r, p)), None, None],
        value_set: None,
    };
    assert!(
        w.check(&policy, f.tree.depth(), &f.root(), &EvalContext { today: f.today, value_sets: &[] })
            .is_err()
    );
    assert_ne!(synth(&policy, &f, w).failing_region(), None);
}

/// An exclusion criterion ("no epilepsy known to the national register") proven from an
/// attested absence: the policy pins the value set by its root, the source by its issuer
/// id and the search by its as-of day.
#[test]
fn attested_absence_proves_an_exclusion_and_nothing_else() {
    let epilepsy =
        ValueSet::of_codes("epilepsy", &["icd10|G40.9".parse().unwrap(), "icd10|G40.1".parse().unwrap()])
            .unwrap();
    let other = ValueSet::of_codes("other", &["icd10|E11.9".parse().unwrap()]).unwrap();
    let code = crate::record::absence_code(epilepsy.root()).to_string();
    assert!(code.starts_with("urn:medzk:value-set|0x"), "{code}");
    let doc = serde_json::json!({
        "statement": "policy", "version": 1, "scope": "trial:x",
        "records": [{"name": "no_epilepsy", "kind": "absence"}],
        "groups": [{"name": "g", "clauses": [
            {"record": "no_epilepsy", "slot": "code", "op": "eq", "value": code},
            {"record": "no_epilepsy", "slot": "issuer", "op": "eq", "value": "registry:npr"},
            {"record": "no_epilepsy", "slot": "date", "op": "date_within", "min": 0, "max": 30},
            {"record": "no_epilepsy", "slot": "aux", "op": "absent"}
        ]}]
    });
    let policy = Policy::from_json(&doc.to_string()).unwrap();
    let secret = HolderSecret::from_bytes(&[8; 32]).unwrap();
    let absence = |set: &ValueSet, days_ago: i32, since: Option<Day>, issuer: &str| {
        RecordData::absence(secret.id(), set.root(), today().checked_add(-days_ago).unwrap(), since, issuer)
    };
    let outcome = |records: &[RecordData]| {
        let f = PolicyFixture::new(depth(), secret.clone(), records, 2, today(), 3);
        let ctx = EvalContext { today: f.today, value_sets: &[] };
        PolicyWitness::build(&policy, f.secret.clone(), &f.credentials(), &ctx)
            .map(|w| synth(&policy, &f, w).failing_region())
    };
    assert_eq!(outcome(&[absence(&epilepsy, 10, None, "registry:npr")]), Ok(None));
    // Another set, another source, an old search, or a search of part of the history.
    assert!(outcome(&[absence(&other, 10, None, "registry:npr")]).is_err());
    assert!(outcome(&[absence(&epilepsy, 10, None, "clinic:self")]).is_err());
    assert!(outcome(&[absence(&epilepsy, 31, None, "registry:npr")]).is_err());
    let since = Day::from_ymd(2020, 1, 1).unwrap();
    assert!(outcome(&[absence(&epilepsy, 10, Some(since), "registry:npr")]).is_err());
    // Issuance refuses an absence that names no value set, or searched after its as-of day.
    let mut bad = absence(&epilepsy, 10, None, "registry:npr");
    bad.code = "icd10|G40.9".parse().unwrap();
    assert!(crate::issuance::check_record(&bad, today()).is_err());
    let late = absence(&epilepsy, 10, Some(today()), "registry:npr");
    assert!(crate::issuance::check_record(&late, today()).is_err());
    assert!(crate::issuance::check_record(&absence(&epilepsy, 0, None, "registry:npr"), today()).is_ok());
}

/// The shapes for rule families stay inside the 2^15 evaluation domain that keeps proving
/// fast (Groth16's domain holds the constraints and one row per instance variable):
/// pinned, so that a change to the clause logic that would double the proving time of a
/// country's whole rule fails here (docs/policies.md "Circuit cost").
#[test]
fn rule_family_shapes_fit_the_2_15_domain() {
    for (shape, pinned) in [
        (PolicyShape { records: 1, clauses: 32, groups: 8 }, 21_387),
        (PolicyShape { records: 3, clauses: 32, groups: 8 }, 32_746),
    ] {
        let blank = PolicyCircuit::blank(crate::statement::StatementId::policy(Depth::default(), shape));
        let r = R1cs::synthesize(|cs| blank.synthesize(cs)).unwrap();
        assert_eq!(r.num_constraints(), pinned, "{shape:?}");
        // The instance rows: the public inputs and the constant one.
        let instance_rows = r.num_public_inputs() + 1;
        assert!(r.num_constraints() + instance_rows <= 1 << 15, "{shape:?}");
    }
}
