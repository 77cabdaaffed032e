//! How much a panel agrees: per item, the share of rater pairs that gave the same category
//! (percent agreement), and over all items Fleiss' kappa, which discounts the agreement that
//! chance alone would give. The input is per item the number of raters who chose each
//! category (verdicts, or categories or severities of wrong votes: the caller decides).

/// A panel's agreement over a list of items.
#[derive(Debug, Clone, PartialEq)]
pub struct Agreement {
    /// Per item, the share of rater pairs that agree; `None` with fewer than two raters.
    pub per_item: Vec<Option<f64>>,
    /// The mean of `per_item` over the items that have one (Fleiss' P̄); `None` when none do.
    pub mean: Option<f64>,
    /// `None` when no item has two raters, or when every rating falls in one category
    /// (then chance agreement is 1 and kappa is undefined).
    pub kappa: Option<Kappa>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Kappa {
    pub value: f64,
    /// Observed agreement P̄: the mean per-item agreement over the items with ≥ 2 raters.
    pub observed: f64,
    /// Chance agreement P̄e: the sum over categories of the squared share of ratings.
    pub chance: f64,
    /// The items with at least two raters, over which P̄ was taken.
    pub items: usize,
    /// The items with at least one rater, over which the chance agreement was taken (the same
    /// as `items` in Fleiss' own setting).
    pub chance_items: usize,
    /// `Some(n)` when every one of those items had n raters, Fleiss' own setting; `None`
    /// when the numbers varied and the generalisation below was used.
    pub raters_per_item: Option<u32>,
}

impl Agreement {
    /// "agreement 80.0% · Fleiss' kappa 0.250 over 4 pairs", as the CLI and the desk say it;
    /// with varying rater counts, "Gwet's kappa ... over 2 pairs, chance agreement from 7".
    pub fn describe(&self) -> String {
        let percent = self
            .mean
            .map_or("-".into(), |m| format!("{:.1}%", 100.0 * m));
        match &self.kappa {
            Some(kappa) => format!(
                "agreement {percent} · {} {:.3} over {} pairs{}",
                kappa.name(),
                kappa.value,
                kappa.items,
                if kappa.is_fleiss() {
                    String::new()
                } else {
                    format!(
                        " with two or more votes, chance agreement from {} pairs with one or more (rater counts vary)",
                        kappa.chance_items
                    )
                }
            ),
            None => format!(
                "agreement {percent} · kappa undefined (fewer than two raters, or one category only)"
            ),
        }
    }
}

impl Kappa {
    /// Fleiss' own setting: every item counted had the same number of raters, and the
    /// chance agreement came from the same items.
    pub fn is_fleiss(&self) -> bool {
        self.raters_per_item.is_some() && self.chance_items == self.items
    }

    /// "Fleiss' kappa", or "Gwet's kappa" for the generalisation to varying rater counts.
    pub fn name(&self) -> &'static str {
        if self.is_fleiss() {
            "Fleiss' kappa"
        } else {
            "Gwet's kappa"
        }
    }

    /// The name as the JSON says it: "fleiss" or "gwet".
    pub fn key(&self) -> &'static str {
        if self.is_fleiss() { "fleiss" } else { "gwet" }
    }
}

/// One agreement as `bagel agreement --json` (and anyone reading the panel's agreement) writes
/// it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AgreementSummary {
    pub percent_agreement: Option<f64>,
    /// "fleiss", or "gwet" for the generalisation to varying rater counts.
    pub kappa_name: Option<&'static str>,
    pub kappa: Option<f64>,
    /// Fleiss' kappa under its older key, for readers written before `kappa` named its kind;
    /// null when the kappa is Gwet's.
    pub fleiss_kappa: Option<f64>,
    pub items: Option<usize>,
    pub chance_items: Option<usize>,
    /// The votes on every pair, for Fleiss' kappa; null when the counts vary (Gwet's).
    pub raters_per_item: Option<u32>,
}

impl From<&Agreement> for AgreementSummary {
    fn from(agreement: &Agreement) -> Self {
        let kappa = agreement.kappa.as_ref();
        let fleiss = kappa.filter(|k| k.is_fleiss());
        AgreementSummary {
            percent_agreement: agreement.mean,
            kappa_name: kappa.map(Kappa::key),
            kappa: kappa.map(|k| k.value),
            fleiss_kappa: fleiss.map(|k| k.value),
            items: kappa.map(|k| k.items),
            chance_items: kappa.map(|k| k.chance_items),
            raters_per_item: fleiss.and_then(|k| k.raters_per_item),
        }
    }
}

/// The share of the item's rater pairs that chose the same category: Σ n_j (n_j - 1) over
/// n (n - 1), for n raters of whom n_j chose category j. `None` for fewer than two raters.
pub fn percent_agreement(counts: &[u32]) -> Option<f64> {
    let raters: u64 = counts.iter().map(|&c| c as u64).sum();
    if raters < 2 {
        return None;
    }
    let agreeing: u64 = counts
        .iter()
        .map(|&c| c as u64 * (c as u64).saturating_sub(1))
        .sum();
    Some(agreeing as f64 / (raters * (raters - 1)) as f64)
}

