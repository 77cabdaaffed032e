//! The uncertainty-matched comparison (Anzaku et al.): a model may do worse on the replica only
//! because the replica holds more of the images it is unsure of. Bin every image by the model's
//! uncertainty, draw the same number of images from source and target in every bin, and compare
//! accuracy on those matched subsets, and bin by bin (the accuracy-versus-uncertainty curve).

use crate::data::TopK;
use crate::vocab::ClassId;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// What "uncertain" means for a (model, image).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Uncertainty {
    /// 1 - the top-1 softmax score.
    Softmax,
    /// The entropy of the softmax, divided by ln(classes) so that it lies in [0, 1].
    Entropy,
    /// The fraction of the other models whose top-1 differs: needs no scores.
    Disagreement,
}

impl Uncertainty {
    pub fn as_str(self) -> &'static str {
        match self {
            Uncertainty::Softmax => "softmax",
            Uncertainty::Entropy => "entropy",
            Uncertainty::Disagreement => "disagreement",
        }
    }

    /// Whether it reads the scores imported with the predictions.
    pub fn needs_scores(self) -> bool {
        self != Uncertainty::Disagreement
    }
}

/// How the uncertainty range is cut into bins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Binning {
    /// Equal widths over [0, 1].
    Width,
    /// Quantiles of the model's values on both datasets pooled: bins of about equal count.
    Quantile,
}

impl Binning {
    pub fn as_str(self) -> &'static str {
        match self {
            Binning::Width => "width",
            Binning::Quantile => "quantile",
        }
    }
}

/// One model's uncertainty per image, from its scores; None when it has none of what is asked.
pub fn from_scores(
    predictions: &TopK,
    uncertainty: Uncertainty,
    classes: usize,
) -> Option<Vec<f64>> {
    match uncertainty {
        Uncertainty::Softmax => {
            let top1 = predictions.max_softmax.clone().or_else(|| {
                let scores = predictions.scores.as_ref()?;
                Some(scores.iter().step_by(predictions.k).copied().collect())
            })?;
            Some(
                top1.iter()
                    .map(|&p| (1.0 - p as f64).clamp(0.0, 1.0))
                    .collect(),
            )
        }
        Uncertainty::Entropy => {
            let most = (classes.max(2) as f64).ln();
            let entropy = predictions.entropy.as_ref()?;
            Some(
                entropy
                    .iter()
                    .map(|&h| (h as f64 / most).clamp(0.0, 1.0))
                    .collect(),
            )
        }
        Uncertainty::Disagreement => None,
    }
}

const IMAGES_PER_TASK: usize = 4096;

/// For each model (in the order given) and image: the fraction of the other models whose top-1
/// differs from this model's top-1. At least two models.
pub fn disagreement(models: &[&TopK], classes: usize) -> Vec<Vec<f64>> {
    let count = models.len();
    let images = models.first().map_or(0, |m| m.num_images());
    let others = (count.max(2) - 1) as f64;
    let chunks: Vec<Vec<Vec<f64>>> = (0..images)
        .step_by(IMAGES_PER_TASK)
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|start| {
            let end = (start + IMAGES_PER_TASK).min(images);
            let mut votes = vec![0u16; classes];
            let mut out = vec![Vec::with_capacity(end - start); count];
            for image in start..end {
                for model in models {
                    votes[model.top1(image) as usize] += 1;
                }
                for (model, values) in models.iter().zip(&mut out) {
                    // Agreeing others: the votes for this model's class, less its own.
                    let agree = votes[model.top1(image) as usize] as f64 - 1.0;
                    values.push((others - agree) / others);
                }
                for model in models {
                    votes[model.top1(image) as usize] = 0;
                }
            }
            out
        })
        .collect();
    let mut values = vec![Vec::with_capacity(images); count];
    for chunk in chunks {
        for (all, part) in values.iter_mut().zip(chunk) {
            all.extend(part);
        }
    }
    values
}

/// A model's labeled images on one dataset: its uncertainty and whether its top-1 is the
/// original label.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outcomes {
    pub uncertainty: Vec<f64>,
    pub correct: Vec<bool>,
}

impl Outcomes {
    /// Over the images with an original label.
    pub fn new(predictions: &TopK, uncertainty: &[f64], truth: &[Option<ClassId>]) -> Self {
        let mut outcomes = Outcomes::default();
        for (image, label) in truth.iter().enumerate() {
            if let Some(label) = label {
                outcomes.uncertainty.push(uncertainty[image]);
                outcomes.correct.push(predictions.top1(image) == *label);
            }
        }
        outcomes
    }

