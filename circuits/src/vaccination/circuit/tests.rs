use super::*;
use crate::code::Code;
use crate::fixtures::VaccinationFixture;
use crate::r1cs::R1cs;
use crate::statement::PUBLIC_INPUT_NAMES;
use crate::vaccination::{DayWindow, Unmet};
use proptest::prelude::*;

const CONTEXT: u64 = 77;

fn public_for(f: &VaccinationFixture, w: &VaccinationWitness) -> PublicInputs {
    PublicInputs {
        root: f.root(),
        policy_hash: f.policy.hash(),
        today: f.today,
        context: Fr::from(CONTEXT),
        nullifier: w.nullifier(&f.policy),
    }
}

fn circuit(f: &VaccinationFixture) -> VaccinationCircuit {
    let w = f.witness();
    VaccinationCircuit::new(f.tree.depth(), f.policy.clone(), public_for(f, &w), w)
}

fn synth(c: &VaccinationCircuit) -> R1cs {
    R1cs::synthesize(|cs| c.synthesize(cs)).unwrap()
}

fn fixture(days_ago: i32) -> VaccinationFixture {
    VaccinationFixture::new(Depth::default(), 9, days_ago, 3)
}

/// Puts a slot-form record into the fixture's registry and returns its witness.
fn insert(f: &mut VaccinationFixture, record: Record) -> VaccinationWitness {
    let index = f.index + 1000;
    f.tree.insert(index, record.commitment());
    VaccinationWitness { record, secret: f.secret.clone(), path: f.tree.inclusion_path(index) }
}

fn with_witness(f: &VaccinationFixture, w: VaccinationWitness) -> VaccinationCircuit {
    VaccinationCircuit::new(f.tree.depth(), f.policy.clone(), public_for(f, &w), w)
}

#[track_caller]
fn assert_fails(c: &VaccinationCircuit, region: &str) {
    let r = synth(c);
    assert_eq!(r.failing_region(), Some(region));
}

#[test]
fn honest_witness_satisfies_with_pinned_shape() {
    let f = fixture(30);
    let c = circuit(&f);
    let r = synth(&c);
    assert!(r.is_satisfied());
    assert_eq!(r.num_constraints(), CONSTRAINTS_DEPTH_32);
    assert_eq!(r.num_public_inputs(), PUBLIC_INPUT_NAMES.len());
    // The allocation order is the native layout.
    assert_eq!(r.public_inputs(), c.public_inputs().to_field_elements());
    // The blank circuit used for setup has the same matrices.
    let blank = R1cs::synthesize(|cs| VaccinationCircuit::blank(Depth::default()).synthesize(cs)).unwrap();
    assert_eq!(blank.matrix_digest(), r.matrix_digest());
    assert_eq!(r.matrix_digest(), "7c448c6f4022581e");
}

#[test]
fn region_costs() {
    let r = synth(&circuit(&fixture(30)));
    let cost = |name: &str| {
        let region = r.regions.iter().find(|x| x.name == name).unwrap();
        region.constraints.len()
    };
    assert_eq!(cost("record witness"), 32 + 8 + 8);
    assert_eq!(cost("policy witness"), 16 + 16 + 8 + 1);
    assert_eq!(cost("path witness"), 2 * 16);
    assert_eq!(cost("holder id"), 243 - 6);
    assert_eq!(cost("record commitment"), 420 - 6);
    assert_eq!(cost("registry membership"), 16 * 303 + 1);
    assert_eq!(cost("nullifier"), 243 - 3 + 1);
    assert_eq!(cost("policy hash"), 2 * 420 - 3 + 1);
    assert_eq!(cost("approved vaccine"), 15);
    assert_eq!(cost("dose rule"), 9 + 1 + 9);
    assert_eq!(cost("date window"), 17 + 17);
}

#[test]
fn date_bounds_plus_minus_one_day() {
    for days in [14, 365] {
        assert!(synth(&circuit(&fixture(days))).is_satisfied(), "{days} days");
    }
    for days in [13, 366, -1, -400] {
        assert_fails(&circuit(&fixture(days)), "date window");
    }
}

