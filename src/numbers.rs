//! How a fraction reads as a percentage: the same in the terminal, the desk and the plots.

/// A fraction in [0, 1] as a percentage with two decimals; `missing` where there is no value
/// (the terminal takes an ASCII "-", the desk an en dash).
pub fn percent(value: Option<f64>, missing: &str) -> String {
    value.map_or_else(|| missing.to_owned(), |v| format!("{:.2}", v * 100.0))
}

/// An axis number: a fraction as a percentage with one decimal, none when it is whole.
pub fn axis_percent(value: f64) -> String {
    let text = format!("{:.1}", value * 100.0);
    text.strip_suffix(".0").map(String::from).unwrap_or(text)
}

/// Asserts two figures agree within `tolerance`, saying both when they do not.
#[cfg(test)]
pub fn assert_near(actual: f64, expected: f64, tolerance: f64) {
    assert!(
        (actual - expected).abs() <= tolerance,
        "{actual} is not within {tolerance} of {expected}"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_read_as_people_write_them() {
        assert_eq!(percent(Some(0.123456), "-"), "12.35");
        assert_eq!(percent(None, "–"), "–");
        assert_eq!(axis_percent(0.25), "25");
        assert_eq!(axis_percent(0.125), "12.5");
        assert_eq!(axis_percent(0.12996), "13");
    }
}
