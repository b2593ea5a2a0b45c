//! Policy documents (either statement): a typed error naming the problem, or a policy
//! whose hash and encoding can be computed.
#![no_main]

use libfuzzer_sys::fuzz_target;
use medzk_circuits::any_policy::AnyPolicy;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(policy) = AnyPolicy::from_json(text) {
        let _ = policy.hash();
    }
});