#[test]
fn dates_out_of_range_do_not_fit() {
    let mut f = fixture(30);
    let base = f.witness().record;
    // A record dated 2^31 (beyond the range) is committed in the registry, yet the
    // bounded allocation cannot reproduce its date, so its commitment is never reached.
    let mut r = base.clone();
    r.set_slot(Slot::Date, Fr::from(DATE_BIAS));
    let w = insert(&mut f, r);
    assert_fails(&with_witness(&f, w), "registry membership");
    // p − 1 is day −1, in range: the window rejects it.
    let mut r = base;
    r.set_slot(Slot::Date, -Fr::ONE);
    let w = insert(&mut f, r);
    assert_fails(&with_witness(&f, w), "date window");
}

#[test]
fn doses_out_of_range_or_too_low() {
    let mut f = fixture(30);
    let base = f.witness().record;
    for bad in [Fr::from(256u64), -Fr::ONE] {
        for slot in [Slot::Value, Slot::Aux] {
            let mut r = base.clone();
            r.set_slot(slot, bad);
            let w = insert(&mut f, r);
            assert_fails(&with_witness(&f, w), "registry membership");
        }
    }
    let mut r = base.clone();
    r.set_slot(Slot::Value, Fr::from(1u64));
    let w = insert(&mut f, r);
    assert_fails(&with_witness(&f, w), "dose rule");
    let mut r = base;
    r.set_slot(Slot::Value, Fr::ZERO);
    r.set_slot(Slot::Aux, Fr::ZERO);
    let w = insert(&mut f, r);
    assert_fails(&with_witness(&f, w), "dose rule");
}

#[test]
fn vaccine_outside_the_set_and_wrong_kind() {
    let mut f = fixture(30);
    let base = f.witness().record;
    let mut r = base.clone();
    r.set_slot(Slot::Code, "cvx|999".parse::<Code>().unwrap().to_field());
    let w = insert(&mut f, r);
    assert_fails(&with_witness(&f, w), "approved vaccine");
    let mut r = base;
    r.set_slot(Slot::Kind, RecordKind::Observation.to_field());
    let w = insert(&mut f, r);
    assert_fails(&with_witness(&f, w), "registry membership");
}

#[test]
fn wrong_path_or_root() {
    let f = fixture(30);
    let good = f.witness();
    for level in [0, 7, 15] {
        let mut w = good.clone();
        w.path.siblings[level][1] += Fr::ONE;
        assert_fails(&with_witness(&f, w), "registry membership");
    }
    let mut w = good.clone();
    w.path.index ^= 1;
    assert_fails(&with_witness(&f, w), "registry membership");
    let mut c = circuit(&f);
    c.public.root = fixture(31).root();
    assert_fails(&c, "registry membership");
}

#[test]
fn wrong_holder_secret_or_nullifier() {
    let f = fixture(30);
    let mut w = f.witness();
    w.secret = HolderSecret::from_bytes(&[9; 32]).unwrap();
    let c = with_witness(&f, w);
    assert_fails(&c, "registry membership");
    let mut c = circuit(&f);
    c.public.nullifier += Fr::ONE;
    assert_fails(&c, "nullifier");
    // The nullifier of another scope.
    let mut c = circuit(&f);
    c.public.nullifier = f.secret.nullifier(&crate::holder::Scope::new("other").unwrap());
    assert_fails(&c, "nullifier");
}

#[test]
fn changing_any_record_slot_keeps_no_commitment() {
    let f = fixture(30);
    let good = f.witness();
    for slot in Slot::ALL {
        if matches!(slot, Slot::Kind | Slot::Holder) {
            continue; // a constant and a hash of the secret, not witnesses
        }
        let mut w = good.clone();
        w.record.set_slot(slot, good.record.slot(slot) + Fr::ONE);
        assert_fails(&with_witness(&f, w), "registry membership");
    }
}

#[test]
fn another_policy_does_not_match_the_policy_hash() {
    let f = fixture(30);
    let mut c = circuit(&f);
    let p = &f.policy;
    c.policy = VaccinationPolicy::new(
        p.scope().clone(),
        p.vaccines().to_vec(),
        DayWindow { min: 14, max: 366 },
        1,
        true,
    )
    .unwrap();
    assert_fails(&c, "policy hash");
}

