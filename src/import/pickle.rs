//! The part of Python's pickle format that `torch.save` writes for tensors and for dicts and
//! lists of them (protocols 2 to 5): read into plain values, never run. Class references stay
//! names and calls stay (name, arguments); torch's storages arrive as persistent ids.
//! serde-pickle, the well-kept Rust reader, drops persistent ids and the names of unknown
//! classes, which are exactly what says where a tensor's bytes are and of what type.

use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq)]
pub enum Object {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Bytes(Vec<u8>),
    List(Vec<Object>),
    Tuple(Vec<Object>),
    Dict(Vec<(Object, Object)>),
    /// A class or function, "module.name".
    Global(String),
    /// A global applied to arguments (REDUCE, NEWOBJ): how tensors are rebuilt.
    Call(String, Vec<Object>),
    /// What a persistent id names (torch: a storage), as its tuple.
    Persistent(Box<Object>),
    Mark,
}

impl Object {
    /// The value in a few words for a message ("an integer", "a list of 3 tensors"): never
    /// its whole contents, which may be thousands of characters.
    pub fn describe(&self) -> String {
        let items = match self {
            Object::List(items) | Object::Tuple(items) | Object::Call(_, items) => items,
            Object::Dict(entries) => return counted("a dict", "entry", "entries", entries.len()),
            other => return other.kind().0,
        };
        let (container, _) = self.kind();
        let first = items.first().map(Object::kind);
        let (one, many) = match first {
            Some(kind) if items.iter().all(|item| item.kind() == kind) => kind,
            _ => ("value".into(), "values".into()),
        };
        let one = one.trim_start_matches("an ").trim_start_matches("a ");
        match self {
            Object::Call(..) => container,
            _ => counted(&container, one, &many, items.len()),
        }
    }

    /// What one value is and what several are called ("a tensor", "tensors").
    fn kind(&self) -> (String, String) {
        let (one, many) = match self {
            Object::None => ("None", "Nones"),
            Object::Bool(_) => ("a boolean", "booleans"),
            Object::Int(_) => ("an integer", "integers"),
            Object::Float(_) => ("a float", "floats"),
            Object::Str(_) => ("a string", "strings"),
            Object::Bytes(_) => ("a byte string", "byte strings"),
            Object::List(_) => ("a list", "lists"),
            Object::Tuple(_) => ("a tuple", "tuples"),
            Object::Dict(_) => ("a dict", "dicts"),
            Object::Global(_) => ("a class name", "class names"),
            Object::Call(name, _) if name.starts_with("torch._utils._rebuild_tensor") => {
                ("a tensor", "tensors")
            }
            Object::Call(name, _) => {
                return (format!("a {name} object"), format!("{name} objects"));
            }
            Object::Persistent(_) => ("a storage", "storages"),
            Object::Mark => ("a mark", "marks"),
        };
        (one.to_owned(), many.to_owned())
    }
}

/// "a list of 3 tensors", "a list of 1 tensor", "an empty list".
fn counted(container: &str, one: &str, many: &str, count: usize) -> String {
    match count {
        0 => format!("an empty {}", container.trim_start_matches("a ")),
        1 => format!("{container} of 1 {one}"),
        n => format!("{container} of {n} {many}"),
    }
}

/// Why a pickle could not be read: the opcode and its position.
pub type Failure = String;

/// The deepest nesting of lists, tuples, dicts, calls and storages a pickle may build.
/// `torch.save` writes a tensor or a dict of them a few levels deep; code that drops, copies,
/// compares or prints a value recurses once per level, so a file nested 10,000 deep would
/// overflow the stack (an abort, not an error) if it were built.
pub const MAX_DEPTH: usize = 100;

/// How many values a pickle may copy through its memo (and DUP) in all. A copy is whole, so
/// a list holding a memoized list twice, memoized and fetched again, doubles at every step:
/// 40 bytes of opcodes would ask for 2^40 values. `torch.save` copies a few small tuples (a
/// storage referred to twice).
pub const MAX_COPIED: usize = 1_000_000;

