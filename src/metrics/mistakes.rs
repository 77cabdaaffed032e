//! What kind of mistakes a model makes: per model, the categories and severities of its
//! decided top-1 mistakes, and whether those shares differ between models (Pearson's
//! chi-square test of independence, as the dough paper compares ViT-3B and Greedy Soups).

use super::report::{DatasetReport, ModelReport};
use crate::data::TopK;
use crate::verdict::{Category, Decision, Severity, Verdict};
use serde::Serialize;
use statrs::distribution::{ChiSquared, ContinuousCDF};

/// Counts over one model's decided top-1 mistakes (verdict wrong on the pair of the image and
/// the model's top-1). A mistake without a category or a severity yet counts in `reviewed`
/// only, so the category and severity counts may sum to less.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MistakeCounts {
    pub reviewed: u32,
    /// In the order of [`Category::ALL`].
    pub categories: [u32; 4],
    /// In the order of [`Severity::ALL`].
    pub severities: [u32; 2],
}

impl MistakeCounts {
    pub fn add(&mut self, category: Option<Category>, severity: Option<Severity>) {
        self.reviewed += 1;
        if let Some(category) = category {
            self.categories[Category::ALL.iter().position(|&c| c == category).unwrap()] += 1;
        }
        if let Some(severity) = severity {
            self.severities[Severity::ALL.iter().position(|&s| s == severity).unwrap()] += 1;
        }
    }

    pub fn category(&self, category: Category) -> u32 {
        self.categories[Category::ALL.iter().position(|&c| c == category).unwrap()]
    }

    pub fn severity(&self, severity: Severity) -> u32 {
        self.severities[Severity::ALL.iter().position(|&s| s == severity).unwrap()]
    }
}

/// The model's decided top-1 mistakes among `decisions` (one dataset's), counted.
pub fn mistake_counts(predictions: &TopK, decisions: &[Decision]) -> MistakeCounts {
    let mut counts = MistakeCounts::default();
    for decision in decisions {
        let image = decision.image as usize;
        let top1_mistake = decision.verdict == Verdict::Wrong
            && image < predictions.num_images()
            && predictions.top1(image) == decision.label;
        if top1_mistake {
            counts.add(decision.category, decision.severity);
        }
    }
    counts
}

/// Pearson's chi-square test of independence, without continuity correction. In JSON:
/// statistic, dof, p, n and the models compared.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChiSquare {
    pub statistic: f64,
    /// (rows - 1)(columns - 1) over the rows and columns kept.
    pub dof: u32,
    /// P(χ² ≥ statistic) under independence.
    pub p: f64,
    /// The table's total count.
    pub n: u64,
    /// Columns left out because every count in them is zero (their expected count is zero).
    #[serde(skip)]
    pub dropped_columns: Vec<usize>,
    /// Rows left out for the same reason (a model with none of these mistakes).
    #[serde(skip)]
    pub dropped_rows: Vec<usize>,
    /// The names of the rows kept (the models compared), when the rows were named.
    #[serde(rename = "models")]
    pub rows: Vec<String>,
}

/// Models × categories: `None` for fewer than two models with categorised mistakes.
pub fn category_test(models: &[MistakeCounts]) -> Option<ChiSquare> {
    let table: Vec<Vec<u64>> = models
        .iter()
        .map(|m| m.categories.iter().map(|&c| c as u64).collect())
        .collect();
    chi_square_independence(&table)
}

/// Models × severities: `None` for fewer than two models with graded mistakes.
pub fn severity_test(models: &[MistakeCounts]) -> Option<ChiSquare> {
    let table: Vec<Vec<u64>> = models
        .iter()
        .map(|m| m.severities.iter().map(|&s| s as u64).collect())
        .collect();
    chi_square_independence(&table)
}

