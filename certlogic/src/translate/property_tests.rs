//! Random vaccination rule sets (products, dose and series bounds, dose against series,
//! day windows, `if`, `and`, `!`) translated and checked against CertLogic on random
//! certificates and validation clocks: medzk never accepts what CertLogic refuses, and
//! refuses more only where the documented differences allow (an `after` window, stated a
//! day later; a vaccination dated after the validation day).

use medzk_circuits::date::Day;
use medzk_circuits::holder::HolderSecret;
use medzk_circuits::policy::Policy;
use medzk_circuits::policy::eval::{EvalContext, select};
use medzk_circuits::record::Salt;
use medzk_formats::dcc::payload::{Payload, records_of};
use medzk_formats::map::{Options as MapOptions, VaccineCodes};
use proptest::prelude::*;
use serde_json::{Value, json};

use super::*;
use crate::rule::verdict;
use crate::time::Instant;

const PRODUCTS: [&str; 3] = ["EU/1/20/1528", "EU/1/20/1507", "EU/1/21/1529"];

/// A small deterministic generator (the property's seed drives everything).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

fn var(f: &str) -> Value {
    json!({"var": format!("payload.v.0.{f}")})
}

/// A condition, and whether it holds an `after` window.
fn atom(rng: &mut Rng) -> (Value, bool) {
    let k = rng.below(4) as i64;
    match rng.below(6) {
        0 => (json!({"===": [var("mp"), rng.pick(&PRODUCTS)]}), false),
        1 => {
            let n = 1 + rng.below(3) as usize;
            (json!({"in": [var("mp"), PRODUCTS[..n]]}), false)
        }
        2 => {
            let op = rng.pick(&[">", ">=", "<", "<=", "==="]);
            (json!({*op: [var(if rng.below(2) == 0 { "dn" } else { "sd" }), k]}), false)
        }
        3 => {
            let op = rng.pick(&[">", ">=", "<", "<=", "==="]);
            let (a, b) = if rng.below(2) == 0 { ("dn", "sd") } else { ("sd", "dn") };
            (json!({*op: [var(a), var(b)]}), false)
        }
        _ => {
            let op = *rng.pick(&["not-before", "before", "not-after", "after"]);
            let clock = json!({"plusTime": [{"var": "external.validationClock"}, 0, "day"]});
            let date = json!({"plusTime": [var("dt"), k, "day"]});
            (json!({op: [clock, date]}), op == "after")
        }
    }
}

fn formula(rng: &mut Rng, depth: u32) -> (Value, bool) {
    if depth == 0 || rng.below(3) == 0 {
        return atom(rng);
    }
    match rng.below(3) {
        0 => {
            let (a, x) = formula(rng, depth - 1);
            let (b, y) = formula(rng, depth - 1);
            (json!({"and": [a, b]}), x || y)
        }
        1 => {
            let (g, x) = formula(rng, depth - 1);
            let (a, y) = formula(rng, depth - 1);
            let (b, z) = if rng.below(2) == 0 { (json!(true), false) } else { formula(rng, depth - 1) };
            (json!({"if": [g, a, b]}), x || y || z)
        }
        _ => {
            let (a, x) = formula(rng, depth - 1);
            (json!({"!": [a]}), x)
        }
    }
}

fn rule(id: &str, logic: Value) -> Rule {
    let guarded = json!({"if": [{"var": "payload.v.0"}, logic, true]});
    Rule::parse(
        &json!({
            "Identifier": id, "Type": "Acceptance", "Country": "XX", "Version": "1.0.0",
            "SchemaVersion": "1.0.0", "Engine": "CERTLOGIC", "EngineVersion": "0.7.5",
            "CertificateType": "Vaccination", "Description": [],
            "ValidFrom": "2021-07-01T00:00:00Z", "ValidTo": "2030-06-01T00:00:00Z",
            "AffectedFields": [], "Logic": guarded
        })
        .to_string(),
    )
    .unwrap()
}

