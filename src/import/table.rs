//! What every prediction file is read into before bagel checks it: the rows' image names when
//! the file gives them, and either ranked class ids or one score per class. Each format has a
//! reader of its own returning a [`Table`]; matching rows to images, the checks and the one
//! transaction are shared.

use super::tensors::Matrix;
use crate::error::{Error, Result};
use std::path::Path;

#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The image of each row, when the file names them: rows are then matched by name.
    pub names: Option<Vec<String>>,
    pub content: Content,
    /// Something the user should know about how the file was read.
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Content {
    /// `k` class ids a row, best first, with the probability of each when the file gives it.
    Ranked {
        k: usize,
        ids: Vec<i64>,
        probs: Option<Vec<f32>>,
    },
    /// One score a class a row: logits or probabilities (bagel tells which, per file).
    Scores { classes: usize, values: Vec<f32> },
}

/// How to read files whose layout their writer let the user choose.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReadOptions {
    /// timm's `--filename-col`: the column naming each row's image.
    pub filename_col: Option<String>,
    /// timm's `--index-col`: the column(s) of class indices.
    pub index_col: Option<String>,
    /// The classifier counts a background class first (TF-slim's 1001 classes): drop it and
    /// shift class ids down by one.
    pub background_class: bool,
}

impl Table {
    pub fn new(names: Option<Vec<String>>, content: Content) -> Self {
        Table {
            names,
            content,
            note: None,
        }
    }

    pub fn rows(&self) -> usize {
        match &self.content {
            Content::Ranked { k, ids, .. } => ids.len() / (*k).max(1),
            Content::Scores { classes, values } => values.len() / (*classes).max(1),
        }
    }

    /// Each row back to front, for files that rank worst first; scores are refused, as bagel
    /// ranks them itself.
    pub fn reversed(mut self, file: &Path) -> Result<Self> {
        match &mut self.content {
            Content::Ranked { k, ids, probs } => {
                ids.chunks_mut(*k).for_each(<[i64]>::reverse);
                for row in probs.iter_mut().flat_map(|p| p.chunks_mut(*k)) {
                    row.reverse();
                }
                Ok(self)
            }
            Content::Scores { .. } => Err(Error::bad_input(
                file,
                "--reverse-ranks applies to ranked class ids; this file holds scores, which bagel \
                 ranks itself: import it without --reverse-ranks",
            )),
        }
    }

    /// The table over the vocabulary's classes when the classifier counted a background class
    /// first (`background` set), and a refusal that says so when it looks like one did.
    pub fn over_classes(mut self, file: &Path, classes: usize, background: bool) -> Result<Self> {
        let advice = "TF-slim's classifiers count a background class first";
        match (&mut self.content, background) {
            (Content::Scores { classes: given, .. }, false) if *given == classes + 1 => {
                Err(Error::bad_input(
                    file,
                    format!(
                        "{given} scores per image where the vocabulary has {classes} classes; {advice}: import with --background-class to drop it"
                    ),
                ))
            }
            (
                Content::Scores {
                    classes: given,
                    values,
                },
                true,
            ) => {
                if *given != classes + 1 {
                    return Err(Error::bad_input(
                        file,
                        format!(
                            "--background-class expects {} scores per image (background first) but the file has {given}; import it without --background-class",
                            classes + 1
                        ),
                    ));
                }
                let width = *given;
                *values = values
                    .chunks(width)
                    .flat_map(|row| row[1..].iter().copied())
                    .collect();
                *given = classes;
                Ok(self)
            }
            (Content::Ranked { k, ids, .. }, true) => {
                if let Some(at) = ids.iter().position(|&id| id == 0) {
                    return Err(Error::bad_input(
                        file,
                        format!(
                            "row {}, rank {}: class 0 is the background class, which bagel does not keep; rank the {classes} classes only (drop the background score before taking the top-k)",
                            at / *k,
                            at % *k + 1
                        ),
                    ));
                }
                ids.iter_mut().for_each(|id| *id -= 1);
                Ok(self)
            }
            _ => Ok(self),
        }
    }
}

/// A numeric array read whole (.npy, .npz, torch, safetensors) as a table: integers are ranked
/// class ids, floats one score per class.
pub fn from_matrix(matrix: Matrix, names: Option<Vec<String>>) -> Table {
    let content = match matrix {
        Matrix::Ints { cols, values, .. } => Content::Ranked {
            k: cols,
            ids: values,
            probs: None,
        },
        Matrix::Floats { cols, values, .. } => Content::Scores {
            classes: cols,
            values,
        },
    };
    Table::new(names, content)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_background_class_is_dropped_and_ids_shift_down() {
        let file = Path::new("slim.npy");
        let scores = Table::new(
            None,
            Content::Scores {
                classes: 4,
                values: vec![9.0, 1.0, 2.0, 3.0, 9.0, 3.0, 2.0, 1.0],
            },
        );
        let refused = scores.clone().over_classes(file, 3, false).unwrap_err();
        assert!(
            refused.to_string().contains("--background-class"),
            "{refused}"
        );
        let dropped = scores.over_classes(file, 3, true).unwrap();
        assert_eq!(
            dropped.content,
            Content::Scores {
                classes: 3,
                values: vec![1.0, 2.0, 3.0, 3.0, 2.0, 1.0]
            }
        );
        let ranked = |ids: Vec<i64>| {
            Table::new(
                None,
                Content::Ranked {
                    k: 2,
                    ids,
                    probs: None,
                },
            )
        };
        let shifted = ranked(vec![3, 1, 2, 3])
            .over_classes(file, 3, true)
            .unwrap();
        assert_eq!(shifted, ranked(vec![2, 0, 1, 2]));
        let background = ranked(vec![3, 1, 2, 0]).over_classes(file, 3, true);
        assert!(
            background
                .unwrap_err()
                .to_string()
                .contains("row 1, rank 2")
        );
    }
}
