//! FHIR bundles and resources through the whole mapping: records or a typed error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use medzk_circuits::date::Day;
use medzk_circuits::field::Fr;
use medzk_circuits::holder::HolderId;
use medzk_formats::fhir;
use medzk_formats::map::{Options, VaccineCodes};

fuzz_target!(|data: &[u8]| {
    let options = Options {
        holder: HolderId(Fr::from(1u64)),
        issuer: "fuzz".into(),
        vaccine_codes: VaccineCodes::Cvx,
        today: Day(20_000),
    };
    let _ = fhir::import(data, options);
});