fn certificate(rng: &mut Rng) -> Value {
    json!({
        "ver": "1.3.0", "nam": {"fn": "X"}, "dob": "",
        "v": [{
            "tg": "840539006", "vp": "1119349007", "mp": rng.pick(&PRODUCTS), "ma": "ORG-100030215",
            "dn": 1 + rng.below(3), "sd": 1 + rng.below(3), "dt": Day(19_000 + rng.below(3) as i32).to_string(),
            "co": "XX", "is": "issuer", "ci": "URN:UVCI:01:XX:1"
        }]
    })
}

/// (translations compared, verdicts compared, CertLogic acceptances)
fn check(seed: u64) -> Result<(usize, usize, usize), TestCaseError> {
    let mut rng = Rng(seed | 1);
    let mut rules = vec![rule("R0", json!({"in": [var("mp"), PRODUCTS[..2 + rng.below(2) as usize]]}))];
    let mut after = false;
    for i in 1..=1 + rng.below(2) {
        let (f, a) = formula(&mut rng, 3);
        after |= a;
        rules.push(rule(&format!("R{i}"), f));
    }
    let Ok(t) = translate(&rules, &ValueSets::new(), &Options::default()) else { return Ok((0, 0, 0)) };
    let policy = Policy::try_from(t.policy).unwrap();
    let holder = HolderSecret::from_bytes(&[7; 32]).unwrap().id();
    let (mut verdicts, mut accepted) = (0, 0);
    for _ in 0..8 {
        let payload = certificate(&mut rng);
        let codes = if rng.below(2) == 0 { VaccineCodes::AsIssued } else { VaccineCodes::Cvx };
        let options = MapOptions { holder, issuer: "x".into(), vaccine_codes: codes, today: Day(30_000) };
        let parsed: Payload = serde_json::from_value(payload.clone()).unwrap();
        let mapping = records_of(&parsed, options).unwrap();
        let records: Vec<_> =
            mapping.records.iter().map(|m| m.record.encode(&Salt::from_field(5u64.into()))).collect();
        let dated = mapping.records[0].record.date.0 as i64;
        for _ in 0..4 {
            // Noon UTC: no clock at a day's boundary.
            let day = dated + rng.below(9) as i64 - 2;
            let clock = Instant(Instant::midnight(day).0 + 12 * 3_600_000);
            let text = format!("{}T12:00:00Z", Day(day as i32));
            let (certlogic, _) = verdict(&rules, &payload, &text, &ValueSets::new());
            let ctx = EvalContext { today: Day(clock.utc_day() as i32), value_sets: &[] };
            let minute = medzk_circuits::clock::Minute(clock.0.div_euclid(60_000));
            let medzk = select(&policy.at(minute.into()).unwrap(), &records, &ctx).is_ok();
            verdicts += 1;
            accepted += certlogic as usize;
            prop_assert!(!medzk || certlogic, "seed {seed}: medzk accepts what CertLogic refuses at {text}");
            let allowed = after || day < dated;
            prop_assert!(
                medzk == certlogic || allowed,
                "seed {seed}: medzk refuses at {text}, CertLogic accepts"
            );
        }
    }
    Ok((1, verdicts, accepted))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn translated_rules_never_accept_more_than_certlogic(seed in any::<u64>()) {
        check(seed)?;
    }
}

#[test]
fn the_random_rule_sets_translate_often_enough_to_mean_something() {
    let (mut translated, mut verdicts, mut accepted) = (0, 0, 0);
    for seed in 0..300 {
        let (t, v, a) = check(seed * 7919 + 1).unwrap();
        translated += t;
        verdicts += v;
        accepted += a;
    }
    eprintln!("{translated} rule sets translated, {verdicts} verdicts, {accepted} accepted by CertLogic");
    assert!(accepted > 300 && verdicts - accepted > 300, "both verdicts: {accepted} of {verdicts}");
    assert!(translated > 100, "{translated} of 300 rule sets translated");
    assert!(verdicts > 3_000, "{verdicts}");
}