/// χ² = Σ (observed - expected)² / expected with expected = row total × column total / n,
/// on the table without its all-zero rows and columns. `None` when fewer than two rows or two
/// columns remain (no test to make).
pub fn chi_square_independence(table: &[Vec<u64>]) -> Option<ChiSquare> {
    let columns = table.iter().map(Vec::len).max().unwrap_or(0);
    let cell = |row: &Vec<u64>, column: usize| row.get(column).copied().unwrap_or(0);
    let column_totals: Vec<u64> = (0..columns)
        .map(|c| table.iter().map(|row| cell(row, c)).sum())
        .collect();
    let row_totals: Vec<u64> = table.iter().map(|row| row.iter().sum()).collect();
    let kept_columns: Vec<usize> = (0..columns).filter(|&c| column_totals[c] > 0).collect();
    let kept_rows: Vec<usize> = (0..table.len()).filter(|&r| row_totals[r] > 0).collect();
    if kept_rows.len() < 2 || kept_columns.len() < 2 {
        return None;
    }
    let n: u64 = row_totals.iter().sum();
    let mut statistic = 0.0;
    for &r in &kept_rows {
        for &c in &kept_columns {
            let expected = row_totals[r] as f64 * column_totals[c] as f64 / n as f64;
            statistic += (cell(&table[r], c) as f64 - expected).powi(2) / expected;
        }
    }
    let dof = ((kept_rows.len() - 1) * (kept_columns.len() - 1)) as u32;
    let p = ChiSquared::new(dof as f64).ok()?.sf(statistic);
    Some(ChiSquare {
        statistic,
        dof,
        p,
        n,
        dropped_columns: (0..columns).filter(|&c| column_totals[c] == 0).collect(),
        dropped_rows: (0..table.len()).filter(|&r| row_totals[r] == 0).collect(),
        rows: Vec::new(),
    })
}

/// The reviewed models' mistake counts and the tests across those that have reviewed
/// mistakes: what `bagel metrics --json` adds as "mistakes", "reviewed_models" and
/// "chi_square". A model's mistakes are reviewed when the panel reviewed that model (an
/// imported review, or a model named as reviewed): a pair decided while reviewing another
/// model is that model's mistake too, but counting it would mix in models nobody reviewed.
#[derive(Debug, Clone, PartialEq)]
pub struct MistakeReport {
    /// Per reviewed model, by name: counts of its decided top-1 mistakes, None when it has none.
    pub models: Vec<(String, Option<MistakeCounts>)>,
    pub category: Option<ChiSquare>,
    pub severity: Option<ChiSquare>,
    /// Models not reviewed whose top-1 is a decided mistake somewhere: left out, and said.
    pub unreviewed_with_mistakes: Vec<String>,
}

/// `reviewed`: the models whose mistakes count. Such a model with predictions is counted
/// against the decisions (`predicted`, from [`mistake_counts`]); one known only from an
/// imported review (no predictions on the dataset) is counted from that review.
pub fn mistake_report(
    predicted: Vec<(String, MistakeCounts)>,
    imported: &[(String, MistakeCounts)],
    reviewed: &[String],
) -> MistakeReport {
    let counts_of = |name: &String| {
        (predicted.iter().chain(imported))
            .find(|(known, _)| known == name)
            .map(|(_, counts)| *counts)
            .filter(|counts| counts.reviewed > 0)
    };
    let mut models: Vec<(String, Option<MistakeCounts>)> = (reviewed.iter())
        .map(|name| (name.clone(), counts_of(name)))
        .collect();
    models.sort_by(|a, b| a.0.cmp(&b.0));
    models.dedup_by(|a, b| a.0 == b.0);
    let with_mistakes: Vec<(&String, MistakeCounts)> = (models.iter())
        .filter_map(|(name, counts)| Some((name, (*counts)?)))
        .collect();
    let names: Vec<&String> = with_mistakes.iter().map(|(name, _)| *name).collect();
    let counts: Vec<MistakeCounts> = with_mistakes.iter().map(|(_, c)| *c).collect();
    MistakeReport {
        category: category_test(&counts).map(|test| test.naming_rows(&names)),
        severity: severity_test(&counts).map(|test| test.naming_rows(&names)),
        unreviewed_with_mistakes: (predicted.iter())
            .filter(|(name, counts)| counts.reviewed > 0 && !reviewed.contains(name))
            .map(|(name, _)| name.clone())
            .collect(),
        models,
    }
}

/// Each loaded model's counts against the decisions.
pub fn counts_of_models(
    models: &[(String, TopK)],
    decisions: &[Decision],
) -> Vec<(String, MistakeCounts)> {
    (models.iter())
        .map(|(name, predictions)| (name.clone(), mistake_counts(predictions, decisions)))
        .collect()
}