#[test]
fn tampered_witness_variables_name_their_region() {
    // Flip the holder secret variable directly in the finalized system.
    let f = fixture(30);
    let mut r = synth(&circuit(&f));
    assert!(r.is_satisfied());
    let secret_var = 0;
    let old = r.witness(secret_var);
    r.set_witness(secret_var, old + Fr::ONE);
    assert_eq!(r.failing_region(), Some("holder id"));
    r.set_witness(secret_var, old);
    assert!(r.is_satisfied());
    // A date bit set to 2.
    let first_date_bit = 2;
    r.set_witness(first_date_bit, Fr::from(2u64));
    assert_eq!(r.failing_region(), Some("record witness"));
}

#[test]
fn context_is_not_constrained_but_public() {
    // Any context satisfies the circuit: the proof system binds it (tested end to end).
    let f = fixture(30);
    let mut c = circuit(&f);
    c.public.context = Fr::from(123_456u64);
    assert!(synth(&c).is_satisfied());
}

fn evaluate(f: &VaccinationFixture) -> Result<(), Unmet> {
    f.witness().check(&f.policy, f.tree.depth(), &f.root(), f.today)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// The native evaluator and the circuit agree, boundaries included.
    #[test]
    fn native_and_circuit_agree(
        days_ago in prop_oneof![-3i32..3, 10i32..18, 360i32..370, -5i32..800],
        dose in 0u64..4,
        series in 0i32..4,
        vaccine in prop_oneof![Just("cvx|208"), Just("cvx|207"), Just("cvx|88")],
        min in prop_oneof![Just(0u32), 10u32..20],
        span in prop_oneof![Just(0u32), 300u32..400],
        min_dose in 0u32..3,
        complete in any::<bool>(),
    ) {
        let base = fixture(0);
        let mut record = base.record.clone();
        record.date = Day(base.today.0 - days_ago);
        record.value = dose;
        record.aux = series;
        record.code = vaccine.parse().unwrap();
        let mut f = VaccinationFixture::with_record(
            Depth::new(4).unwrap(), 3, record, base.secret.clone(), base.today, 5);
        let p = &base.policy;
        f.policy = VaccinationPolicy::new(
            p.scope().clone(), p.vaccines().to_vec(), DayWindow { min, max: min + span }, min_dose, complete,
        ).unwrap();
        let native = evaluate(&f);
        let r = synth(&circuit(&f));
        prop_assert_eq!(native.is_ok(), r.is_satisfied(), "native {:?}, circuit fails in {:?}", native, r.failing_region());
    }
}

#[test]
fn commitment_gadget_equals_native() {
    use ark_r1cs_std::{GR1CSVar, alloc::AllocVar};
    let f = fixture(30);
    let record = f.witness().record;
    let r = R1cs::synthesize(|cs| {
        let slots: Vec<FpVar<Fr>> = record
            .slots()
            .iter()
            .map(|s| FpVar::new_witness(cs.clone(), || Ok(*s)))
            .collect::<Result<_, _>>()?;
        let c = Poseidon::t10().hash_var(tags::COMMITMENT, &slots)?;
        assert_eq!(c.value()?, record.commitment());
        Ok(vec![])
    })
    .unwrap();
    assert!(r.is_satisfied());
}

#[test]
fn a_path_bit_assigned_two_is_unsatisfied() {
    let f = fixture(30);
    let mut r = synth(&circuit(&f));
    let path = r.regions.iter().find(|x| x.name == "path witness").unwrap().clone();
    // The first path-bit witness follows the record and policy witnesses; find it by
    // setting candidates to 2 and checking which constraint in the region breaks.
    let uses = r.witness_uses();
    let bits: Vec<usize> = (0..r.num_witnesses())
        .filter(|w| uses[*w].len() > 1 && uses[*w].iter().any(|c| path.constraints.contains(c)))
        .filter(|w| r.witness(*w) == Fr::ZERO || r.witness(*w) == Fr::ONE)
        .collect();
    assert_eq!(bits.len(), 32, "two position bits per level");
    for w in bits {
        let old = r.witness(w);
        for bad in [Fr::from(2u64), -Fr::ONE] {
            r.set_witness(w, bad);
            assert!(!r.is_satisfied());
        }
        r.set_witness(w, old);
    }
    assert!(r.is_satisfied());
}

/// Witness-mutation sweep: every witness variable of the vaccination circuit is pinned —
/// no change to any single one keeps the system satisfied (the allowlist is empty).
#[test]
fn mutation_sweep_finds_no_free_witness() {
    let f = fixture(30);
    let mut r = synth(&circuit(&f));
    assert!(r.is_satisfied());
    let free = r.mutation_sweep();
    assert_eq!(free, vec![], "unconstrained witnesses");
    assert!(r.is_satisfied());
}

