//! Secrets — the holder secret, salts and record values — never appear in `Debug`
//! output, and secret-carrying types wipe themselves on request (and on drop).

use medzk_circuits::credential::{Credential, HolderKeyFile};
use medzk_circuits::date::Day;
use medzk_circuits::field::{self, Fr};
use medzk_circuits::fixtures::{PolicyFixture, TrialPatient, VaccinationFixture, trial_policy};
use medzk_circuits::holder::HolderSecret;
use medzk_circuits::policy::eval::{EvalContext, PolicyWitness};
use medzk_circuits::record::{RecordData, Salt, Slot};
use medzk_circuits::tree::Depth;
use zeroize::Zeroize;

/// Every way a field element might be printed.
fn renderings(x: &Fr) -> Vec<String> {
    let hex = field::to_hex(x);
    vec![hex[2..].to_string(), hex[2..18].to_string(), x.to_string(), format!("{:?}", field::to_bytes(x))]
}

fn assert_hidden(printed: &str, secrets: &[Fr], what: &str) {
    for s in secrets {
        for r in renderings(s) {
            assert!(!printed.contains(&r), "{what} prints a secret: {printed}");
        }
    }
}

#[test]
fn debug_output_reveals_no_secret() {
    let f = VaccinationFixture::new(Depth::new(4).unwrap(), 2, 30, 77);
    let witness = f.witness();
    let secret = f.secret.expose();
    let salt = f.salt.expose();
    let slots: Vec<Fr> = [Slot::Code, Slot::Date, Slot::Ext, Slot::Issuer, Slot::Salt]
        .iter()
        .map(|s| witness.record.slot(*s))
        .collect();
    let all: Vec<Fr> = [vec![secret, salt], slots].concat();
    let credential = Credential::new(f.record.clone(), f.salt.clone(), f.index);
    let key = HolderKeyFile::new(f.secret.clone());
    let printed = [
        ("HolderSecret", format!("{:?}", f.secret)),
        ("Salt", format!("{:?}", f.salt)),
        ("Record", format!("{:?}", witness.record)),
        ("RecordData", format!("{:?}", f.record)),
        ("Credential", format!("{credential:?}")),
        ("HolderKeyFile", format!("{key:?}")),
        ("VaccinationWitness", format!("{witness:?}")),
    ];
    for (what, text) in &printed {
        assert_hidden(text, &all, what);
    }
    // The record's plain values too: lot, date.
    assert!(!printed.iter().any(|(_, t)| t.contains("EW0182") || t.contains(&f.record.date.to_string())));

    let p = PolicyFixture::new(
        Depth::new(4).unwrap(),
        f.secret.clone(),
        &TrialPatient::eligible().records(&f.secret, Day::from_ymd(2026, 11, 24).unwrap()),
        0,
        Day::from_ymd(2026, 11, 24).unwrap(),
        5,
    );
    let ctx = EvalContext { today: p.today, value_sets: &[] };
    let w = PolicyWitness::build(&trial_policy(), f.secret.clone(), &p.credentials(), &ctx).unwrap();
    assert_hidden(&format!("{w:?}"), &[secret], "PolicyWitness");
}

#[test]
fn secrets_wipe_themselves() {
    let mut secret = HolderSecret::from_bytes(&[3; 32]).unwrap();
    secret.zeroize();
    assert_eq!(secret.expose(), Fr::from(0u64));
    let mut salt = Salt::from_field(Fr::from(99u64));
    salt.zeroize();
    assert_eq!(salt.expose(), Fr::from(0u64));
    let s = HolderSecret::from_bytes(&[4; 32]).unwrap();
    let mut record =
        RecordData::immunization(s.id(), "cvx|208".parse().unwrap(), Day(20_000), 2, 2, "LOT-7", "clinic:a");
    let mut slots = record.encode(&Salt::from_field(Fr::from(5u64)));
    slots.zeroize();
    assert!(slots.slots().iter().all(|x| *x == Fr::from(0u64)));
    record.zeroize();
    assert_eq!((record.value, record.aux, record.date, record.issuer.as_str()), (0, 0, Day(0), ""));
}