/// The report for a dataset whose models' counts are `predicted`. `named`: the reviewed
/// models for this report (`bagel metrics --models`); None: the models named in the project
/// (`bagel config --reviewed-models`) and those with an imported review.
pub fn load_mistake_report(
    project: &crate::store::Project,
    dataset_id: i64,
    predicted: Vec<(String, MistakeCounts)>,
    named: Option<&[String]>,
) -> crate::error::Result<MistakeReport> {
    let with_review = project.reviewed_models(dataset_id)?;
    let reviewed = match named {
        Some(named) => {
            let known = project.models_of_dataset(dataset_id)?;
            if let Some(unknown) = named.iter().find(|m| !known.contains(m)) {
                return Err(crate::error::Error::Usage(format!(
                    "--models names {unknown:?}, which has neither predictions nor an imported review on this dataset; its models: {}",
                    known.join(", ")
                )));
            }
            named.to_vec()
        }
        None => {
            let mut reviewed = project.named_reviewed_models(dataset_id)?;
            reviewed.extend(with_review.iter().cloned());
            reviewed
        }
    };
    let mut imported = Vec::new();
    for model in with_review.into_iter().filter(|m| reviewed.contains(m)) {
        let mut counts = MistakeCounts::default();
        for mistake in project.model_review(dataset_id, &model)? {
            counts.add(Some(mistake.record.category), Some(mistake.record.severity));
        }
        imported.push((model, counts));
    }
    Ok(mistake_report(predicted, &imported, &reviewed))
}

impl MistakeReport {
    /// The reviewed models, by name.
    pub fn reviewed_models(&self) -> Vec<&str> {
        self.models.iter().map(|(name, _)| name.as_str()).collect()
    }

    /// The metrics document of `report` with these mistakes: what `bagel metrics --json`
    /// prints and `--csv` flattens.
    pub fn document<'a>(&'a self, report: &'a DatasetReport) -> MetricsDocument<'a> {
        let reviewed = |name: &str| self.models.iter().find(|(model, _)| model == name);
        let mut models: Vec<ModelEntry> = (report.models.iter())
            .map(|figures| ModelEntry {
                figures: Some(figures),
                model: None,
                mistakes: reviewed(&figures.model).map(|(_, counts)| *counts),
            })
            .collect();
        let review_only = (self.models.iter())
            .filter(|(name, _)| !report.models.iter().any(|m| &m.model == name));
        models.extend(review_only.map(|(name, counts)| ModelEntry {
            figures: None,
            model: Some(name),
            mistakes: Some(*counts),
        }));
        MetricsDocument {
            report,
            models,
            reviewed_models: self.reviewed_models(),
            unreviewed_with_decided_mistakes: &self.unreviewed_with_mistakes,
            chi_square: ChiSquares {
                category: self.category.as_ref(),
                severity: self.severity.as_ref(),
            },
        }
    }
}

/// A dataset's metrics with the reviewed models' mistakes: the report's figures in their
/// order, each reviewed model's `mistakes` beside its figures (a model known only from an
/// imported review after the others), the reviewed models, those left out, and the
/// chi-square tests, each naming the models it compares.
#[derive(Debug, Serialize)]
pub struct MetricsDocument<'a> {
    #[serde(flatten)]
    pub report: &'a DatasetReport,
    pub models: Vec<ModelEntry<'a>>,
    pub reviewed_models: Vec<&'a str>,
    pub unreviewed_with_decided_mistakes: &'a [String],
    pub chi_square: ChiSquares<'a>,
}

/// One model of [`MetricsDocument`]: its figures, or only its name when the dataset has no
/// predictions of it; `mistakes` only for a reviewed model (null when it has none decided).
#[derive(Debug, Serialize)]
pub struct ModelEntry<'a> {
    #[serde(flatten)]
    pub figures: Option<&'a ModelReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mistakes: Option<Option<MistakeCounts>>,
}

#[derive(Debug, Serialize)]
pub struct ChiSquares<'a> {
    pub category: Option<&'a ChiSquare>,
    pub severity: Option<&'a ChiSquare>,
}

