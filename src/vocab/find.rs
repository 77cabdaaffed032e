//! Finding a class by what a panelist types: whole words and word beginnings first, in the
//! class's usual name before its synonyms, then anything a fuzzy matcher (nucleo) accepts.

use super::{ClassId, Vocabulary};
use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};
use std::cmp::Reverse;

/// How a name meets the query, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Fit {
    Exact,
    Word,
    WordStart,
    Inside,
    Fuzzy,
}

fn fit(name: &str, query: &str) -> Option<Fit> {
    if name == query {
        return Some(Fit::Exact);
    }
    let mut words = name
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty());
    if words.clone().any(|word| word == query) || name.split(' ').any(|w| w == query) {
        Some(Fit::Word)
    } else if words.any(|word| word.starts_with(query)) || name.starts_with(query) {
        Some(Fit::WordStart)
    } else {
        name.contains(query).then_some(Fit::Inside)
    }
}

impl Vocabulary {
    /// The classes matching `query` (a name, a wnid or an index), best first, at most `limit`.
    pub fn find(&self, query: &str, limit: usize) -> Vec<ClassId> {
        let query = query.trim().to_lowercase();
        if query.is_empty() {
            return self.classes.iter().take(limit).map(|c| c.index).collect();
        }
        let pattern = Pattern::parse(&query, CaseMatching::Ignore, Normalization::Smart);
        let mut matcher = Matcher::new(Config::DEFAULT);
        let mut buffer = Vec::new();
        let mut ranked: Vec<_> = (self.classes.iter())
            .filter_map(|class| {
                if class.wnid == query || class.index.to_string() == query {
                    return Some(((Fit::Exact, 0, 0, Reverse(u32::MAX)), class.index));
                }
                let names = class.names.to_lowercase();
                let fuzzy = pattern
                    .score(Utf32Str::new(&names, &mut buffer), &mut matcher)
                    .unwrap_or(0);
                // The usual name (0) before a synonym (1).
                let best = (names.split(", ").enumerate())
                    .filter_map(|(rank, name)| Some((fit(name, &query)?, rank.min(1), name.len())))
                    .min();
                let (fit, synonym, length) = match best {
                    Some(best) => best,
                    None if fuzzy > 0 => (Fit::Fuzzy, 1, names.len()),
                    None => return None,
                };
                Some(((fit, synonym, length, Reverse(fuzzy)), class.index))
            })
            .collect();
        ranked.sort_unstable();
        ranked
            .into_iter()
            .take(limit)
            .map(|(_, class)| class)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(query: &str, limit: usize) -> Vec<String> {
        let vocab = Vocabulary::imagenet1k();
        (vocab.find(query, limit).into_iter())
            .map(|c| vocab.class(c).unwrap().name().to_owned())
            .collect()
    }

    #[test]
    fn whole_words_in_the_usual_name_come_first() {
        // The three classes whose usual name has the word "coat"; chiton ("coat-of-mail
        // shell" is a synonym) after them.
        let found = names("coat", 6);
        let mut first = found[..3].to_vec();
        first.sort();
        assert_eq!(first, ["fur coat", "lab coat", "trench coat"]);
        let chiton = found.iter().position(|n| n == "chiton").unwrap();
        assert!(chiton >= 3, "{found:?}");
    }

    #[test]
    fn a_wnid_an_index_or_a_typo_finds_the_class() {
        assert_eq!(names("n02123045", 1), ["tabby"]);
        assert_eq!(names("281", 1), ["tabby"]);
        assert!(names("trnch ct", 3).contains(&"trench coat".to_owned()));
    }
}