    /// Top-1 over these images.
    pub fn accuracy(&self) -> Option<f64> {
        let hits = self.correct.iter().filter(|&&c| c).count();
        (!self.correct.is_empty()).then(|| hits as f64 / self.correct.len() as f64)
    }
}

/// Bin edges: `edges[b]..edges[b + 1]` is bin b; a value on an inner edge belongs to the upper bin.
#[derive(Debug, Clone, PartialEq)]
pub struct Bins {
    edges: Vec<f64>,
}

impl Bins {
    /// `count` ≥ 1 equal-width bins over [0, 1].
    pub fn width(count: usize) -> Self {
        Bins {
            edges: (0..=count).map(|b| b as f64 / count as f64).collect(),
        }
    }

    /// `count` ≥ 1 bins at the quantiles of the pooled values; ties can leave bins empty.
    pub fn quantile(count: usize, pooled: &[f64]) -> Self {
        let mut sorted = pooled.to_vec();
        sorted.sort_by(f64::total_cmp);
        let (Some(&lo), Some(&hi)) = (sorted.first(), sorted.last()) else {
            return Bins::width(count);
        };
        let mut edges = vec![lo];
        edges.extend((1..count).map(|b| sorted[b * sorted.len() / count]));
        edges.push(hi);
        Bins { edges }
    }

    pub fn len(&self) -> usize {
        self.edges.len() - 1
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn bounds(&self, bin: usize) -> (f64, f64) {
        (self.edges[bin], self.edges[bin + 1])
    }

    pub fn bin_of(&self, value: f64) -> usize {
        let inner = &self.edges[1..self.len()];
        inner.partition_point(|&edge| edge <= value)
    }

    /// The images of each bin, by position.
    fn split(&self, values: &[f64]) -> Vec<Vec<u32>> {
        let mut bins = vec![Vec::new(); self.len()];
        for (image, &value) in values.iter().enumerate() {
            bins[self.bin_of(value)].push(image as u32);
        }
        bins
    }
}

/// One bin of the curve: how many images were drawn from each side and their accuracies
/// (means over the draws).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BinPoint {
    pub bin: usize,
    pub lo: f64,
    pub hi: f64,
    /// Drawn from each side: the smaller of the two counts.
    pub images: usize,
    pub source: Option<f64>,
    pub target: Option<f64>,
    /// How many images each side had in the bin before matching.
    pub source_images: usize,
    pub target_images: usize,
}

/// The matched comparison of one model: one draw is one random subset, so the figures are
/// means over `draws` draws, with the gap's spread.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Matched {
    /// Images drawn from each side, over all bins.
    pub images: usize,
    pub source: Option<f64>,
    pub target: Option<f64>,
    /// The mean gap over the draws.
    pub gap: Option<f64>,
    /// The gap's standard deviation over the draws (n - 1 in the denominator; 0 for one draw).
    pub gap_sd: Option<f64>,
    /// The gap's expectation over every possible draw, in closed form: a bin's expected
    /// accuracy on the images drawn is its accuracy on all of them, so the expected gap is
    /// Σ_b d_b (source_b − target_b) / Σ_b d_b.
    pub gap_expected: Option<f64>,
    pub draws: usize,
    pub curve: Vec<BinPoint>,
}

/// One bin on both sides: its images and how many of them the model gets right.
struct BinCounts {
    source: (usize, usize),
    target: (usize, usize),
    drawn: usize,
}

/// How many of `drawn` images, drawn without replacement from `images` of which `hits` are
/// right, are right: one hypergeometric draw. The count is the same in law for the images left
/// out (hits minus theirs), for the wrong ones (drawn minus theirs), and with the roles of the
/// draw and the hits swapped, so the loop runs over the smallest of these: a few hundred
/// random numbers where a bin holds thousands of images.
fn hits_drawn(rng: &mut ChaCha8Rng, (images, hits): (usize, usize), drawn: usize) -> usize {
    if drawn == images {
        return hits;
    }
    if 2 * drawn > images {
        return hits - hits_drawn(rng, (images, hits), images - drawn);
    }
    if 2 * hits > images {
        return drawn - hits_drawn(rng, (images, images - hits), drawn);
    }
    let (trials, marked) = (drawn.min(hits), drawn.max(hits));
    let (mut left, mut marked_left, mut got) = (images, marked, 0);
    for _ in 0..trials {
        if rng.random_range(0..left) < marked_left {
            got += 1;
            marked_left -= 1;
        }
        left -= 1;
    }
    got
}