/// Percent agreement per item and overall, and Fleiss' kappa (Fleiss 1971, "Measuring
/// nominal scale agreement among many raters", Psychological Bulletin 76(5)).
///
/// Fleiss defines kappa for items that all have the same number of raters. When the numbers
/// vary (a panel member skipped a pair), this uses the standard generalisation of Gwet (2014,
/// "Handbook of Inter-Rater Reliability", 4th ed., ch. 2, Fleiss' kappa with missing ratings;
/// irrCAC's `fleiss.kappa.raw`): P̄ is the mean agreement over items with at least two raters,
/// and each category's share π_j is the mean over items with at least one rater of the share
/// of that item's raters who chose it. With equal numbers both are exactly Fleiss' P̄ and p_j.
pub fn agreement<Item: AsRef<[u32]>>(items: &[Item]) -> Agreement {
    let per_item: Vec<Option<f64>> = items
        .iter()
        .map(|counts| percent_agreement(counts.as_ref()))
        .collect();
    let agreed: Vec<f64> = per_item.iter().flatten().copied().collect();
    let mean = (!agreed.is_empty()).then(|| agreed.iter().sum::<f64>() / agreed.len() as f64);
    let kappa = mean.and_then(|observed| fleiss_kappa(items, observed, agreed.len()));
    Agreement {
        per_item,
        mean,
        kappa,
    }
}

/// The panel's agreement over a dataset's vote log: on verdicts over every pair with at least
/// two panel votes, and on the category and severity of the wrong votes among them.
#[derive(Debug, Clone, PartialEq)]
pub struct PanelAgreement {
    pub pairs: Vec<(u32, crate::vocab::ClassId)>,
    pub verdicts: Agreement,
    pub categories: Agreement,
    pub severities: Agreement,
}

/// A pair's agreement on the verdict, the pair named as files and wnids name it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PairAgreement {
    pub image: String,
    pub label: Option<String>,
    pub agreement: Option<f64>,
}

/// The panel's agreement on a dataset as one document: what `bagel agreement --json` prints.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AgreementReport {
    pub dataset: String,
    pub pairs: Vec<PairAgreement>,
    pub verdict: AgreementSummary,
    pub category: AgreementSummary,
    pub severity: AgreementSummary,
}

impl PanelAgreement {
    /// The document of this agreement on `dataset`, whose image files are `files`.
    pub fn report(
        &self,
        dataset: &str,
        files: &[String],
        vocab: &crate::vocab::Vocabulary,
    ) -> AgreementReport {
        let pairs = (self.pairs.iter().zip(&self.verdicts.per_item))
            .map(|(&(image, label), &agreement)| PairAgreement {
                image: (files.get(image as usize).cloned()).unwrap_or_default(),
                label: vocab.class(label).map(|c| c.wnid.clone()),
                agreement,
            })
            .collect();
        AgreementReport {
            dataset: dataset.to_owned(),
            pairs,
            verdict: (&self.verdicts).into(),
            category: (&self.categories).into(),
            severity: (&self.severities).into(),
        }
    }
}

pub fn panel_agreement(events: &[crate::verdict::VoteEvent]) -> PanelAgreement {
    use super::voting::{events_by_pair, panel_votes, standing_votes};
    use crate::verdict::{Category, Severity, Verdict};
    let mut pairs = Vec::new();
    let (mut verdicts, mut categories, mut severities) = (Vec::new(), Vec::new(), Vec::new());
    for (pair, events) in events_by_pair(events) {
        let standing = standing_votes(&events);
        let votes = panel_votes(&standing);
        if votes.len() < 2 {
            continue;
        }
        pairs.push(pair);
        let tally = |count: &dyn Fn(usize) -> usize, n: usize| -> Vec<u32> {
            (0..n).map(|i| count(i) as u32).collect()
        };
        verdicts.push(tally(
            &|i| {
                votes
                    .iter()
                    .filter(|v| v.verdict == Verdict::ALL[i])
                    .count()
            },
            Verdict::ALL.len(),
        ));
        categories.push(tally(
            &|i| {
                votes
                    .iter()
                    .filter(|v| v.category == Some(Category::ALL[i]))
                    .count()
            },
            Category::ALL.len(),
        ));
        severities.push(tally(
            &|i| {
                votes
                    .iter()
                    .filter(|v| v.severity == Some(Severity::ALL[i]))
                    .count()
            },
            Severity::ALL.len(),
        ));
    }
    PanelAgreement {
        pairs,
        verdicts: agreement(&verdicts),
        categories: agreement(&categories),
        severities: agreement(&severities),
    }
}

