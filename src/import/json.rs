//! JSON as every importer reads it: one parser, one way of naming where a file is not JSON,
//! and the words for what a value is when it is not what a reader expects.

use crate::error::{Error, Result};
use serde_json::Value;
use std::path::Path;

/// The value a JSON text holds.
pub fn parse(file: &Path, text: &str) -> Result<Value> {
    serde_json::from_str(text).map_err(|e| Error::bad_input(file, problem(&e)))
}

/// Where a text is not JSON and why, in bagel's words: "invalid JSON at line 2, column 1: ..".
pub fn problem(error: &serde_json::Error) -> String {
    // serde_json's message ends with the place again ("... at line 2 column 1").
    let message = error.to_string();
    let place = format!(" at line {} column {}", error.line(), error.column());
    let why = message.strip_suffix(&place).unwrap_or(&message);
    let truncated = match error.classify() {
        serde_json::error::Category::Eof => "; the file may be truncated",
        _ => "",
    };
    format!(
        "invalid JSON at line {}, column {}: {why}{truncated}",
        error.line(),
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
