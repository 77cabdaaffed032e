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

/// Why a pickle could not be read: the opcode and its position.
pub type Failure = String;

struct Machine<'a> {
    bytes: &'a [u8],
    at: usize,
    stack: Vec<Object>,
    memo: HashMap<u32, Object>,
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

    fn pop(&mut self) -> Result<Object, Failure> {
        self.stack
            .pop()
            .ok_or_else(|| format!("an empty stack at byte {}", self.at))
    }

    fn pop_mark(&mut self) -> Result<Vec<Object>, Failure> {
        let mark = self.stack.iter().rposition(|o| *o == Object::Mark);
        let mark = mark.ok_or_else(|| format!("no mark at byte {}", self.at))?;
        let items = self.stack.split_off(mark + 1);
        self.stack.pop();
        Ok(items)
    }

    fn top(&mut self) -> Result<&mut Object, Failure> {
        let at = self.at;
        self.stack
            .last_mut()
            .ok_or_else(|| format!("an empty stack at byte {at}"))
    }

    fn memo_put(&mut self, key: u64) -> Result<(), Failure> {
        let top = self.top()?.clone();
        self.memo.insert(key as u32, top);
        Ok(())
    }

    fn memo_get(&mut self, key: u64) -> Result<(), Failure> {
        let value = self.memo.get(&(key as u32)).cloned();
        let value = value.ok_or_else(|| format!("memo {key} is not set at byte {}", self.at))?;
        self.stack.push(value);
        Ok(())
    }

    fn extend(&mut self, items: Vec<Object>) -> Result<(), Failure> {
        let at = self.at;
        match self.top()? {
            Object::List(list) => list.extend(items),
            Object::Dict(dict) => {
                let mut items = items.into_iter();
                while let (Some(key), Some(value)) = (items.next(), items.next()) {
                    dict.push((key, value));
                }
            }
            // An OrderedDict is rebuilt as a call; its items are set onto it afterwards.
            Object::Call(_, args) => args.push(Object::Dict(pairs(items))),
            other => return Err(format!("items added to {other:?} at byte {at}")),
        }
        Ok(())
    }

    fn call(&mut self) -> Result<(), Failure> {
        let args = match self.pop()? {
            Object::Tuple(args) => args,
            other => vec![other],
        };
        let name = match self.pop()? {
            Object::Global(name) => name,
            other => return Err(format!("a call of {other:?} at byte {}", self.at)),
        };
        self.stack.push(Object::Call(name, args));
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
            self.stack.push(object);
            return Ok(false);
        }
        let made = match opcode {
            b'.' => return Ok(true),
            0x80 => self.take(1).map(|_| None),
            0x95 => self.take(8).map(|_| None),
            0x93 => {
                let (name, module) = (self.pop()?, self.pop()?);
                let (Object::Str(module), Object::Str(name)) = (module, name) else {
                    return Err(format!(
                        "a global that is not two names at byte {}",
                        self.at
                    ));
                };
                Ok(Some(Object::Global(format!("{module}.{name}"))))
            }
            b'Q' => self.pop().map(|id| Some(Object::Persistent(Box::new(id)))),
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
            b't' => self.pop_mark().map(|items| Some(Object::Tuple(items))),
            0x85..=0x87 => {
                let count = (opcode - 0x84) as usize;
                let from = self.stack.len().checked_sub(count);
                let from = from.ok_or_else(|| format!("a short stack at byte {}", self.at))?;
                Ok(Some(Object::Tuple(self.stack.split_off(from))))
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
            b'2' => self.top().map(|top| Some(top.clone())),
            other => Err(format!(
                "opcode 0x{other:02x} at byte {}, which torch.save does not write",
                self.at - 1
            )),
        }?;
        self.stack.extend(made);
        Ok(false)
    }
}

fn pairs(items: Vec<Object>) -> Vec<(Object, Object)> {
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
    };
    while !machine.step()? {}
    machine.pop()
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
}
