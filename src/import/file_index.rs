//! Finding a dataset image by the name another file gives it: the same relative path, the
//! same base name ("val/n01440764/x.JPEG" ~ "x.JPEG"), or, when one of the two has no
//! extension, the same stem (V2's "hash" ~ "hash.jpeg"). Nothing looser: "x.JPEG\rjunk" or
//! "x.JPEG junk" names no image, though its stem is x's.

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
        let name = name.trim_matches([' ', '\t']);
        // No file name holds a control character: a line break, a NUL or a carriage return is
        // damage in the file, or something after the name that is not part of it.
        if name.chars().any(char::is_control) {
            return None;
        }
        if let Some(&position) = self.exact.get(name) {
            return Some(position);
        }
        let (base, stem) = (base_name(name), stem(name));
        let by_stem = match base == stem {
            true => self.stem.get(base),
            // The dataset's image may be the one without an extension.
            false if !stem.contains('.') => self.base.get(stem),
            false => None,
        };
        let by_base = self.base.get(base).copied().flatten();
        by_base.or_else(|| by_stem.copied().flatten())
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
        assert_eq!(index.find("  abc123\t"), Some(1));
    }

    #[test]
    fn a_name_with_anything_after_it_is_no_image() {
        let index = FileIndex::new(["ILSVRC2012_val_00000001.JPEG", "hash"]);
        for junk in ["\rjunk", "\nX", "\0", "\r", " junk", ".png"] {
            let name = format!("ILSVRC2012_val_00000001.JPEG{junk}");
            assert_eq!(index.find(&name), None, "{name:?}");
        }
        assert_eq!(index.find("ILSVRC2012_val_00000001.png"), None);
        assert_eq!(index.find("ILSVRC2012_val_00000001"), Some(0));
        assert_eq!(index.find("hash.jpeg"), Some(1));
        assert_eq!(index.find("hash\0.jpeg"), None);
    }
}
