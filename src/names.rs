//! Names people type or files carry (reviewers, models, slices, datasets): one spelling per
//! name, so "ana" typed on two keyboards is one reviewer, and nothing hidden in it. A name is
//! trimmed and put in Unicode NFC; control characters, zero-width characters and the
//! characters that reorder text (bidi controls) are refused, since `an\u{200b}a` would
//! otherwise be a second "ana" that looks the same on every screen.

use crate::error::{Error, Result};
use unicode_normalization::UnicodeNormalization as _;

/// A name as part of a file name: ASCII letters, digits, `-`, `_` and `.` kept, anything
/// else (a path separator above all: a model may be called `google/vit-base`) as `_`, so a
/// name from someone's project file can never lead out of the folder it is written in.
pub fn file_safe(name: &str) -> String {
    (name.chars())
        .map(|c| match c.is_ascii_alphanumeric() || "-_.".contains(c) {
            true => c,
            false => '_',
        })
        .collect()
}

/// The name in its one stored spelling, or why it cannot be one. `what` says what it names
/// ("reviewer", "model", ...).
pub fn clean_name(what: &str, raw: &str) -> Result<String> {
    name_problem(what, raw).map_or_else(|| Ok(raw.trim().nfc().collect()), |p| Err(Error::Usage(p)))
}

/// A name as someone typed it to look something up, in the stored spelling: "café" typed
/// with a combining accent finds the dataset imported as "café".
pub fn as_typed(raw: &str) -> String {
    raw.trim().nfc().collect()
}

/// Why `raw` cannot be a name, in words for the person who typed or sent it.
pub fn name_problem(what: &str, raw: &str) -> Option<String> {
    let shown = crate::error::for_terminal(&raw.escape_debug().to_string());
    if raw.trim().is_empty() {
        return Some(format!(
            "the {what} name \"{shown}\" is blank; give a name such as \"val\""
        ));
    }
    let hidden = raw.chars().find(|&c| is_hidden(c))?;
    Some(format!(
        "the {what} name \"{shown}\" holds U+{:04X}, a control, invisible or text-direction character; type the name without it",
        u32::from(hidden)
    ))
}

/// Characters that change how a name looks or reads without being seen.
fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{00AD}' // soft hyphen
            | '\u{034F}' // combining grapheme joiner
            | '\u{061C}' // Arabic letter mark
            | '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}' // Hangul fillers
            | '\u{180E}' // Mongolian vowel separator
            | '\u{200B}'..='\u{200F}' // zero-width space, joiners, direction marks
            | '\u{2028}'..='\u{202E}' // separators, bidi embeddings and overrides
            | '\u{2060}'..='\u{206F}' // word joiner, invisible operators, bidi isolates
            | '\u{FE00}'..='\u{FE0F}' // variation selectors
            | '\u{FEFF}' // zero-width no-break space
            | '\u{FFF9}'..='\u{FFFB}' // interlinear annotations
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_spelling_per_name_and_nothing_hidden() {
        // "é" as e + combining acute becomes the one precomposed character.
        assert_eq!(
            clean_name("reviewer", " Jose\u{301} ").unwrap(),
            "Jos\u{e9}"
        );
        assert_eq!(clean_name("reviewer", "ana").unwrap(), "ana");
        for hidden in [
            "an\u{200b}a",
            "ana\u{202e}",
            "a\u{2066}na",
            "\u{feff}ana",
            "an\u{1b}[31ma",
        ] {
            let err = clean_name("reviewer", hidden).unwrap_err().to_string();
            assert!(err.contains("the reviewer name"), "{err}");
            assert!(err.contains("U+"), "{err}");
            assert!(
                !err.contains('\u{1b}') && !err.contains('\u{200b}'),
                "{err:?}"
            );
        }
        assert!(
            clean_name("model", "  ")
                .unwrap_err()
                .to_string()
                .contains("blank")
        );
    }
}