/// Draws the same number of images from source and target in every bin, `draws` times (at
/// least once), from one generator seeded by `seed` alone: the same inputs and seed give the
/// same figures.
pub fn match_by_uncertainty(
    source: &Outcomes,
    target: &Outcomes,
    bins: &Bins,
    seed: u64,
    draws: usize,
) -> Matched {
    let draws = draws.max(1);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let count = |members: &[u32], correct: &[bool]| {
        let hits = members.iter().filter(|&&i| correct[i as usize]).count();
        (members.len(), hits)
    };
    let counts: Vec<BinCounts> = (bins.split(&source.uncertainty).iter())
        .zip(&bins.split(&target.uncertainty))
        .map(|(in_source, in_target)| BinCounts {
            source: count(in_source, &source.correct),
            target: count(in_target, &target.correct),
            drawn: in_source.len().min(in_target.len()),
        })
        .collect();
    let images: usize = counts.iter().map(|b| b.drawn).sum();
    let mut bin_hits = vec![(0usize, 0usize); counts.len()];
    let mut gaps = Vec::with_capacity(draws);
    for _ in 0..draws {
        let (mut s, mut t) = (0, 0);
        for (bin, sums) in counts.iter().zip(&mut bin_hits) {
            let (bin_s, bin_t) = (
                hits_drawn(&mut rng, bin.source, bin.drawn),
                hits_drawn(&mut rng, bin.target, bin.drawn),
            );
            (s, t) = (s + bin_s, t + bin_t);
            (sums.0, sums.1) = (sums.0 + bin_s, sums.1 + bin_t);
        }
        gaps.push((s as f64 - t as f64) / images.max(1) as f64);
    }
    let mean_share =
        |hits: usize, drawn: usize| (drawn > 0).then(|| hits as f64 / (drawn * draws) as f64);
    let curve = (counts.iter().zip(&bin_hits).enumerate())
        .map(|(bin, (counts, &(s, t)))| {
            let (lo, hi) = bins.bounds(bin);
            BinPoint {
                bin,
                lo,
                hi,
                images: counts.drawn,
                source: mean_share(s, counts.drawn),
                target: mean_share(t, counts.drawn),
                source_images: counts.source.0,
                target_images: counts.target.0,
            }
        })
        .collect();
    // From the hit counts, so that equal sides give a gap of exactly 0.
    let total = |side: fn(&(usize, usize)) -> usize| bin_hits.iter().map(side).sum::<usize>();
    let (source, target) = (
        mean_share(total(|b| b.0), images),
        mean_share(total(|b| b.1), images),
    );
    let gap = source.zip(target).map(|(s, t)| s - t);
    Matched {
        images,
        source,
        target,
        gap,
        gap_sd: gap.map(|gap| standard_deviation(&gaps, gap)),
        gap_expected: expected_gap(&counts, images),
        draws,
        curve,
    }
}

fn standard_deviation(values: &[f64], mean: f64) -> f64 {
    if values.len() < 2 {
        return 0.0;
    }
    let squares: f64 = values.iter().map(|v| (v - mean).powi(2)).sum();
    (squares / (values.len() - 1) as f64).sqrt()
}

