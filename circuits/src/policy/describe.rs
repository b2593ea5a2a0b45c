//! A clause in words, as written (`hba1c.value between 6.5 % and 10.0 %`): what
//! explanations and `policy check` show.

use serde_json::Value;

use super::ClauseDoc;

impl ClauseDoc {
    /// The clause as written, with values in the record's unit where it has one.
    pub(super) fn describe(&self, unit: Option<(&'static str, u32)>) -> String {
        let show = |v: &Value| match (v, unit) {
            (Value::String(s), _) => s.clone(),
            (Value::Number(n), Some((unit, scale))) if n.is_u64() => {
                format!("{} {unit}", crate::units::decimal(n.as_u64().unwrap_or_default(), scale))
            }
            (other, _) => other.to_string(),
        };
        let target = match &self.slot {
            Some(s) => format!("{}.{}", self.record, s),
            None => self.record.clone(),
        };
        let (min, max) = (self.min.as_ref().map(show), self.max.as_ref().map(show));
        let (min, max) = (min.unwrap_or_default(), max.unwrap_or_default());
        match self.op.as_str() {
            op if self.other.is_some() => {
                let other = match self.other.as_deref().unwrap_or_default() {
                    o if o.contains('.') => o.to_string(),
                    o => format!("{}.{o}", self.record),
                };
                match (op, self.offset.unwrap_or(0)) {
                    ("between", _) => format!("{target} − {other} between {min} and {max}"),
                    (op, 0) => format!("{target} {op} {other}"),
                    (op, k) if k > 0 => format!("{target} {op} {other} + {k}"),
                    (op, k) => format!("{target} {op} {other} − {}", -k),
                }
            }
            "between" => format!("{target} between {min} and {max}"),
            "date_within" => format!("{target} within {min} to {max} days ago"),
            "time_within" => {
                let hours = |v: &Option<Value>| match v {
                    Some(Value::Number(n)) => format!("{n} h"),
                    Some(Value::String(s)) => s.clone(),
                    _ => String::new(),
                };
                format!(
                    "{target} within {} to {} before the verifier's time",
                    hours(&self.min),
                    hours(&self.max)
                )
            }
            "age_between" => format!("{} aged {min} to {max}", self.record),
            "series_complete" => format!("{} series complete", self.record),
            "absent" => format!("{target} absent"),
            "present" => format!("{target} present"),
            "in" | "not_in" => {
                let values: Vec<String> = self.values.iter().flatten().map(show).collect();
                let list = if values.len() > 4 {
                    format!("{}, … ({} values)", values[..3].join(", "), values.len())
                } else {
                    values.join(", ")
                };
                format!("{target} {} [{list}]", self.op.replace('_', " "))
            }
            "in_value_set" | "not_in_value_set" => {
                format!(
                    "{target} {} {}",
                    self.op.replace('_', " "),
                    self.value_set.clone().unwrap_or_default()
                )
            }
            op => format!("{target} {op} {}", self.value.as_ref().map(show).unwrap_or_default()),
        }
    }
}