/// The statement's conditions alone — the record and policy allocated with their range
/// checks, each allocated slot bound to the record's value (the commitment's role in the
/// full circuit), then the vaccine, dose and window checks.
fn conditions_hold(record: &Record, policy: &VaccinationPolicy, today: Day) -> bool {
    use ark_r1cs_std::alloc::AllocVar;
    use ark_relations::gr1cs::ConstraintSystem;
    let cs = ConstraintSystem::<Fr>::new_ref();
    let today_var = FpVar::new_input(cs.clone(), || Ok(today.to_field())).unwrap();
    let r = super::record_vars(&cs, Fr::ZERO, record).unwrap();
    for (var, slot) in [(&r.date, Slot::Date), (&r.dose, Slot::Value), (&r.series, Slot::Aux)] {
        let value = FpVar::new_witness(cs.clone(), || Ok(record.slot(slot))).unwrap();
        var.enforce_equal(&value).unwrap();
    }
    let p = super::policy_vars(&cs, policy).unwrap();
    let mut regions = Regions::new(cs.clone());
    super::enforce_conditions(&mut regions, &r, &p, &today_var).unwrap();
    crate::r1cs::holds(&cs)
}

fn edge(choice: u8, near: i64) -> Fr {
    let signed = |n: i64| if n < 0 { -Fr::from(n.unsigned_abs()) } else { Fr::from(n as u64) };
    match choice % 8 {
        0 => -Fr::ONE,
        1 => Fr::from(DATE_BIAS),
        2 => -Fr::from(DATE_BIAS) - Fr::ONE,
        3 => Fr::from(256u64),
        _ => signed(near),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10_000, failure_persistence: None, ..ProptestConfig::default() })]
    /// 10,000 cases: the native evaluator and the circuit's conditions agree, with dates
    /// at and around both window bounds, doses and series around the minimum, 255, 256
    /// and p − 1, and vaccines in and out of the set.
    #[test]
    fn native_and_conditions_agree_on_10000_cases(
        min in prop_oneof![Just(0u32), 1u32..30, Just(65_535u32)],
        span in prop_oneof![Just(0u32), 1u32..400, Just(65_535u32)],
        min_dose in prop_oneof![0u32..4, Just(255u32)],
        complete in any::<bool>(),
        date_choice in any::<u8>(),
        offset in -2i64..=2,
        at_max in any::<bool>(),
        dose_choice in any::<u8>(),
        dose in prop_oneof![0i64..4, Just(255i64), Just(254i64)],
        series_choice in any::<u8>(),
        series in prop_oneof![0i64..4, Just(255i64)],
        vaccine in prop_oneof![Just("cvx|208"), Just("cvx|213"), Just("cvx|88"), Just("cvx|1")],
    ) {
        static BASE: std::sync::OnceLock<(VaccinationPolicy, Record, Day)> = std::sync::OnceLock::new();
        let (p, base_record, today) = BASE.get_or_init(|| {
            let f = fixture(0);
            (f.policy.clone(), f.witness().record, f.today)
        });
        let today = *today;
        let max = min.saturating_add(span).min(65_535);
        let Ok(policy) = VaccinationPolicy::new(p.scope().clone(), p.vaccines().to_vec(), DayWindow { min, max }, min_dose, complete) else {
            return Ok(());
        };
        let days_ago = if at_max { max as i64 } else { min as i64 } + offset;
        let mut record = base_record.clone();
        record.set_slot(Slot::Date, edge(date_choice | 4, today.0 as i64 - days_ago));
        if date_choice % 16 < 3 {
            record.set_slot(Slot::Date, edge(date_choice, 0));
        }
        record.set_slot(Slot::Value, if dose_choice % 10 == 0 { edge(dose_choice / 10, dose) } else { Fr::from(dose as u64) });
        record.set_slot(Slot::Aux, if series_choice % 10 == 0 { edge(series_choice / 10, series) } else { Fr::from(series as u64) });
        record.set_slot(Slot::Code, vaccine.parse::<Code>().unwrap().to_field());
        let native = policy.evaluate(&record, today);
        prop_assert_eq!(native.is_ok(), conditions_hold(&record, &policy, today), "native: {:?}", native);
    }
}
