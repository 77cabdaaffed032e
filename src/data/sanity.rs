//! Checks on stored predictions that catch a broken file before its figures mislead anyone:
//! columns written worst-first (the ImageNetV2 release has one: `fv_16k` on the three V2 sets)
//! and a top-1 no better than guessing (rows in another order than the dataset's, or class ids
//! in another order than the vocabulary's). `metrics`, `compare`, the import and the desk all
//! show the same warnings; it lives beside the columns so the importer, below the metrics,
//! can run it too.

use super::TopK;
use crate::vocab::ClassId;
use serde::Serialize;

/// Something wrong with one model's predictions on one dataset, and what to do about it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Warning {
    pub model: String,
    pub dataset: String,
    /// `reversed_ranks` or `near_chance`; `compare` adds `thin_bins`.
    pub kind: &'static str,
    pub message: String,
}

/// How many images each of the first ranks gets right (the original label), over the images
/// that have one.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct RankHits {
    pub labeled: usize,
    /// Hits of rank 1, 2, ... up to the ranks kept (at most [`RANKS_CHECKED`]).
    pub by_rank: [usize; RANKS_CHECKED],
    pub ranks: usize,
}

pub const RANKS_CHECKED: usize = 5;

/// Hits above this many standard deviations over guessing count as "better than chance".
const CHANCE_SIGMAS: f64 = 3.0;

/// The most hits a model guessing uniformly among `classes` would plausibly reach: the mean
/// plus three standard deviations of the binomial.
fn chance_bound(labeled: usize, classes: usize) -> f64 {
    let p = 1.0 / classes.max(1) as f64;
    let n = labeled as f64;
    n * p + CHANCE_SIGMAS * (n * p * (1.0 - p)).sqrt()
}

/// The warning a model's rank hits call for, if any: reversed ranks when the hits rise with the
/// rank (each rank at least the one before) up to a lower rank that hits the original label
/// more often than rank 1 and more than guessing would, else near chance when rank 1 does no
/// better than guessing. Rows in another order than the dataset's give every rank chance hits:
/// that is near chance, never reversed.
pub fn check(model: &str, dataset: &str, hits: &RankHits, classes: usize) -> Option<Warning> {
    if hits.labeled == 0 {
        return None;
    }
    let bound = chance_bound(hits.labeled, classes);
    let share = |count: usize| 100.0 * count as f64 / hits.labeled as f64;
    let first = hits.by_rank[0];
    let ranks = hits.ranks.min(RANKS_CHECKED);
    let rising = hits.by_rank[..ranks].windows(2).all(|w| w[0] <= w[1]);
    let best_lower = (ranks > 1 && rising).then_some(ranks - 1);
    let warning = |kind, message| Warning {
        model: model.to_owned(),
        dataset: dataset.to_owned(),
        kind,
        message,
    };
    if let Some(rank) = best_lower.filter(|&r| {
        let count = hits.by_rank[r];
        count > first && count as f64 > bound
    }) {
        return Some(warning(
            "reversed_ranks",
            format!(
                "{model} on {dataset}: rank {} hits the original label on {:.2}% of the images, \
                 rank 1 on {:.2}%: its columns look reversed (worst first). Re-import the file \
                 with `bagel import predictions PROJECT --dataset {dataset} --model {model} \
                 --reverse-ranks --replace FILE`",
                rank + 1,
                share(hits.by_rank[rank]),
                share(first)
            ),
        ));
    }
    (first as f64 <= bound).then(|| {
        warning(
            "near_chance",
            format!(
                "{model} on {dataset}: top-1 {:.2}% is no better than guessing among {classes} \
                 classes: the rows may be in another order than the dataset: pass --order LIST \
                 (the images of its rows, in order) and --replace, or save the image names in \
                 the file; else the class ids follow another order than the vocabulary's",
                share(first)
            ),
        )
    })
}

