//! "Accuracy on the line" (Recht et al.): across models, target accuracy is close to a linear
//! function of source accuracy, more closely so on the probit scale. The least-squares line,
//! its R², and each model's residual (its effective robustness) on either scale.

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, Normal};

/// Accuracies are clamped into [CLAMP, 1 - CLAMP] before the probit, which is infinite at 0 and 1.
pub const CLAMP: f64 = 1e-6;

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LineFit {
    pub slope: f64,
    pub intercept: f64,
    /// Coefficient of determination, 1 - SS_res / SS_tot.
    pub r2: f64,
}

impl LineFit {
    pub fn predict(&self, x: f64) -> f64 {
        self.intercept + self.slope * x
    }
}

/// The two axes a fit is drawn on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scale {
    Plain,
    Probit,
}

impl Scale {
    pub fn as_str(self) -> &'static str {
        match self {
            Scale::Plain => "linear",
            Scale::Probit => "probit",
        }
    }

    /// An accuracy in axis units.
    pub fn transform(self, accuracy: f64) -> f64 {
        match self {
            Scale::Plain => accuracy,
            Scale::Probit => probit(accuracy),
        }
    }

    /// Axis units back to an accuracy (for tick labels).
    pub fn inverse(self, value: f64) -> f64 {
        match self {
            Scale::Plain => value,
            Scale::Probit => standard_normal().cdf(value),
        }
    }
}

fn standard_normal() -> Normal {
    Normal::standard()
}

/// The standard normal quantile of an accuracy clamped to [CLAMP, 1 - CLAMP].
pub fn probit(accuracy: f64) -> f64 {
    standard_normal().inverse_cdf(accuracy.clamp(CLAMP, 1.0 - CLAMP))
}

/// Ordinary least squares of y on x. None with fewer than two points or when x does not vary.
/// R² is 1 when y does not vary either way (the line fits it exactly).
pub fn fit_line(points: &[(f64, f64)]) -> Option<LineFit> {
    if points.len() < 2 {
        return None;
    }
    let n = points.len() as f64;
    let mean_x = points.iter().map(|p| p.0).sum::<f64>() / n;
    let mean_y = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = points.iter().map(|p| (p.0 - mean_x).powi(2)).sum();
    let sxy: f64 = points.iter().map(|p| (p.0 - mean_x) * (p.1 - mean_y)).sum();
    let syy: f64 = points.iter().map(|p| (p.1 - mean_y).powi(2)).sum();
    if sxx == 0.0 {
        return None;
    }
    let slope = sxy / sxx;
    let intercept = mean_y - slope * mean_x;
    let residual: f64 = points
        .iter()
        .map(|p| (p.1 - intercept - slope * p.0).powi(2))
        .sum();
    let r2 = if syy == 0.0 {
        1.0
    } else {
        1.0 - residual / syy
    };
    Some(LineFit {
        slope,
        intercept,
        r2,
    })
}

/// The fit of (source, target) accuracies on one scale.
pub fn fit_accuracies(pairs: &[(f64, f64)], scale: Scale) -> Option<LineFit> {
    let points: Vec<(f64, f64)> = pairs
        .iter()
        .map(|&(x, y)| (scale.transform(x), scale.transform(y)))
        .collect();
    fit_line(&points)
}

/// How far a model's target accuracy lies above (+) or below (-) the line, in the scale's units.
pub fn residual(fit: &LineFit, scale: Scale, source: f64, target: f64) -> f64 {
    scale.transform(target) - fit.predict(scale.transform(source))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn least_squares_by_hand() {
        // x = 1, 2, 3; y = 2, 3, 5: mean x 2, mean y 10/3; Sxx = 2, Sxy = 3 → slope 1.5,
        // intercept 10/3 - 3 = 1/3. Fitted 11/6, 10/3, 29/6; residuals 1/6, -1/3, 1/6 →
        // SS_res = 1/6; SS_tot = (16 + 1 + 25)/9 = 14/3; R² = 1 - (1/6)/(14/3) = 27/28.
        let fit = fit_line(&[(1.0, 2.0), (2.0, 3.0), (3.0, 5.0)]).unwrap();
        assert!((fit.slope - 1.5).abs() < 1e-12);
        assert!((fit.intercept - 1.0 / 3.0).abs() < 1e-12);
        assert!((fit.r2 - 27.0 / 28.0).abs() < 1e-12);
        assert!((residual(&fit, Scale::Plain, 2.0, 3.0) + 1.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn a_perfect_line_and_degenerate_inputs() {
        let fit = fit_line(&[(0.0, 1.0), (1.0, 3.0), (2.0, 5.0)]).unwrap();
        assert_eq!((fit.slope, fit.intercept, fit.r2), (2.0, 1.0, 1.0));
        assert_eq!(fit_line(&[(0.5, 0.4)]), None, "one model is no line");
        assert_eq!(fit_line(&[(0.5, 0.4), (0.5, 0.3)]), None, "x does not vary");
    }

    #[test]
    fn probit_is_the_standard_normal_quantile_clamped() {
        assert!(probit(0.5).abs() < 1e-12);
        assert!((probit(0.975) - 1.959963984540054).abs() < 1e-9);
        assert!((probit(0.8413447460685429) - 1.0).abs() < 1e-9);
        // Clamped: Φ⁻¹(1e-6) = -4.753424308822899.
        assert!((probit(0.0) + 4.753424308822899).abs() < 1e-6);
        assert_eq!(probit(0.0), probit(1e-9));
        assert!((probit(1.0) - 4.753424308822899).abs() < 1e-6);
        assert!((Scale::Probit.inverse(probit(0.7)) - 0.7).abs() < 1e-12);
    }

    #[test]
    fn the_probit_fit_is_the_line_through_the_transformed_points() {
        // Points exactly on probit(y) = 0.5 + 0.8 probit(x).
        let pairs: Vec<(f64, f64)> = [0.6, 0.7, 0.8, 0.9]
            .iter()
            .map(|&x| {
                let y = Scale::Probit.inverse(0.5 + 0.8 * probit(x));
                (x, y)
            })
            .collect();
        let fit = fit_accuracies(&pairs, Scale::Probit).unwrap();
        assert!((fit.slope - 0.8).abs() < 1e-9 && (fit.intercept - 0.5).abs() < 1e-9);
        assert!((fit.r2 - 1.0).abs() < 1e-12);
        let plain = fit_accuracies(&pairs, Scale::Plain).unwrap();
        assert!(plain.r2 < 1.0, "the same points bend on the plain scale");
    }
}
