//! CSV text as every importer reads it: the csv crate's reader, after the one check the crate
//! does not make. It reads a quoted field that is never closed to the end of the text, so the
//! rows after an unterminated quote would silently become part of one field.

use crate::error::{Error, Result};
use std::path::Path;

/// A reader of a CSV with a header row, every row as wide as the header.
pub fn with_header<'t>(file: &Path, text: &'t str) -> Result<csv::Reader<&'t [u8]>> {
    check_quotes(file, text, b',')?;
    Ok(csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.as_bytes()))
}

/// A reader of a list without a header row whose rows may differ in width.
pub fn headerless<'t>(file: &Path, text: &'t str, delimiter: u8) -> Result<csv::Reader<&'t [u8]>> {
    check_quotes(file, text, delimiter)?;
    Ok(csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes()))
}

fn check_quotes(file: &Path, text: &str, delimiter: u8) -> Result<()> {
    match unterminated_quote(text, delimiter) {
        None => Ok(()),
        Some(line) => Err(Error::bad_input(
            file,
            format!(
                "line {line}: a quoted field opens here and is never closed; close its quote (\") or remove it (a quote inside a quoted field is written twice: \"\")"
            ),
        )),
    }
}

/// The line where a quoted field opens that the text never closes. A quote opens a field only
/// as its first character, as the csv crate reads it; inside, `""` is a quote.
fn unterminated_quote(text: &str, delimiter: u8) -> Option<usize> {
    let (mut line, mut opened_on, mut field_start) = (1, None, true);
    let mut bytes = text.bytes().peekable();
    while let Some(byte) = bytes.next() {
        match opened_on {
            Some(_) if byte == b'"' => match bytes.peek() {
                Some(b'"') => drop(bytes.next()),
                _ => opened_on = None,
            },
            Some(_) => {}
            None if byte == b'"' && field_start => opened_on = Some(line),
            None => {}
        }
        field_start = opened_on.is_none() && (byte == delimiter || matches!(byte, b'\n' | b'\r'));
        if byte == b'\n' {
            line += 1;
        }
    }
    opened_on
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quote_left_open_is_found_on_the_line_it_opens() {
        assert_eq!(unterminated_quote("file,labels\nF,\"1, 2", b','), Some(2));
        assert_eq!(unterminated_quote("a,\"x\ny\",1\nb,\"2", b','), Some(3));
        assert_eq!(unterminated_quote("a,\"say \"\"hi\"\"\",1\n", b','), None);
        assert_eq!(unterminated_quote("a,\"b\nc\",1\n", b','), None);
        // A quote inside an unquoted field is a character, as the csv crate reads it.
        assert_eq!(unterminated_quote("a,5\" disk,1\n", b','), None);
        assert_eq!(unterminated_quote("a\t\"b\n", b'\t'), Some(1));
    }
}