impl RankHits {
    /// Counts each of the first ranks' hits of the original label over the labeled images.
    pub fn count(predictions: &TopK, truth: &[Option<ClassId>]) -> RankHits {
        let mut hits = RankHits {
            ranks: predictions.k.min(RANKS_CHECKED),
            ..RankHits::default()
        };
        for (ranked, label) in predictions.rows().zip(truth) {
            let Some(label) = *label else { continue };
            hits.labeled += 1;
            for (count, &p) in hits.by_rank.iter_mut().zip(ranked) {
                *count += (p == label) as usize;
            }
        }
        hits
    }
}

/// The check over a model's predictions, for the importer, which has no report at hand.
pub fn check_predictions(
    model: &str,
    dataset: &str,
    predictions: &TopK,
    truth: &[Option<ClassId>],
    classes: usize,
) -> Option<Warning> {
    check(
        model,
        dataset,
        &RankHits::count(predictions, truth),
        classes,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hits(labeled: usize, by_rank: [usize; 5]) -> RankHits {
        RankHits {
            labeled,
            by_rank,
            ranks: 5,
        }
    }

    #[test]
    fn fv_16k_on_imagenetv2_reads_as_reversed() {
        // The release's fv_16k on imagenetv2-b-33: hits by column 247/338/439/804/1924.
        let warning = check(
            "fv_16k",
            "imagenetv2-b-33",
            &hits(10_000, [247, 338, 439, 804, 1924]),
            1000,
        )
        .unwrap();
        assert_eq!(warning.kind, "reversed_ranks");
        assert!(
            warning
                .message
                .contains("rank 5 hits the original label on 19.24%")
        );
        assert!(warning.message.contains("rank 1 on 2.47%"));
        assert!(warning.message.contains("--reverse-ranks"));
    }

    #[test]
    fn a_normal_model_passes() {
        // resnet152 on val: 78.31% top-1, rank 2 far below.
        assert_eq!(
            check(
                "r",
                "val",
                &hits(50_000, [39156, 4700, 1500, 800, 500]),
                1000
            ),
            None
        );
    }

    #[test]
    fn guessing_is_near_chance_and_its_noise_is_not_reversed() {
        // 10,000 images, 1000 classes: chance gives 10 ± 3.16 hits a rank (σ² = 10 × 0.999);
        // the bound is 10 + 3σ = 19.482.
        assert!((chance_bound(10_000, 1000) - 19.482).abs() < 1e-3);
        let random = check("g", "d", &hits(10_000, [12, 15, 9, 19, 11]), 1000).unwrap();
        assert_eq!(random.kind, "near_chance", "rank 4's 19 is still guessing");
        assert!(random.message.contains("top-1 0.12%"));
        assert_eq!(
            check("g", "d", &hits(10_000, [20, 15, 9, 19, 11]), 1000),
            None
        );
    }

    #[test]
    fn rows_out_of_order_are_near_chance_and_never_reversed() {
        // Shuffled rows: every rank hits by chance, a lower one above the bound now and then;
        // the hits do not rise with the rank, so the advice is --order, not --reverse-ranks.
        let shuffled = check("m", "val", &hits(50_000, [52, 49, 83, 47, 51]), 1000).unwrap();
        assert_eq!(shuffled.kind, "near_chance");
        assert!(
            shuffled.message.contains("--order LIST"),
            "{}",
            shuffled.message
        );
        assert!(!shuffled.message.contains("--reverse-ranks"));
    }

    #[test]
    fn the_check_over_predictions_counts_each_rank() {
        // Three labeled images; rank 2 hits twice, rank 1 once; 2 classes make chance high,
        // so a larger vocabulary is given.
        let predictions = TopK {
            k: 2,
            class_ids: vec![1, 0, 3, 2, 4, 5, 7, 7],
            ..Default::default()
        };
        let truth = [Some(0), Some(2), Some(4), None];
        let warning = check_predictions("m", "d", &predictions, &truth, 1000).unwrap();
        assert_eq!(warning.kind, "reversed_ranks");
        assert!(
            warning
                .message
                .contains("rank 2 hits the original label on 66.67%")
        );
    }
}
