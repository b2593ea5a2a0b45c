//! The JSON Schema of policy documents, generated from the Rust types that read them
//! (feature `schema`). `docs/policy.schema.json` is this output; a test keeps the two
//! equal and validates every example policy against it.
//!
//! The schema is the documents' *syntax*: what a policy may contain. What a valid policy
//! means (a clause's operand parses for its slot, a record name exists, bounds are in
//! order) is checked by [`AnyPolicy::from_json`](crate::any_policy::AnyPolicy::from_json),
//! whose errors name the group and clause.

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde_json::Value;

use crate::code::{Code, MAX_CODE_BYTES};
use crate::holder::{MAX_SCOPE_BYTES, Scope};
use crate::policy::{OPERATORS, PolicyDoc, SLOTS};
use crate::vaccination::VaccinationPolicyDoc;

/// `$id` of the published schema.
pub const SCHEMA_ID: &str = "https://medzk.example/policy.schema.json";

/// Either policy form, told apart by `statement`.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum AnyPolicyDoc {
    Vaccination(VaccinationPolicyDoc),
    General(PolicyDoc),
}

/// The schema of both policy forms (JSON Schema draft 2020-12).
pub fn policy_schema() -> Value {
    let schema = schemars::generate::SchemaSettings::draft2020_12()
        .into_generator()
        .into_root_schema_for::<AnyPolicyDoc>();
    let mut value = serde_json::to_value(schema).expect("a schema is JSON");
    let object = value.as_object_mut().expect("the root schema is an object");
    object.insert("$id".into(), SCHEMA_ID.into());
    object.insert("title".into(), "medzk policy document".into());
    object.insert(
        "description".into(),
        "A vaccination policy (statement \"vaccination\") or a general policy (statement \"policy\"). \
         Generated from the Rust types by `medzk policy schema`; docs/policies.md explains each field."
            .into(),
    );
    // The untagged enum's variants become a list of alternatives; exactly one applies.
    if let Some(any_of) = object.remove("anyOf") {
        object.insert("oneOf".into(), any_of);
    }
    value
}

/// The schema as the committed file holds it: pretty JSON and a final newline.
pub fn policy_schema_text() -> String {
    let mut text = serde_json::to_string_pretty(&policy_schema()).expect("a schema is JSON");
    text.push('\n');
    text
}

impl JsonSchema for Scope {
    fn schema_name() -> Cow<'static, str> {
        "Scope".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "Nullifier scope: a verifier's id (the scope is bound to that verifier and \
                            its `id:` sub-ids), or {\"shared\": name} for a scope several verifiers share.",
            "oneOf": [
                { "type": "string", "minLength": 1, "maxLength": MAX_SCOPE_BYTES },
                {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["shared"],
                    "properties": {
                        "shared": { "type": "string", "minLength": 1, "maxLength": MAX_SCOPE_BYTES }
                    }
                }
            ]
        })
    }
}

/// A `system|code` pair: a system (URI or alias such as `cvx`) without `|`, and a code, both
/// non-empty and without surrounding blanks.
const CODE_PATTERN: &str = r"^[^|\s](?:[^|]*[^|\s])?\|\S(?:.*\S)?$";

impl JsonSchema for Code {
    fn schema_name() -> Cow<'static, str> {
        "Code".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A coded value, \"system|code\" (system a URI or an alias: cvx, snomed, loinc, icd10).",
            "type": "string",
            "maxLength": MAX_CODE_BYTES,
            "pattern": CODE_PATTERN
        })
    }
}

/// A field element as `0x` and 64 lower-case hex digits.
pub fn field_hex(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "type": "string", "pattern": "^0x[0-9a-f]{64}$" })
}

/// A clause's operator.
pub fn operator(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "description": "The clause's operator (docs/policies.md).", "enum": OPERATORS })
}

/// A clause's slot.
pub fn slot(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "description": "The record slot the clause reads.", "enum": SLOTS })
}

/// A two-slot comparison's other slot: `value` or `aux` of the same record, or
/// `RECORD.date` / `RECORD.aux` of another.
pub fn other_slot(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "description": "The slot compared with: \"value\" or \"aux\" of the same immunization, or \"RECORD.SLOT\" (the same date slot of another record).",
        "anyOf": [
            { "enum": ["value", "aux"] },
            { "type": "string", "pattern": "^.+\\.(date|aux)$" }
        ]
    })
}

/// A clause operand (schema only).
pub struct Operand;

impl JsonSchema for Operand {
    fn schema_name() -> Cow<'static, str> {
        "Operand".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A code (\"system|code\"), an issuer, a date (YYYY-MM-DD), an integer, or an ext \
                            value ({\"lot\": …}, {\"code\": …}, {\"number\": …}), as the clause's slot wants.",
            "anyOf": [
                { "type": "string" },
                { "type": "integer" },
                {
                    "type": "object",
                    "additionalProperties": false,
                    "minProperties": 1,
                    "maxProperties": 1,
                    "properties": {
                        "lot": { "type": "string" },
                        "code": { "$ref": "#/$defs/Code" },
                        "number": { "type": "integer", "minimum": 0 }
                    }
                }
            ]
        })
    }
}

/// The operand list of `in` and `not_in` (absent, or 1 to [`TABLE_SIZE`] operands).
///
/// [`TABLE_SIZE`]: crate::policy::TABLE_SIZE
pub fn operands(generator: &mut SchemaGenerator) -> Schema {
    let item = generator.subschema_for::<Operand>();
    generator.subschema_for::<Code>();
    json_schema!({
        "type": ["array", "null"],
        "minItems": 1,
        "maxItems": crate::policy::TABLE_SIZE,
        "items": item
    })
}