fn expected_gap(counts: &[BinCounts], images: usize) -> Option<f64> {
    let accuracy = |(images, hits): (usize, usize)| hits as f64 / images.max(1) as f64;
    let weighted: f64 = (counts.iter())
        .map(|b| b.drawn as f64 * (accuracy(b.source) - accuracy(b.target)))
        .sum();
    (images > 0).then(|| weighted / images as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn top1(classes: &[ClassId]) -> TopK {
        TopK {
            k: 1,
            class_ids: classes.to_vec(),
            ..Default::default()
        }
    }

    #[test]
    fn disagreement_by_hand() {
        // Top-1 of three models on two images: A (1, 2), B (1, 3), C (4, 3).
        // Image 0: A agrees with B, not C → 1/2; B likewise 1/2; C with neither → 1.
        // Image 1: A with neither → 1; B with C → 1/2; C with B → 1/2.
        let (a, b, c) = (top1(&[1, 2]), top1(&[1, 3]), top1(&[4, 3]));
        let values = disagreement(&[&a, &b, &c], 10);
        assert_eq!(values, vec![vec![0.5, 1.0], vec![0.5, 0.5], vec![1.0, 0.5]]);
    }

    #[test]
    fn disagreement_reads_only_the_top1_of_ranked_predictions() {
        let a = TopK {
            k: 2,
            class_ids: vec![7, 1, 7, 2],
            ..Default::default()
        };
        let b = TopK {
            k: 2,
            class_ids: vec![7, 3, 1, 7],
            ..Default::default()
        };
        assert_eq!(
            disagreement(&[&a, &b], 10),
            vec![vec![0.0, 1.0], vec![0.0, 1.0]]
        );
    }

    #[test]
    fn width_bins_put_an_edge_value_in_the_upper_bin() {
        let bins = Bins::width(10);
        assert_eq!(bins.bin_of(0.0), 0);
        assert_eq!(bins.bin_of(0.3), 3, "0.3 is the lower edge of bin 3");
        assert_eq!(bins.bin_of(3.0 / 10.0), 3);
        assert_eq!(bins.bin_of(33.0 / 66.0), 5);
        assert_eq!(bins.bin_of(0.999), 9);
        assert_eq!(bins.bin_of(1.0), 9, "1 closes the last bin");
        assert_eq!(bins.bounds(3), (0.3, 0.4));
    }

    #[test]
    fn quantile_bins_cut_the_pooled_values_into_equal_counts() {
        let pooled: Vec<f64> = (0..8).map(|i| i as f64 / 10.0).collect();
        // Edges at sorted[2], sorted[4], sorted[6] = 0.2, 0.4, 0.6; ends 0.0 and 0.7.
        let bins = Bins::quantile(4, &pooled);
        assert_eq!(bins.edges, vec![0.0, 0.2, 0.4, 0.6, 0.7]);
        let counts = bins.split(&pooled).iter().map(Vec::len).collect::<Vec<_>>();
        assert_eq!(counts, vec![2, 2, 2, 2]);
        // Ties: half the values at 0 leave the lower bins empty.
        let tied = [0.0, 0.0, 0.0, 0.0, 0.5, 0.6, 0.7, 0.8];
        let counts = Bins::quantile(4, &tied)
            .split(&tied)
            .iter()
            .map(Vec::len)
            .collect::<Vec<_>>();
        assert_eq!(counts, vec![0, 4, 2, 2]);
    }

    fn outcomes(pairs: &[(f64, bool)]) -> Outcomes {
        Outcomes {
            uncertainty: pairs.iter().map(|p| p.0).collect(),
            correct: pairs.iter().map(|p| p.1).collect(),
        }
    }

    #[test]
    fn matching_removes_a_gap_that_only_the_mix_of_uncertainty_makes() {
        // Sure images are always right, unsure ones always wrong, on both sides; the target
        // just holds more unsure images. Source: 4 sure + 2 unsure, raw 4/6; target: 1 sure +
        // 3 unsure, raw 1/4: a raw gap of 5/12.
        // Matched: bin 0 draws min(4, 1) = 1 a side (both right), bin 1 min(2, 3) = 2 a side
        // (all wrong): 1/3 against 1/3, no gap, whichever images are drawn.
        let source = outcomes(&[
            (0.1, true),
            (0.1, true),
            (0.2, true),
            (0.0, true),
            (0.9, false),
            (0.7, false),
        ]);
        let target = outcomes(&[(0.05, true), (0.8, false), (0.6, false), (0.99, false)]);
        assert_eq!(source.accuracy(), Some(4.0 / 6.0));
        assert_eq!(target.accuracy(), Some(0.25));
        let matched = match_by_uncertainty(&source, &target, &Bins::width(2), 0, 20);
        assert_eq!(matched.images, 3);
        assert_eq!(
            (matched.source, matched.target, matched.gap),
            (Some(1.0 / 3.0), Some(1.0 / 3.0), Some(0.0))
        );
        assert_eq!(
            (matched.gap_sd, matched.gap_expected),
            (Some(0.0), Some(0.0))
        );
        let first = &matched.curve[0];
        assert_eq!((first.lo, first.hi, first.images), (0.0, 0.5, 1));
        assert_eq!((first.source_images, first.target_images), (4, 1));
        assert_eq!((first.source, first.target), (Some(1.0), Some(1.0)));
        assert_eq!(matched.curve[1].source, Some(0.0));
    }

    #[test]
    fn a_bin_empty_on_one_side_draws_nothing() {
        let source = outcomes(&[(0.1, true), (0.9, false)]);
        let target = outcomes(&[(0.2, false)]);
        let matched = match_by_uncertainty(&source, &target, &Bins::width(2), 0, 1);
        assert_eq!(matched.images, 1);
        assert_eq!((matched.source, matched.target), (Some(1.0), Some(0.0)));
        assert_eq!(matched.curve[1].images, 0);
        assert_eq!(
            (matched.curve[1].source, matched.curve[1].target),
            (None, None)
        );
    }

    #[test]
    fn the_draw_is_seeded() {
        // One bin, 100 source images half right, 10 target images: which 10 source images are
        // drawn depends on the seed alone.
        let source = outcomes(&(0..100).map(|i| (0.5, i % 2 == 0)).collect::<Vec<_>>());
        let target = outcomes(&[(0.5, true); 10]);
        let draw = |seed| match_by_uncertainty(&source, &target, &Bins::width(1), seed, 1).source;
        assert_eq!(draw(7), draw(7));
        let draws: std::collections::BTreeSet<_> = (0..20)
            .map(|seed| (draw(seed).unwrap() * 10.0).round() as i64)
            .collect();
        assert!(draws.len() > 1, "different seeds draw different images");
    }

    #[test]
    fn the_gap_is_a_mean_over_draws_with_its_spread_and_expectation() {
        // One bin: 4 source images, 2 right; 2 target images, both right. Every draw takes 2
        // source images: both right with probability 1/6, one 4/6, none 1/6, so the source
        // accuracy is 1, 1/2 or 0 and the gap 0, -1/2 or -1: expectation -1/2, standard
        // deviation √(1/12) ≈ 0.2887.
        let source = outcomes(&[(0.5, true), (0.5, true), (0.5, false), (0.5, false)]);
        let target = outcomes(&[(0.5, true), (0.5, true)]);
        let matched = match_by_uncertainty(&source, &target, &Bins::width(1), 5, 20_000);
        assert_eq!(matched.gap_expected, Some(-0.5));
        assert_eq!(matched.draws, 20_000);
        let gap = matched.gap.unwrap();
        assert!((gap + 0.5).abs() < 0.01, "{gap}");
        let sd = matched.gap_sd.unwrap();
        assert!((sd - (1.0f64 / 12.0).sqrt()).abs() < 0.01, "{sd}");
        assert_eq!(matched.curve[0].target, Some(1.0));
        assert!((matched.curve[0].source.unwrap() - 0.5).abs() < 0.01);
        // One draw has no spread.
        let once = match_by_uncertainty(&source, &target, &Bins::width(1), 5, 1);
        assert_eq!(once.gap_sd, Some(0.0));
    }

    #[test]
    fn each_shortcut_of_the_hypergeometric_draw_keeps_its_mean_and_variance() {
        // N images, K right, n drawn: mean nK/N, variance n (K/N)(1 - K/N)(N - n)/(N - 1).
        // (10, 8, 7) goes through the complement of the draw and of the hits; (10, 2, 3)
        // swaps the draw and the hits; (10, 4, 4) is the plain loop.
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        for (images, hits, drawn) in [(10usize, 8usize, 7usize), (10, 2, 3), (10, 4, 4)] {
            let (n, k, d) = (images as f64, hits as f64, drawn as f64);
            let draws: Vec<f64> = (0..40_000)
                .map(|_| hits_drawn(&mut rng, (images, hits), drawn) as f64)
                .collect();
            let mean = draws.iter().sum::<f64>() / draws.len() as f64;
            let variance = standard_deviation(&draws, mean).powi(2);
            let expected = d * k / n * (1.0 - k / n) * (n - d) / (n - 1.0);
            assert!(
                (mean - d * k / n).abs() < 0.02,
                "{images} {hits} {drawn}: mean {mean}"
            );
            assert!(
                (variance - expected).abs() < 0.02,
                "variance {variance} vs {expected}"
            );
            assert!(
                draws
                    .iter()
                    .all(|&x| x <= d.min(k) && x >= (d + k - n).max(0.0))
            );
        }
    }

    #[test]
    fn uncertainty_from_scores() {
        let predictions = TopK {
            k: 2,
            class_ids: vec![0, 1, 1, 0],
            scores: Some(vec![0.75, 0.25, 0.5, 0.5]),
            max_softmax: None,
            entropy: Some(vec![0.0, (4.0f32).ln()]),
        };
        let softmax = from_scores(&predictions, Uncertainty::Softmax, 4).unwrap();
        assert_eq!(softmax, vec![0.25, 0.5]);
        let entropy = from_scores(&predictions, Uncertainty::Entropy, 4).unwrap();
        assert!(
            entropy[0] == 0.0 && (entropy[1] - 1.0).abs() < 1e-6,
            "ln 4 / ln 4 = 1"
        );
        let ids_only = TopK {
            scores: None,
            entropy: None,
            ..predictions
        };
        assert_eq!(from_scores(&ids_only, Uncertainty::Softmax, 4), None);
    }
}
