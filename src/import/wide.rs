//! A wide CSV: one row per image, one column per class (headed 0..999, wnids or class names),
//! as `pd.DataFrame(probs).to_csv()` writes it; a file name column, or pandas' unnamed index
//! column, which names the images when it holds names and is ignored when it holds row numbers.

use super::class_names::ClassNames;
use super::csv_headers;
use super::table::{Content, ReadOptions, Table};
use crate::error::{Error, Result};
use std::path::Path;

const NAME_COLUMNS: &[&str] = &["filename", "file", "image", "path"];

/// What the header says: where the names are, and the columns of the scores in the order of
/// their headers.
struct Header {
    name: Option<usize>,
    scores: Vec<usize>,
    /// The class index of each score column, or None when the headers are plain 0..n numbers.
    classes: Option<Vec<usize>>,
}

fn is_pandas_index(header: &str) -> bool {
    header.is_empty() || header == "unnamed: 0"
}

fn header(headers: &[String], options: &ReadOptions, classes: &ClassNames) -> Option<Header> {
    let name_col = options
        .filename_col
        .as_ref()
        .map(|n| n.to_ascii_lowercase());
    let is_name = |h: &String| match &name_col {
        Some(given) => h == given,
        None => NAME_COLUMNS.contains(&h.as_str()),
    };
    let name = (headers.iter().position(is_name))
        .or_else(|| headers.first().filter(|h| is_pandas_index(h)).map(|_| 0));
    let scores: Vec<usize> = (0..headers.len())
        .filter(|&c| Some(c) != name && !(c == 0 && is_pandas_index(&headers[0])))
        .collect();
    if scores.len() < classes.len() {
        return None;
    }
    let numbered = scores
        .iter()
        .enumerate()
        .all(|(at, &c)| headers[c].parse::<usize>() == Ok(at));
    if numbered {
        return Some(Header {
            name,
            scores,
            classes: None,
        });
    }
    let mapped: Option<Vec<usize>> = scores
        .iter()
        .map(|&c| classes.find(&headers[c]).ok().map(usize::from))
        .collect();
    mapped.map(|mapped| Header {
        name,
        scores,
        classes: Some(mapped),
    })
}

/// Whether the CSV has a column per class, headed by the class, rather than timm's columns
/// (whose `--topk 0 --results-separate-col` has one per class too, headed `prob_N`).
pub fn is_wide(
    file: &Path,
    text: &str,
    options: &ReadOptions,
    classes: &ClassNames,
) -> Result<bool> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = csv_headers(file, &mut reader)?;
    Ok(header(&headers, options, classes).is_some())
}

pub fn read(file: &Path, text: &str, options: &ReadOptions, classes: &ClassNames) -> Result<Table> {
    let mut reader = super::csv_text::with_header(file, text)?;
    let headers = csv_headers(file, &mut reader)?;
    let header = header(&headers, options, classes).ok_or_else(|| {
        Error::bad_input(
            file,
            format!(
                "{} columns, but their headers are not one class each (class indices 0..{}, wnids or class names); expected one column per class",
                headers.len(),
                classes.len() - 1
            ),
        )
    })?;
    let order = class_order(file, &header, classes.len())?;
    let width = header.scores.len();
    let (mut names, mut values) = (Vec::new(), Vec::new());
    let mut row_values = vec![0.0f32; width];
    for (row, record) in reader.records().enumerate() {
        let at = format!("line {}", row + 2);
        let record = record.map_err(|e| Error::bad_input(file, format!("{at}: {e}")))?;
        for (slot, &column) in order.iter().map(|&s| &header.scores[s]).enumerate() {
            let cell = record.get(column).unwrap_or_default().trim();
            row_values[slot] = cell.parse().map_err(|_| {
                Error::bad_input(
                    file,
                    format!("{at}, column {:?}: {cell:?} is not a number; expected a score in every class's column", headers[column]),
                )
            })?;
        }
        values.extend_from_slice(&row_values);
        if let Some(name) = header.name {
            names.push(record.get(name).unwrap_or_default().to_owned());
        }
    }
    // pandas' index column holds row numbers unless the frame was indexed by file name.
    let row_numbers = names.iter().all(|n| n.trim().parse::<usize>().is_ok());
    let pandas_index = header.name == Some(0) && is_pandas_index(&headers[0]);
    let names = header
        .name
        .filter(|_| !(pandas_index && row_numbers))
        .map(|_| names);
    Ok(Table::new(
        names,
        Content::Scores {
            classes: width,
            values,
        },
    ))
}

/// For each class in order, which score column holds it: every class exactly once.
fn class_order(file: &Path, header: &Header, num_classes: usize) -> Result<Vec<usize>> {
    let Some(mapped) = &header.classes else {
        return Ok((0..header.scores.len()).collect());
    };
    let mut column_of = vec![usize::MAX; num_classes];
    for (slot, &class) in mapped.iter().enumerate() {
        if std::mem::replace(&mut column_of[class], slot) != usize::MAX {
            return Err(Error::bad_input(
                file,
                format!("two columns name class {class}; expected one column per class"),
            ));
        }
    }
    Ok(column_of)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::Vocabulary;

    fn classes() -> ClassNames {
        ClassNames::new(&Vocabulary::imagenet1k())
    }

    /// A wide CSV of two images, class c's score c/1000 in row 0 and (999-c)/1000 in row 1.
    fn wide(headers: impl Fn(usize) -> String, index_column: bool) -> String {
        let prefix = if index_column {
            ",filename,"
        } else {
            "filename,"
        };
        let head: Vec<String> = (0..1000).map(&headers).collect();
        let mut text = format!("{prefix}{}\n", head.join(","));
        for row in 0..2 {
            let cells: Vec<String> = (0..1000)
                .map(|c| {
                    let c = if row == 0 { c } else { 999 - c };
                    format!("{}", c as f32 / 1000.0)
                })
                .collect();
            let index = if index_column {
                format!("{row},")
            } else {
                String::new()
            };
            text.push_str(&format!("{index}img{row}.jpg,{}\n", cells.join(",")));
        }
        text
    }

    #[test]
    fn indices_wnids_and_names_head_the_same_columns() {
        let vocab = Vocabulary::imagenet1k();
        let file = Path::new("wide.csv");
        let by_index = wide(|c| c.to_string(), true);
        let by_wnid = wide(|c| vocab.class(c as u16).unwrap().wnid.clone(), false);
        assert!(is_wide(file, &by_index, &ReadOptions::default(), &classes()).unwrap());
        let options = ReadOptions::default();
        let a = read(file, &by_index, &options, &classes()).unwrap();
        let b = read(file, &by_wnid, &options, &classes()).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.names, Some(vec!["img0.jpg".into(), "img1.jpg".into()]));
        let Content::Scores {
            classes: 1000,
            values,
        } = a.content
        else {
            panic!()
        };
        assert_eq!((values[999], values[1000]), (0.999, 0.999));
    }
}
