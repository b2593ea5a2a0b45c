//! A CertLogic evaluator (specification 1.2): JsonLogic's `var`, `if`, `===`, `and`, `!`,
//! `<`, `>`, `<=`, `>=`, `in`, `+`, `reduce`, and CertLogic's `plusTime`, `before`,
//! `after`, `not-before`, `not-after` and `extractFromUVCI`.
//!
//! An invalid expression, or a type mismatch the specification calls an error, is an
//! [`EvalError`]; a rule that errors has not passed (the specification's advice).

use serde_json::{Map, Value};

use crate::time::Instant;

/// Why an expression could not be evaluated.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("CertLogic: {0}")]
pub struct EvalError(pub String);

/// A value during evaluation: JSON, or a date-time (only `plusTime` makes those).
#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    /// A JSON value.
    Json(Value),
    /// A date-time.
    Time(Instant),
}

/// The deepest expression nesting evaluated (deeper is refused, not a stack overflow).
pub const MAX_DEPTH: usize = 64;

fn err<T>(message: impl Into<String>) -> Result<T, EvalError> {
    Err(EvalError(message.into()))
}

impl Val {
    /// CertLogic truthiness: `Some(true)` truthy, `Some(false)` falsy, `None` neither.
    pub fn truthy(&self) -> Option<bool> {
        match self {
            Val::Time(_) => None,
            Val::Json(v) => match v {
                Value::Bool(b) => Some(*b),
                Value::Null => Some(false),
                Value::String(s) => Some(!s.is_empty()),
                Value::Number(n) => n.as_i64().map(|i| i != 0),
                Value::Array(a) => Some(!a.is_empty()),
                Value::Object(o) => Some(!o.is_empty()),
            },
        }
    }

    fn int(&self, op: &str) -> Result<i64, EvalError> {
        match self {
            Val::Json(Value::Number(n)) if n.as_i64().is_some() => Ok(n.as_i64().unwrap_or_default()),
            other => err(format!("{op} compares integers, got {}", other.describe())),
        }
    }

    fn time(&self, op: &str) -> Result<Instant, EvalError> {
        match self {
            Val::Time(t) => Ok(*t),
            other => err(format!("{op} compares date-times (made by plusTime), got {}", other.describe())),
        }
    }

    fn describe(&self) -> String {
        match self {
            Val::Time(_) => "a date-time".into(),
            Val::Json(v) => {
                let s = v.to_string();
                match s.char_indices().nth(40) {
                    Some((at, _)) => format!("{}…", &s[..at]),
                    None => s,
                }
            }
        }
    }
}

/// Evaluates `expr` over `data`.
pub fn evaluate(expr: &Value, data: &Value) -> Result<Val, EvalError> {
    eval(expr, data, 0)
}

/// Evaluates a rule's logic: `Ok(true)` when it evaluates to a truthy value.
pub fn passes(expr: &Value, data: &Value) -> Result<bool, EvalError> {
    match evaluate(expr, data)?.truthy() {
        Some(b) => Ok(b),
        None => err("the rule's result is neither truthy nor falsy"),
    }
}

fn operands<'a>(
    op: &str,
    args: &'a Value,
    n: std::ops::RangeInclusive<usize>,
) -> Result<&'a [Value], EvalError> {
    let Value::Array(a) = args else { return err(format!("{op}'s operands must be an array")) };
    if !n.contains(&a.len()) {
        return err(format!("{op} takes {}–{} operands, got {}", n.start(), n.end(), a.len()));
    }
    Ok(a)
}

fn eval(expr: &Value, data: &Value, depth: usize) -> Result<Val, EvalError> {
    if depth > MAX_DEPTH {
        return err(format!("expression nested deeper than {MAX_DEPTH}"));
    }
    let next = |e: &Value| eval(e, data, depth + 1);
    match expr {
        Value::Null => err("null is not a literal"),
        Value::Number(n) if n.as_i64().is_none() => err(format!("{n} is not an integer")),
        Value::Bool(_) | Value::Number(_) | Value::String(_) => Ok(Val::Json(expr.clone())),
        Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                match next(item)? {
                    Val::Json(v) => out.push(v),
                    Val::Time(_) => return err("an array cannot hold date-times"),
                }
            }
            Ok(Val::Json(Value::Array(out)))
        }
        Value::Object(map) => {
            let mut entries = map.iter();
            let (Some((op, args)), None) = (entries.next(), entries.next()) else {
                return err("an operation object has exactly one key");
            };
            operation(op, args, data, depth)
        }
    }
}

fn var(path: &Value, data: &Value) -> Result<Val, EvalError> {
    let path = match path {
        Value::String(s) => s.clone(),
        Value::Number(n) if n.as_u64().is_some() => n.to_string(),
        _ => return err("var takes a path string"),
    };
    if path.is_empty() {
        return Ok(Val::Json(data.clone()));
    }
    let mut at = data;
    for fragment in path.split('.') {
        at = match at {
            Value::Object(o) => match o.get(fragment) {
                Some(v) => v,
                None => return Ok(Val::Json(Value::Null)),
            },
            Value::Array(a) => match fragment.parse::<usize>().ok().and_then(|i| a.get(i)) {
                Some(v) => v,
                None => return Ok(Val::Json(Value::Null)),
            },
            _ => return Ok(Val::Json(Value::Null)),
        };
    }
    Ok(Val::Json(at.clone()))
}

