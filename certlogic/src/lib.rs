//! EU DCC business rules (CertLogic) for medzk: an evaluator of the rules as countries
//! publish them, and their translation into a medzk policy document
//! (`medzk policy from-certlogic`), refusing — with the rule and the construct named —
//! what a policy over medzk records cannot state. docs/certlogic.md maps each construct.

pub mod eval;
pub mod rule;
pub mod time;
pub mod translate;

pub use eval::{EvalError, evaluate, passes};
pub use rule::{CertificateType, Outcome, Rule, RuleError, ValueSets, read_value_sets, verdict};
pub use translate::{Options, TranslateError, Translation, translate};

// The agreement test over the published German rules (a unit-test module: one test binary
// for the crate).
#[cfg(test)]
mod german_rules_tests;