fn fleiss_kappa<Item: AsRef<[u32]>>(items: &[Item], observed: f64, used: usize) -> Option<Kappa> {
    let categories = items.iter().map(|c| c.as_ref().len()).max().unwrap_or(0);
    let mut shares = vec![0.0; categories];
    let mut rated = 0usize;
    let mut rater_counts = items
        .iter()
        .map(|c| c.as_ref().iter().sum::<u32>())
        .filter(|&n| n >= 2);
    let first = rater_counts.next();
    let raters_per_item = first.filter(|&n| rater_counts.all(|m| m == n));
    for counts in items.iter().map(AsRef::as_ref) {
        let raters: u32 = counts.iter().sum();
        if raters == 0 {
            continue;
        }
        rated += 1;
        for (share, &count) in shares.iter_mut().zip(counts) {
            *share += count as f64 / raters as f64;
        }
    }
    let chance: f64 = shares.iter().map(|s| (s / rated as f64).powi(2)).sum();
    (chance < 1.0).then(|| Kappa {
        value: (observed - chance) / (1.0 - chance),
        observed,
        chance,
        items: used,
        chance_items: rated,
        raters_per_item,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::numbers::assert_near;

    /// Fleiss (1971) as worked in textbooks and Wikipedia ("Fleiss' kappa", worked example):
    /// 10 subjects, 14 raters each, 5 categories.
    const FLEISS_EXAMPLE: [[u32; 5]; 10] = [
        [0, 0, 0, 0, 14],
        [0, 2, 6, 4, 2],
        [0, 0, 3, 5, 6],
        [0, 3, 9, 2, 0],
        [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0],
        [3, 2, 6, 3, 0],
        [2, 5, 3, 2, 2],
        [6, 5, 2, 1, 0],
        [0, 2, 2, 3, 7],
    ];

    #[test]
    fn the_published_worked_example() {
        let result = agreement(&FLEISS_EXAMPLE);
        // The published per-subject P_i, to three decimals.
        let published = [
            1.000, 0.253, 0.308, 0.440, 0.330, 0.462, 0.242, 0.176, 0.286, 0.286,
        ];
        for (p, expected) in result.per_item.iter().zip(published) {
            assert_near(p.unwrap(), expected, 0.0005);
        }
        // Subject 2 exactly: (2·1 + 6·5 + 4·3 + 2·1) / (14·13) = 46 / 182.
        assert_near(result.per_item[1].unwrap(), 46.0 / 182.0, 1e-12);
        let kappa = result.kappa.clone().unwrap();
        assert_near(kappa.observed, 0.378, 0.0005);
        assert_near(kappa.chance, 0.213, 0.0005);
        assert_near(kappa.value, 0.210, 0.0005);
        // Exactly: P̄ = Σ Σ n_ij (n_ij - 1) / (10 · 14 · 13) = 688 / 1820, p_j = column sums /
        // 140 = 20, 28, 39, 21, 32, P̄e = (400 + 784 + 1521 + 441 + 1024) / 140² = 4170 / 19600.
        assert_near(kappa.observed, 688.0 / 1820.0, 1e-12);
        assert_near(kappa.chance, 4170.0 / 19600.0, 1e-12);
        assert_eq!(result.mean, Some(kappa.observed));
        assert_eq!((kappa.items, kappa.raters_per_item), (10, Some(14)));
        assert!(
            result
                .describe()
                .contains("Fleiss' kappa 0.210 over 10 pairs")
        );
    }

    #[test]
    fn varying_numbers_of_raters_by_hand() {
        // A: 3 raters all agree (1); B: 2 of 3 agree, 1 pair of 3 (1/3); C: 2 raters disagree
        // (0); D: one rater, no pair (None).
        let items = [vec![3, 0], vec![2, 1], vec![1, 1], vec![1, 0]];
        let result = agreement(&items);
        assert_eq!(
            result.per_item,
            [Some(1.0), Some(1.0 / 3.0), Some(0.0), None]
        );
        // P̄ = (1 + 1/3 + 0) / 3 = 4/9. Shares over the four rated items: category 0 (1 +
        // 2/3 + 1/2 + 1) / 4 = 19/24, category 1 5/24; P̄e = (361 + 25) / 576 = 193/288;
        // kappa = (128/288 - 193/288) / (95/288) = -13/19.
        let kappa = result.kappa.clone().unwrap();
        assert_near(kappa.observed, 4.0 / 9.0, 1e-12);
        assert_near(kappa.chance, 193.0 / 288.0, 1e-12);
        assert_near(kappa.value, -13.0 / 19.0, 1e-12);
        assert_eq!((kappa.items, kappa.raters_per_item), (3, None));
        assert_eq!(kappa.chance_items, 4);
        assert!(
            result.describe().contains(
                "Gwet's kappa -0.684 over 3 pairs with two or more votes, chance agreement from 4"
            ),
            "{}",
            result.describe()
        );
    }

    #[test]
    fn no_pairs_or_one_category_leave_kappa_undefined() {
        let lone = agreement(&[vec![1, 0], vec![0, 1]]);
        assert_eq!((lone.mean, lone.kappa), (None, None));
        let unanimous = agreement(&[vec![5, 0], vec![3, 0]]);
        assert_eq!(unanimous.mean, Some(1.0));
        assert_eq!(unanimous.kappa, None);
        assert_eq!(agreement::<Vec<u32>>(&[]).per_item, []);
    }
}