impl Serialize for MistakeCounts {
    /// `{"reviewed", "categories": {...}, "severities": {...}}`, with the stored spellings in
    /// the vocabulary's order.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let categories: Vec<(&str, u32)> = (Category::ALL.iter())
            .map(|&c| (c.as_str(), self.category(c)))
            .collect();
        let severities: Vec<(&str, u32)> = (Severity::ALL.iter())
            .map(|&s| (s.as_str(), self.severity(s)))
            .collect();
        let mut counts = serializer.serialize_struct("MistakeCounts", 3)?;
        counts.serialize_field("reviewed", &self.reviewed)?;
        counts.serialize_field("categories", &Named(&categories))?;
        counts.serialize_field("severities", &Named(&severities))?;
        counts.end()
    }
}

/// Named counts as a JSON object, in their order.
struct Named<'a>(&'a [(&'a str, u32)]);

impl Serialize for Named<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().copied())
    }
}

impl ChiSquare {
    /// Names the rows kept, `names` being every row's name in the table's order.
    fn naming_rows(mut self, names: &[&String]) -> Self {
        self.rows = (names.iter().enumerate())
            .filter(|(row, _)| !self.dropped_rows.contains(row))
            .map(|(_, name)| (*name).clone())
            .collect();
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::numbers::assert_near;

    #[test]
    fn two_by_two_by_hand() {
        // Totals: rows 30, 70; columns 40, 60; n 100. Expected 12, 18 / 28, 42, every cell 2
        // away: χ² = 4 (1/12 + 1/18 + 1/28 + 1/42) = 4 · 50/252 = 50/63.
        let test = chi_square_independence(&[vec![10, 20], vec![30, 40]]).unwrap();
        assert_near(test.statistic, 50.0 / 63.0, 1e-12);
        assert_eq!((test.dof, test.n), (1, 100));
        // One degree of freedom: p = erfc(√(χ²/2)) = 0.372998.
        assert_near(test.p, 0.372998, 1e-6);
    }

    #[test]
    fn two_by_four_by_hand() {
        // Rows 40, 40; columns 30, 20, 15, 15; n 80: expected 15, 10, 7.5, 7.5 in both rows,
        // deviations 5, 0, 2.5, 2.5: χ² = 2 (25/15 + 0 + 6.25/7.5 + 6.25/7.5) = 20/3.
        let test = chi_square_independence(&[vec![20, 10, 5, 5], vec![10, 10, 10, 10]]).unwrap();
        assert_near(test.statistic, 20.0 / 3.0, 1e-12);
        // Three degrees of freedom: p = erfc(√(χ²/2)) + √(2χ²/π) e^(-χ²/2) = 0.083316.
        assert_eq!(test.dof, 3);
        assert_near(test.p, 0.083316, 1e-6);
        assert!(test.dropped_columns.is_empty());
    }

    #[test]
    fn an_all_zero_column_is_dropped_and_said() {
        // Column 1 is empty: 2 × 3 remains, rows 20, 20, columns 15, 15, 10: expected 7.5,
        // 7.5, 5, deviations 2.5, 2.5, 0: χ² = 2 · 2 · 6.25/7.5 = 10/3; two degrees of
        // freedom, p = e^(-χ²/2) = e^(-5/3).
        let test = chi_square_independence(&[vec![10, 0, 5, 5], vec![5, 0, 10, 5]]).unwrap();
        assert_near(test.statistic, 10.0 / 3.0, 1e-12);
        assert_eq!((test.dof, test.dropped_columns.clone()), (2, vec![1]));
        assert_near(test.p, (-5.0f64 / 3.0).exp(), 1e-9);
    }

    #[test]
    fn only_the_reviewed_models_are_counted_and_tested() {
        let counts = |categories: [u32; 4], severities: [u32; 2]| MistakeCounts {
            reviewed: categories.iter().sum(),
            categories,
            severities,
        };
        // b and c are the two rows of two_by_four_by_hand (χ² = 20/3); a, unreviewed, has
        // decided mistakes of its own (pairs decided while reviewing b and c) that would move
        // the test, and d, reviewed, has none.
        let predicted = vec![
            ("a".to_owned(), counts([90, 0, 0, 1], [50, 41])),
            ("b".to_owned(), counts([20, 10, 5, 5], [20, 20])),
            ("d".to_owned(), MistakeCounts::default()),
        ];
        let imported = [("c".to_owned(), counts([10, 10, 10, 10], [30, 10]))];
        let reviewed = ["c", "b", "d"].map(String::from);
        let report = mistake_report(predicted, &imported, &reviewed);
        assert_eq!(report.reviewed_models(), ["b", "c", "d"]);
        assert_eq!(report.models[2].1, None);
        assert_eq!(report.unreviewed_with_mistakes, ["a"]);
        let categories = report.category.unwrap();
        assert_near(categories.statistic, 20.0 / 3.0, 1e-12);
        assert_eq!((categories.dof, categories.n), (3, 80));
        assert_eq!(categories.rows, ["b", "c"]);
        // Severities: rows 40, 40; columns 50, 30; expected 25, 15; deviations 5:
        // χ² = 2 (25/25 + 25/15) = 16/3.
        assert_near(report.severity.unwrap().statistic, 16.0 / 3.0, 1e-12);
    }

    #[test]
    fn the_document_puts_mistakes_beside_the_reviewed_models_figures() {
        let counts = MistakeCounts {
            reviewed: 2,
            categories: [1, 0, 1, 0],
            severities: [1, 1],
        };
        let predicted = vec![("a".to_owned(), counts), ("b".to_owned(), counts)];
        let imported = [("c".to_owned(), counts)];
        let mistakes = mistake_report(predicted, &imported, &["b", "c"].map(String::from));
        let figures = |model: &str| ModelReport {
            model: model.into(),
            ..Default::default()
        };
        let report = DatasetReport {
            dataset: "val".into(),
            models: vec![figures("a"), figures("b")],
            ..Default::default()
        };
        let text = serde_json::to_string(&mistakes.document(&report)).unwrap();
        assert!(
            text.starts_with(r#"{"dataset":"val","images":0,"#),
            "{text}"
        );
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        let models = json["models"].as_array().unwrap();
        assert_eq!(models.len(), 3, "a, b and c known only from its review");
        assert!(models[0].get("mistakes").is_none(), "a was not reviewed");
        assert_eq!(models[1]["mistakes"]["categories"]["spurious"], 1);
        assert_eq!(
            models[2],
            serde_json::json!({"model": "c", "mistakes": {
            "reviewed": 2,
            "categories": {"fine_grained": 1, "fine_grained_oov": 0, "spurious": 1, "non_prototypical": 0},
            "severities": {"major": 1, "minor": 1}}})
        );
        assert_eq!(json["reviewed_models"], serde_json::json!(["b", "c"]));
        assert_eq!(
            json["chi_square"]["category"]["models"],
            serde_json::json!(["b", "c"])
        );
    }

    #[test]
    fn fewer_than_two_models_is_no_test() {
        assert_eq!(chi_square_independence(&[vec![3, 4]]), None);
        assert_eq!(chi_square_independence(&[vec![3, 4], vec![0, 0]]), None);
        assert_eq!(category_test(&[]), None);
    }

    #[test]
    fn only_decided_top1_mistakes_count() {
        let predictions = TopK {
            k: 2,
            class_ids: vec![5, 6, 7, 8, 9, 1],
            ..Default::default()
        };
        let decision = |image, label, verdict, category, severity| Decision {
            category,
            severity,
            ..Decision::new(image, label, verdict, "panel".into())
        };
        use Verdict::*;
        let decisions = [
            // Top-1 mistakes: counted, the third without a category.
            decision(0, 5, Wrong, Some(Category::Spurious), Some(Severity::Major)),
            decision(1, 7, Wrong, Some(Category::Spurious), Some(Severity::Minor)),
            decision(2, 9, Wrong, None, Some(Severity::Minor)),
            // Not counted: a top-2 label, a correct verdict, an image past the predictions.
            decision(
                0,
                6,
                Wrong,
                Some(Category::FineGrained),
                Some(Severity::Major),
            ),
            decision(2, 1, Correct, None, None),
            decision(
                3,
                9,
                Wrong,
                Some(Category::FineGrained),
                Some(Severity::Major),
            ),
        ];
        let counts = mistake_counts(&predictions, &decisions);
        assert_eq!(counts.reviewed, 3);
        assert_eq!(counts.category(Category::Spurious), 2);
        assert_eq!(counts.categories.iter().sum::<u32>(), 2);
        assert_eq!(
            (
                counts.severity(Severity::Major),
                counts.severity(Severity::Minor)
            ),
            (1, 2)
        );
    }
}