/// A value on the machine's stack or in its memo, with how deeply it nests and how many
/// values it holds: kept beside the value so that building a container or copying one never
/// walks its contents.
#[derive(Clone)]
struct Held {
    object: Object,
    depth: usize,
    size: usize,
}

impl Held {
    fn flat(object: Object) -> Held {
        Held {
            object,
            depth: 0,
            size: 1,
        }
    }
}

/// The values `items` hold, and one more for the container that takes them.
fn size_with<'h>(items: impl IntoIterator<Item = &'h Held>) -> usize {
    (items.into_iter()).fold(1, |size, held| size.saturating_add(held.size))
}

struct Machine<'a> {
    bytes: &'a [u8],
    at: usize,
    stack: Vec<Held>,
    memo: HashMap<u32, Held>,
    /// Values copied so far (see [`MAX_COPIED`]).
    copied: usize,
}

impl<'a> Machine<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], Failure> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len());
        let end = end.ok_or_else(|| format!("truncated at byte {}", self.at))?;
        let taken = &self.bytes[self.at..end];
        self.at = end;
        Ok(taken)
    }

    fn uint(&mut self, n: usize) -> Result<u64, Failure> {
        let mut value = [0u8; 8];
        value[..n].copy_from_slice(self.take(n)?);
        Ok(u64::from_le_bytes(value))
    }

    fn sized(&mut self, length_bytes: usize) -> Result<&'a [u8], Failure> {
        let n = self.uint(length_bytes)?;
        self.take(usize::try_from(n).map_err(|_| "a length beyond memory".to_owned())?)
    }

    fn text(&mut self, length_bytes: usize) -> Result<Object, Failure> {
        let bytes = self.sized(length_bytes)?;
        String::from_utf8(bytes.to_vec())
            .map(Object::Str)
            .map_err(|_| format!("a string that is not UTF-8 before byte {}", self.at))
    }

    fn line(&mut self) -> Result<String, Failure> {
        let rest = &self.bytes[self.at..];
        let end = rest.iter().position(|&b| b == b'\n');
        let end = end.ok_or_else(|| format!("an unterminated line at byte {}", self.at))?;
        self.at += end + 1;
        Ok(String::from_utf8_lossy(&rest[..end]).into_owned())
    }

    fn pop(&mut self) -> Result<Held, Failure> {
        self.stack
            .pop()
            .ok_or_else(|| format!("an empty stack at byte {}", self.at))
    }

    fn pop_mark(&mut self) -> Result<Vec<Held>, Failure> {
        let mark = self.stack.iter().rposition(|o| o.object == Object::Mark);
        let mark = mark.ok_or_else(|| format!("no mark at byte {}", self.at))?;
        let items = self.stack.split_off(mark + 1);
        self.stack.pop();
        Ok(items)
    }

    fn top(&mut self) -> Result<&mut Held, Failure> {
        let at = self.at;
        self.stack
            .last_mut()
            .ok_or_else(|| format!("an empty stack at byte {at}"))
    }

    fn memo_put(&mut self, key: u64) -> Result<(), Failure> {
        let top = self.top()?.clone();
        self.count_copy(top.size)?;
        self.memo.insert(key as u32, top);
        Ok(())
    }

    fn memo_get(&mut self, key: u64) -> Result<(), Failure> {
        let size = self.memo.get(&(key as u32)).map(|held| held.size);
        let size = size.ok_or_else(|| format!("memo {key} is not set at byte {}", self.at))?;
        self.count_copy(size)?;
        self.stack.extend(self.memo.get(&(key as u32)).cloned());
        Ok(())
    }

    /// Counts a copy of `size` values before it is made, refused past [`MAX_COPIED`].
    fn count_copy(&mut self, size: usize) -> Result<(), Failure> {
        self.copied = self.copied.saturating_add(size);
        match self.copied > MAX_COPIED {
            true => Err(format!(
                "more than {MAX_COPIED} values copied through the memo at byte {}",
                self.at
            )),
            false => Ok(()),
        }
    }

    /// The depth of a value `levels` above the deepest of `items`, refused past [`MAX_DEPTH`].
    fn nest<'h>(
        &self,
        levels: usize,
        items: impl IntoIterator<Item = &'h Held>,
    ) -> Result<usize, Failure> {
        let deepest = items.into_iter().map(|held| held.depth).max().unwrap_or(0);
        let depth = deepest + levels;
        match depth > MAX_DEPTH {
            true => Err(format!(
                "values nested more than {MAX_DEPTH} levels deep at byte {}",
                self.at
            )),
            false => Ok(depth),
        }
    }

    /// A tuple of `items`.
    fn tuple(&self, items: Vec<Held>) -> Result<Held, Failure> {
        let depth = self.nest(1, &items)?;
        let size = size_with(&items);
        let items = items.into_iter().map(|held| held.object).collect();
        Ok(Held {
            object: Object::Tuple(items),
            depth,
            size,
        })
    }

    fn extend(&mut self, items: Vec<Held>) -> Result<(), Failure> {
        let at = self.at;
        let top = self.top()?;
        // An OrderedDict's items go into a dict among its call's arguments: one level more.
        let levels = 1 + usize::from(matches!(top.object, Object::Call(..)));
        let depth = self.nest(levels, &items)?;
        let size = size_with(&items) - 1;
        let items = items.into_iter().map(|held| held.object);
        let top = self.top()?;
        top.depth = top.depth.max(depth);
        top.size = top.size.saturating_add(size);
        match &mut top.object {
            Object::List(list) => list.extend(items),
            Object::Dict(dict) => dict.extend(pairs(items)),
            // An OrderedDict is rebuilt as a call; its items are set onto it afterwards.
            Object::Call(_, args) => args.push(Object::Dict(pairs(items))),
            other => return Err(format!("items added to {} at byte {at}", other.describe())),
        }
        Ok(())
    }

    fn call(&mut self) -> Result<(), Failure> {
        let args = self.pop()?;
        let depth = match args.object {
            Object::Tuple(_) => args.depth.max(1),
            _ => self.nest(1, [&args])?,
        };
        let size = size_with([&args]);
        let args = match args.object {
            Object::Tuple(items) => items,
            other => vec![other],
        };
        let name = match self.pop()?.object {
            Object::Global(name) => name,
            other => {
                let what = other.describe();
                return Err(format!("a call of {what} at byte {}", self.at));
            }
        };
        self.stack.push(Held {
            object: Object::Call(name, args),
            depth,
            size,
        });
        Ok(())
    }

    /// The object an opcode that only pushes one pushes; None for the other opcodes.
    fn literal(&mut self, opcode: u8) -> Result<Option<Object>, Failure> {
        Ok(Some(match opcode {
            b'(' => Object::Mark,
            b'}' => Object::Dict(Vec::new()),
            b']' => Object::List(Vec::new()),
            b')' => Object::Tuple(Vec::new()),
            b'N' => Object::None,
            0x88 => Object::Bool(true),
            0x89 => Object::Bool(false),
            b'K' => Object::Int(self.uint(1)? as i64),
            b'M' => Object::Int(self.uint(2)? as i64),
            b'J' => Object::Int(self.uint(4)? as u32 as i32 as i64),
            0x8a => Object::Int(signed(self.sized(1)?)?),
            b'G' => Object::Float(f64::from_be_bytes(
                self.take(8)?.try_into().unwrap_or_default(),
            )),
            b'X' => self.text(4)?,
            0x8c => self.text(1)?,
            0x8d => self.text(8)?,
            b'C' => Object::Bytes(self.sized(1)?.to_vec()),
            b'B' => Object::Bytes(self.sized(4)?.to_vec()),
            0x8e => Object::Bytes(self.sized(8)?.to_vec()),
            b'c' => {
                let module = self.line()?;
                Object::Global(format!("{module}.{}", self.line()?))
            }
            _ => return Ok(None),
        }))
    }

    /// Runs one opcode; Ok(true) at STOP.
    fn step(&mut self) -> Result<bool, Failure> {
        let opcode = self.take(1)?[0];
        if let Some(object) = self.literal(opcode)? {
            self.stack.push(Held::flat(object));
            return Ok(false);
        }
        let made = match opcode {
            b'.' => return Ok(true),
            0x80 => self.take(1).map(|_| None),
            0x95 => self.take(8).map(|_| None),
            0x93 => {
                let (name, module) = (self.pop()?.object, self.pop()?.object);
                let (Object::Str(module), Object::Str(name)) = (module, name) else {
                    return Err(format!(
                        "a global that is not two names at byte {}",
                        self.at
                    ));
                };
                Ok(Some(Held::flat(Object::Global(format!("{module}.{name}")))))
            }
            b'Q' => {
                let id = self.pop()?;
                let depth = self.nest(1, [&id])?;
                let size = size_with([&id]);
                let object = Object::Persistent(Box::new(id.object));
                Ok(Some(Held {
                    object,
                    depth,
                    size,
                }))
            }
            b'q' => self
                .uint(1)
                .and_then(|key| self.memo_put(key))
                .map(|_| None),
            b'r' => self
                .uint(4)
                .and_then(|key| self.memo_put(key))
                .map(|_| None),
            0x94 => self.memo_put(self.memo.len() as u64).map(|_| None),
            b'h' => self
                .uint(1)
                .and_then(|key| self.memo_get(key))
                .map(|_| None),
            b'j' => self
                .uint(4)
                .and_then(|key| self.memo_get(key))
                .map(|_| None),
            b't' => self
                .pop_mark()
                .and_then(|items| self.tuple(items))
                .map(Some),
            0x85..=0x87 => {
                let count = (opcode - 0x84) as usize;
                let from = self.stack.len().checked_sub(count);
                let from = from.ok_or_else(|| format!("a short stack at byte {}", self.at))?;
                let items = self.stack.split_off(from);
                self.tuple(items).map(Some)
            }
            b'R' | 0x81 => self.call().map(|_| None),
            b'b' | b'0' => self.pop().map(|_| None),
            b's' => {
                let (value, key) = (self.pop()?, self.pop()?);
                self.extend(vec![key, value]).map(|_| None)
            }
            b'u' | b'e' => self
                .pop_mark()
                .and_then(|items| self.extend(items))
                .map(|_| None),
            b'a' => self
                .pop()
                .and_then(|item| self.extend(vec![item]))
                .map(|_| None),
            b'2' => {
                let top = self.top()?.clone();
                self.count_copy(top.size).map(|()| Some(top))
            }
            other => Err(format!(
                "opcode 0x{other:02x} at byte {}, which torch.save does not write",
                self.at - 1
            )),
        }?;
        self.stack.extend(made);
        Ok(false)
    }
}

