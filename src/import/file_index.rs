//! Finding a dataset image by the name another file gives it: the same relative path, the
//! same base name ("val/n01440764/x.JPEG" ~ "x.JPEG"), or the same stem (V2's "hash" ~ "hash.jpeg").

use std::collections::HashMap;

pub struct FileIndex {
    exact: HashMap<String, u32>,
    /// None when several images share the key, so a guess is never made.
    base: HashMap<String, Option<u32>>,
    stem: HashMap<String, Option<u32>>,
}

fn base_name(name: &str) -> &str {
    name.rsplit(['/', '\\']).next().unwrap_or(name)
}

fn stem(name: &str) -> &str {
    let base = base_name(name);
    base.rsplit_once('.').map_or(base, |(stem, _)| stem)
}

impl FileIndex {
    pub fn new<'a>(files: impl IntoIterator<Item = &'a str>) -> Self {
        let mut index = FileIndex {
            exact: HashMap::new(),
            base: HashMap::new(),
            stem: HashMap::new(),
        };
        for (position, file) in files.into_iter().enumerate() {
            let position = position as u32;
            index.exact.insert(file.to_owned(), position);
            for (map, key) in [
                (&mut index.base, base_name(file)),
                (&mut index.stem, stem(file)),
            ] {
                map.entry(key.to_owned())
                    .and_modify(|slot| *slot = None)
                    .or_insert(Some(position));
            }
        }
        index
    }

    pub fn find(&self, name: &str) -> Option<u32> {
        let name = name.trim();
        if let Some(&position) = self.exact.get(name) {
            return Some(position);
        }
        let by_base = self.base.get(base_name(name)).copied().flatten();
        by_base.or_else(|| self.stem.get(stem(name)).copied().flatten())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_by_path_base_name_or_stem_but_never_ambiguously() {
        let index = FileIndex::new([
            "n01440764/ILSVRC2012_val_00000293.JPEG",
            "abc123",
            "a/dup.jpg",
            "b/dup.jpg",
        ]);
        assert_eq!(
            index.find("n01440764/ILSVRC2012_val_00000293.JPEG"),
            Some(0)
        );
        assert_eq!(
            index.find("/data/val/ILSVRC2012_val_00000293.JPEG"),
            Some(0)
        );
        assert_eq!(index.find("imagenetv2/12/abc123.jpeg"), Some(1));
        assert_eq!(index.find("b/dup.jpg"), Some(3));
        assert_eq!(index.find("dup.jpg"), None);
        assert_eq!(index.find("other.jpg"), None);
    }
}
