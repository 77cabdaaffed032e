//! JSON as every importer reads it: one parser, one way of naming where a file is not JSON,
//! and the words for what a value is when it is not what a reader expects.

use crate::error::{Error, Result};
use serde::de::{Deserialize, Deserializer, Error as _, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::path::Path;

/// The value a JSON text holds. A key given twice in one object is refused: serde_json would
/// keep one of the two silently, and in bagel's files keys are image names.
pub fn parse(file: &Path, text: &str) -> Result<Value> {
    value(text).map_err(|e| Error::bad_input(file, problem(&e)))
}

/// The value of a JSON text, keys given twice refused as by [`parse`].
pub fn value(text: &str) -> std::result::Result<Value, serde_json::Error> {
    serde_json::from_str::<Unique>(text).map(|unique| unique.0)
}

/// A JSON value read through a visitor that sees every key of every object as it comes.
struct Unique(Value);

impl<'de> Deserialize<'de> for Unique {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        deserializer.deserialize_any(UniqueVisitor).map(Unique)
    }
}

struct UniqueVisitor;

impl<'de> Visitor<'de> for UniqueVisitor {
    type Value = Value;

    fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
        formatter.write_str("a JSON value")
    }

    fn visit_bool<E>(self, value: bool) -> std::result::Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> std::result::Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_u64<E>(self, value: u64) -> std::result::Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_f64<E>(self, value: f64) -> std::result::Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_str<E>(self, value: &str) -> std::result::Result<Value, E> {
        Ok(Value::String(value.to_owned()))
    }

    fn visit_string<E>(self, value: String) -> std::result::Result<Value, E> {
        Ok(Value::String(value))
    }

    fn visit_unit<E>(self) -> std::result::Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> std::result::Result<Value, A::Error> {
        let mut list = Vec::with_capacity(items.size_hint().unwrap_or(0));
        while let Some(Unique(item)) = items.next_element()? {
            list.push(item);
        }
        Ok(Value::Array(list))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut entries: A) -> std::result::Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = entries.next_key::<String>()? {
            let Unique(value) = entries.next_value()?;
            if object.contains_key(&key) {
                return Err(A::Error::custom(format!(
                    "the key {key:?} is given twice in one object; give each key once (one of the two would be lost)"
                )));
            }
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

/// Where a text is not JSON and why, in bagel's words: "invalid JSON at line 2, column 1: ..".
pub fn problem(error: &serde_json::Error) -> String {
    problem_on_line(error.line(), error)
}

/// [`problem`] for a text that is line `line` of a file (JSON lines).
pub fn problem_on_line(line: usize, error: &serde_json::Error) -> String {
    // serde_json's message ends with the place again ("... at line 2 column 1").
    let message = error.to_string();
    let place = format!(" at line {} column {}", error.line(), error.column());
    let why = message.strip_suffix(&place).unwrap_or(&message);
    let truncated = match error.classify() {
        serde_json::error::Category::Eof => "; the file may be truncated",
        _ => "",
    };
    format!(
        "invalid JSON at line {line}, column {}: {why}{truncated}",
        error.column()
    )
}

/// What a value is, in a word or two ("null", "a number", "a list").
pub fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "true or false",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// The value of a text that is one JSON null, boolean, number or string: no reader's layout,
/// and readers that tell CSV from JSON by a leading bracket would take it for a CSV header.
pub fn scalar(text: &str) -> Option<Value> {
    let value = serde_json::from_str::<Value>(text).ok()?;
    (!value.is_array() && !value.is_object()).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_given_twice_is_refused_at_any_depth_and_the_rest_reads_as_serde_json_does() {
        let file = Path::new("twice.json");
        for text in [
            r#"{"F1": {"correct": [1]}, "F1": {"correct": [2]}}"#,
            r#"{"initial_annots": {"F1": {"correct": [1], "correct": [2]}}}"#,
            r#"[{"filename": "a"}, {"filename": "b", "filename": "c"}]"#,
        ] {
            let refused = parse(file, text).unwrap_err().to_string();
            assert!(
                refused.contains("is given twice in one object"),
                "{refused}"
            );
            assert!(
                refused.starts_with("twice.json: invalid JSON at line 1"),
                "{refused}"
            );
        }
        let text = r#"{"a": [1, -2, 3.5, "x", null, true, {"b": {}}], "c": 18446744073709551615}"#;
        let expected: Value = serde_json::from_str(text).unwrap();
        assert_eq!(parse(file, text).unwrap(), expected);
        let cut = parse(file, "[1, 2").unwrap_err().to_string();
        assert!(cut.ends_with("the file may be truncated"), "{cut}");
    }
}
