//! Jumping in the queue: to an image by its file name, or to a class (its pairs, predicted or
//! original), from a search field; the desk keeps where it came from to go back.

use super::Review;
use crate::vocab::{ClassId, Vocabulary};

/// Where a search result leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Jump {
    /// An image with pairs in the queue.
    Image(u32),
    /// The queue's pairs where the class is predicted or is the original label.
    Class(ClassId),
}

/// What matches `query`: images whose file name holds it (case aside) and that have pairs in
/// the queue, then classes by name, wnid or index; at most `limit`, each with its words.
pub fn jump_targets(
    review: &Review,
    vocab: &Vocabulary,
    query: &str,
    limit: usize,
) -> Vec<(Jump, String)> {
    let wanted = query.trim().to_lowercase();
    if wanted.is_empty() {
        return Vec::new();
    }
    let images = (review.files.iter().enumerate())
        .filter(|(_, file)| file.to_lowercase().contains(&wanted))
        .filter(|&(image, _)| !review.queue.items_of(image as u32).is_empty())
        .map(|(image, file)| (Jump::Image(image as u32), format!("image {file}")));
    let classes = (vocab.find(query, limit).into_iter())
        .filter_map(|class| vocab.class(class))
        .map(|class| {
            let words = format!("class {} · {}", class.name(), class.wnid);
            (Jump::Class(class.index), words)
        });
    images.chain(classes).take(limit).collect()
}