fn compare(op: &str, values: &[Val]) -> Result<bool, EvalError> {
    let holds = |a: std::cmp::Ordering| match op {
        ">" | "after" => a.is_gt(),
        "<" | "before" => a.is_lt(),
        ">=" | "not-before" => a.is_ge(),
        _ => a.is_le(),
    };
    let dates = matches!(op, "after" | "before" | "not-before" | "not-after");
    let mut ordered = Vec::with_capacity(values.len());
    for v in values {
        ordered.push(if dates { v.time(op)?.0 } else { v.int(op)? });
    }
    Ok(ordered.windows(2).all(|w| holds(w[0].cmp(&w[1]))))
}

fn operation(op: &str, args: &Value, data: &Value, depth: usize) -> Result<Val, EvalError> {
    let next = |e: &Value| eval(e, data, depth + 1);
    let boolean = |b: bool| Ok(Val::Json(Value::Bool(b)));
    match op {
        "var" => var(args, data),
        "if" => {
            let a = operands(op, args, 3..=3)?;
            match next(&a[0])?.truthy() {
                Some(true) => next(&a[1]),
                _ => next(&a[2]),
            }
        }
        "===" => {
            let a = operands(op, args, 2..=2)?;
            boolean(next(&a[0])? == next(&a[1])?)
        }
        "and" => {
            let a = operands(op, args, 2..=usize::MAX)?;
            let mut last = Val::Json(Value::Bool(true));
            for e in a {
                last = next(e)?;
                match last.truthy() {
                    Some(true) => {}
                    Some(false) => return Ok(last),
                    None => return err("and's operands must be truthy or falsy"),
                }
            }
            Ok(last)
        }
        "!" => {
            let a = operands(op, args, 1..=1)?;
            match next(&a[0])?.truthy() {
                Some(b) => boolean(!b),
                None => err("! takes a truthy or falsy operand"),
            }
        }
        ">" | "<" | ">=" | "<=" | "after" | "before" | "not-before" | "not-after" => {
            let a = operands(op, args, 2..=3)?;
            let values = a.iter().map(next).collect::<Result<Vec<_>, _>>()?;
            boolean(compare(op, &values)?)
        }
        "in" => {
            let a = operands(op, args, 2..=2)?;
            let (item, set) = (next(&a[0])?, next(&a[1])?);
            let Val::Json(Value::Array(set)) = set else {
                return err("in's second operand must be an array");
            };
            boolean(matches!(&item, Val::Json(v) if set.contains(v)))
        }
        "+" => {
            let a = operands(op, args, 2..=2)?;
            let (x, y) = (next(&a[0])?.int(op)?, next(&a[1])?.int(op)?);
            match x.checked_add(y) {
                Some(s) => Ok(Val::Json(Value::from(s))),
                None => err("+ overflows"),
            }
        }
        "plusTime" => {
            let a = operands(op, args, 3..=3)?;
            let start = match next(&a[0])? {
                Val::Json(Value::String(s)) => Instant::parse(&s).map_err(EvalError)?,
                Val::Time(t) => t,
                other => return err(format!("plusTime takes a date-time string, got {}", other.describe())),
            };
            let amount = next(&a[1])?.int(op)?;
            let Val::Json(Value::String(unit)) = next(&a[2])? else {
                return err("plusTime's unit is a string");
            };
            start.plus(amount, &unit).map(Val::Time).map_err(EvalError)
        }
        "reduce" => {
            let a = operands(op, args, 3..=3)?;
            let Val::Json(Value::Array(items)) = next(&a[0])? else {
                return err("reduce's first operand must be an array");
            };
            let mut acc = next(&a[2])?;
            for current in items {
                let Val::Json(acc_json) = acc else {
                    return err("reduce's accumulator cannot be a date-time");
                };
                let mut context = Map::new();
                context.insert("current".into(), current);
                context.insert("accumulator".into(), acc_json);
                context.insert("data".into(), data.clone());
                acc = eval(&a[1], &Value::Object(context), depth + 1)?;
            }
            Ok(acc)
        }
        "extractFromUVCI" => {
            let a = operands(op, args, 2..=2)?;
            let index = next(&a[1])?.int(op)?;
            match next(&a[0])? {
                Val::Json(Value::Null) => Ok(Val::Json(Value::Null)),
                Val::Json(Value::String(uvci)) => {
                    let body = uvci.strip_prefix("URN:UVCI:").unwrap_or(&uvci);
                    let fragment = usize::try_from(index)
                        .ok()
                        .and_then(|i| body.split(['/', '#', ':']).nth(i))
                        .map(|f| Value::String(f.into()));
                    Ok(Val::Json(fragment.unwrap_or(Value::Null)))
                }
                other => err(format!("extractFromUVCI takes a string or null, got {}", other.describe())),
            }
        }
        other => err(format!("unknown operation {other:?}")),
    }
}

#[cfg(test)]
mod tests;
