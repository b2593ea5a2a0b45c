//! FHIR R4 bundles and resources, streamed: a bundle of any size is read one entry at a
//! time and only the elements medzk maps are kept.

pub mod datetime;
pub mod model;

use std::fmt;
use std::io::Read;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::error::{FormatError, Result, Step};
use model::Resource;

/// Largest FHIR input read, in bytes (a bundle export of one patient is far smaller).
pub const MAX_BUNDLE_BYTES: u64 = 1 << 30;

/// Reads a FHIR R4 Bundle (its `entry[].resource`) or a single resource from `reader`,
/// calling `each(position, resource)` per resource as it is read. Memory holds one
/// resource's mapped elements at a time.
pub fn read(reader: impl Read, each: &mut dyn FnMut(usize, Resource)) -> Result<()> {
    let limited = reader.take(MAX_BUNDLE_BYTES + 1);
    let mut de = serde_json::Deserializer::from_reader(std::io::BufReader::with_capacity(1 << 16, limited));
    let outcome = Top { each }.deserialize(&mut de).and_then(|kind| de.end().map(|()| kind));
    match outcome {
        Ok(()) => Ok(()),
        Err(e) if e.is_io() => Err(FormatError::malformed(Step::Input, format!("reading failed ({e})"))),
        Err(e) => Err(FormatError::malformed(Step::Json, format!("not a FHIR bundle or resource ({e})"))),
    }
}

/// Reads a bundle or resource already parsed as JSON (a card's `fhirBundle`).
pub fn read_value(value: &serde_json::Value, each: &mut dyn FnMut(usize, Resource)) -> Result<()> {
    Top { each }
        .deserialize(value)
        .map_err(|e| FormatError::malformed(Step::Fhir, format!("not a FHIR bundle or resource ({e})")))
}

/// Reads a bundle or resource (an issuer's own data) and maps it to records issued by
/// `options.issuer`.
pub fn import(reader: impl Read, options: crate::map::Options) -> Result<crate::map::Mapping> {
    let mut mapper = crate::map::Mapper::new(options);
    read(reader, &mut |i, r| mapper.resource(i, r))?;
    mapper.finish().map_err(|e| FormatError::malformed(Step::Fhir, e.to_string()))
}

struct Top<'a> {
    each: &'a mut dyn FnMut(usize, Resource),
}

impl<'de> DeserializeSeed<'de> for Top<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Top<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a FHIR Bundle or resource (a JSON object)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
        use serde::de::Error;
        let mut resource_type: Option<String> = None;
        let mut entries = 0usize;
        // Elements of a top-level resource that is not a Bundle, kept as JSON values
        // (small) until its type is known.
        let mut single = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "resourceType" => resource_type = Some(map.next_value()?),
                "entry" => {
                    if resource_type.as_deref().is_some_and(|t| t != "Bundle") {
                        return Err(A::Error::custom("entry in a resource that is not a Bundle"));
                    }
                    entries += map.next_value_seed(Entries { each: &mut *self.each })?;
                }
                k if MAPPED.contains(&k) => {
                    single.insert(key, map.next_value()?);
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        match resource_type.as_deref() {
            Some("Bundle") => Ok(()),
            Some(t) if entries == 0 => {
                single.insert("resourceType".into(), t.into());
                let resource: Resource =
                    serde_json::from_value(serde_json::Value::Object(single)).map_err(A::Error::custom)?;
                (self.each)(0, resource);
                Ok(())
            }
            Some(_) => Err(A::Error::custom("entry in a resource that is not a Bundle")),
            None => Err(A::Error::custom("no resourceType")),
        }
    }
}

/// The elements [`Resource`] reads (camelCase), for a top-level single resource.
const MAPPED: &[&str] = &[
    "id",
    "birthDate",
    "gender",
    "status",
    "code",
    "vaccineCode",
    "occurrenceDateTime",
    "occurrenceString",
    "protocolApplied",
    "lotNumber",
    "valueQuantity",
    "valueCodeableConcept",
    "valueString",
    "interpretation",
    "effectiveDateTime",
    "effectiveInstant",
    "effectivePeriod",
    "issued",
    "clinicalStatus",
    "verificationStatus",
    "onsetDateTime",
    "onsetPeriod",
    "abatementDateTime",
    "abatementPeriod",
    "recordedDate",
    "medicationCodeableConcept",
    "authoredOn",
    "dateAsserted",
    "component",
];

struct Entries<'a> {
    each: &'a mut dyn FnMut(usize, Resource),
}

impl<'de> DeserializeSeed<'de> for Entries<'_> {
    type Value = usize;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<usize, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Entries<'_> {
    type Value = usize;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Bundle.entry, an array")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<usize, A::Error> {
        let mut position = 0usize;
        while let Some(entry) = seq.next_element::<Entry>()? {
            if let Some(resource) = entry.resource {
                (self.each)(position, resource);
            }
            position += 1;
        }
        Ok(position)
    }
}

#[derive(serde::Deserialize)]
struct Entry {
    resource: Option<Resource>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn types(json: &str) -> Result<Vec<String>> {
        let mut seen = Vec::new();
        read(json.as_bytes(), &mut |_, r| seen.push(r.resource_type))?;
        Ok(seen)
    }

    #[test]
    fn bundle_single_resource_and_refusals() {
        let bundle = r#"{"entry":[{"fullUrl":"x","resource":{"resourceType":"Patient","birthDate":"1990"}},
            {"resource":{"resourceType":"Claim","huge":[1,2,3]}}],"resourceType":"Bundle","type":"collection"}"#;
        assert_eq!(types(bundle).unwrap(), ["Patient", "Claim"]);
        let single =
            r#"{"status":"final","resourceType":"Observation","code":{"coding":[]},"text":{"div":"x"}}"#;
        assert_eq!(types(single).unwrap(), ["Observation"]);
        for bad in [
            "",
            "[]",
            "{}",
            "{\"resourceType\":\"Bundle\"",
            "{\"resourceType\":\"Bundle\",\"entry\":{}}",
            "{\"resourceType\":1}",
        ] {
            assert_eq!(types(bad).unwrap_err().step(), Step::Json, "{bad}");
        }
        let trailing = r#"{"resourceType":"Bundle","entry":[]} x"#;
        assert!(types(trailing).is_err());
    }
}