fn pairs(items: impl IntoIterator<Item = Object>) -> Vec<(Object, Object)> {
    let mut items = items.into_iter();
    std::iter::from_fn(|| Some((items.next()?, items.next()?))).collect()
}

/// Python's LONG1: little-endian two's complement of any length up to 8 bytes.
fn signed(bytes: &[u8]) -> Result<i64, Failure> {
    if bytes.len() > 8 {
        return Err("an integer wider than 64 bits".into());
    }
    let negative = bytes.last().is_some_and(|&b| b & 0x80 != 0);
    let mut value = [if negative { 0xff } else { 0 }; 8];
    value[..bytes.len()].copy_from_slice(bytes);
    Ok(i64::from_le_bytes(value))
}

/// The object a pickle holds.
pub fn load(bytes: &[u8]) -> Result<Object, Failure> {
    let mut machine = Machine {
        bytes,
        at: 0,
        stack: Vec::new(),
        memo: HashMap::new(),
        copied: 0,
    };
    while !machine.step()? {}
    machine.pop().map(|held| held.object)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dict_of_a_list_and_a_call_reads_as_written() {
        // pickle.dumps({"filenames": ["a.jpg"], "n": -2, "t": f((1, 2))}, protocol=2), by hand.
        let mut bytes = b"\x80\x02}q\x00(X\x09\x00\x00\x00filenamesq\x01]q\x02X\x05\x00\x00\x00a.jpgq\x03aX\x01\x00\x00\x00n\x8a\x01\xfeX\x01\x00\x00\x00tcm\nf\nK\x01K\x02\x86\x85Ru.".to_vec();
        let object = load(&bytes).unwrap();
        let Object::Dict(items) = &object else {
            panic!("{object:?}")
        };
        assert_eq!(items[0].1, Object::List(vec![Object::Str("a.jpg".into())]));
        assert_eq!(items[1].1, Object::Int(-2));
        let call = Object::Call(
            "m.f".into(),
            vec![Object::Tuple(vec![Object::Int(1), Object::Int(2)])],
        );
        assert_eq!(items[2].1, call);
        bytes.truncate(20);
        assert!(load(&bytes).unwrap_err().contains("truncated"));
    }

    #[test]
    fn values_nested_past_the_limit_are_refused_not_built() {
        // 10,000 lists each appended into the one before; a 1-tuple wrapped 100,000 times.
        let mut lists = b"\x80\x02".to_vec();
        lists.extend([b']'; 10_000]);
        lists.extend([b'a'; 9_999]);
        lists.push(b'.');
        let mut tuples = b"\x80\x02}X\x06\x00\x00\x00logitsK\x01".to_vec();
        tuples.extend([0x85; 100_000]);
        tuples.extend(b"s.");
        for bytes in [lists, tuples] {
            let refused = load(&bytes).unwrap_err();
            assert!(refused.contains("nested more than 100 levels"), "{refused}");
        }
        let mut shallow = b"\x80\x02K\x01".to_vec();
        shallow.extend([0x85; MAX_DEPTH]);
        shallow.push(b'.');
        assert!(load(&shallow).is_ok());
    }

    /// Memo `key` fetched twice into a pair, memoized as `key + 1`.
    fn doubled(key: u8) -> [u8; 7] {
        [b'h', key, b'h', key, 0x86, b'q', key + 1]
    }

    #[test]
    fn copies_through_the_memo_are_bounded_not_doubled_without_end() {
        // An integer, then 40 times a pair of the value before: 2^40 values if copied.
        let mut bomb = b"\x80\x02K\x01q\x00".to_vec();
        bomb.extend((0..40).flat_map(doubled));
        bomb.push(b'.');
        let refused = load(&bomb).unwrap_err();
        assert!(
            refused.contains("values copied through the memo"),
            "{refused}"
        );
        // Ten doublings (1,023 values) read, the way torch.save refers to a storage twice.
        let mut small = b"\x80\x02K\x01q\x00".to_vec();
        small.extend((0..10).flat_map(doubled));
        small.push(b'.');
        let Object::Tuple(pair) = load(&small).unwrap() else {
            panic!("not a tuple");
        };
        assert_eq!(pair.len(), 2);
        assert_eq!(pair[0], pair[1]);
    }

    #[test]
    fn values_are_described_in_words() {
        let tensor = Object::Call("torch._utils._rebuild_tensor_v2".into(), vec![]);
        assert_eq!(Object::Int(1).describe(), "an integer");
        assert_eq!(
            Object::List(vec![tensor.clone(); 3]).describe(),
            "a list of 3 tensors"
        );
        assert_eq!(tensor.describe(), "a tensor");
        assert_eq!(
            Object::Tuple(vec![Object::Int(1), Object::None]).describe(),
            "a tuple of 2 values"
        );
        assert_eq!(Object::List(vec![]).describe(), "an empty list");
        assert_eq!(
            Object::Dict(vec![(Object::None, Object::None)]).describe(),
            "a dict of 1 entry"
        );
    }
}
