//! ReaL's raw crowd answers (Beyer et al. 2020), read into columns for aggregation: the
//! original `raters.npz` (a one-hot tensor rater × question × [no, maybe, yes] with the
//! questions and rater ids beside it) and the derived `*_votes.csv.gz` (one row per answer).
//!
//! The tensor is 377 MB of float64 for 924,810 answers, almost all zeros, so it is streamed
//! out of the zip entry in chunks and only the answers are kept.

use crate::error::{Error, Result};
use crate::progress::{Progress, check_cancelled};
use crate::store::{CrowdAnswer, CrowdLog};
use crate::verdict::Verdict;
use crate::vocab::ClassId;
use npyz::{NpyFile, Order, TypeChar};
use std::collections::HashMap;
use std::io::{BufReader, Read, Seek};
use std::path::Path;

/// The answer words, in the order of the tensor's last axis and of the `answer` column.
pub const ANSWER_WORDS: [&str; 3] = ["no", "maybe", "yes"];

/// Every answer of a rater pool, columnar: answer i is `answer[i]` (an index into
/// [`ANSWER_WORDS`]) by rater `rater[i]` to question `question[i]`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RaterAnswers {
    /// Per question: the image file and the class index asked about.
    pub questions: Vec<(String, u16)>,
    /// Per rater index: the rater's id in the source.
    pub rater_ids: Vec<i64>,
    pub question: Vec<u32>,
    pub rater: Vec<u16>,
    pub answer: Vec<u8>,
}

impl RaterAnswers {
    pub fn len(&self) -> usize {
        self.answer.len()
    }

    pub fn is_empty(&self) -> bool {
        self.answer.is_empty()
    }
}

/// Reads an .npz in ReaL's layout or a votes CSV (plain or gzipped), told apart by their first
/// bytes. `classes` is the vocabulary's size: every label must be a class index below it.
pub fn read_rater_answers(
    path: &Path,
    classes: usize,
    progress: &dyn Progress,
) -> Result<RaterAnswers> {
    let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut magic = [0u8; 2];
    let start = file.read(&mut magic).map_err(|e| Error::io(path, e))?;
    file.rewind().map_err(|e| Error::io(path, e))?;
    match &magic[..start] {
        b"PK" => read_raters_npz(path, BufReader::new(file), classes, progress),
        [0x1f, 0x8b] => read_votes_csv(
            path,
            flate2::read::MultiGzDecoder::new(BufReader::new(file)),
            classes,
            progress,
        ),
        _ => read_votes_csv(path, file, classes, progress),
    }
}

/// The answers as crowd answers on the dataset whose image files are `files`, all cast at
/// `cast_at` (milliseconds since 1970 UTC): rater `id` answers as "real-rater-id"; no / maybe /
/// yes are wrong / unclear / correct. Questions on the same (image, label) pair are one pair.
pub fn crowd_log(
    path: &Path,
    answers: &RaterAnswers,
    files: &[String],
    cast_at: i64,
) -> Result<CrowdLog> {
    let pairs = question_pairs(path, &answers.questions, files)?;
    // The pairs in order; each question's slot among them.
    let mut order: Vec<usize> = (0..pairs.len()).collect();
    order.sort_unstable_by_key(|&q| pairs[q]);
    let mut unique: Vec<(u32, ClassId)> = Vec::new();
    let mut slot = vec![0usize; pairs.len()];
    for q in order {
        if unique.last() != Some(&pairs[q]) {
            unique.push(pairs[q]);
        }
        slot[q] = unique.len() - 1;
    }
    // A counting sort of the answers by slot; stable, so each pair keeps the file's order.
    let mut starts = vec![0usize; unique.len() + 1];
    for &q in &answers.question {
        starts[slot[q as usize] + 1] += 1;
    }
    for i in 1..starts.len() {
        starts[i] += starts[i - 1];
    }
    let verdicts = [Verdict::Wrong, Verdict::Unclear, Verdict::Correct];
    let mut next = starts.clone();
    let mut sorted = vec![
        CrowdAnswer {
            rater: 0,
            verdict: None,
            cast_at
        };
        answers.len()
    ];
    for i in 0..answers.len() {
        let at = &mut next[slot[answers.question[i] as usize]];
        sorted[*at] = CrowdAnswer {
            rater: answers.rater[i] as u32,
            verdict: Some(verdicts[answers.answer[i] as usize]),
            cast_at,
        };
        *at += 1;
    }
    let names = (answers.rater_ids.iter())
        .map(|id| format!("real-rater-{id}"))
        .collect();
    let mut log = CrowdLog::new(names);
    for (i, &pair) in unique.iter().enumerate() {
        log.push_pair(pair, sorted[starts[i]..starts[i + 1]].iter().copied());
    }
    Ok(log)
}

/// Each question's (image, label) in the dataset; an error names the questions whose image
/// is not there.
fn question_pairs(
    path: &Path,
    questions: &[(String, ClassId)],
    files: &[String],
) -> Result<Vec<(u32, ClassId)>> {
    let index = super::FileIndex::new(files.iter().map(String::as_str));
    let images: Vec<Option<u32>> = (questions.iter())
        .map(|(file, _)| index.find(file))
        .collect();
    let missing: Vec<&str> = (questions.iter().zip(&images))
        .filter(|(_, image)| image.is_none())
        .map(|((file, _), _)| file.as_str())
        .collect();
    if let Some(example) = missing.first() {
        return Err(Error::bad_input(
            path,
            format!(
                "{} questions name images that are not in the dataset (e.g. {example:?}); import the images first or pick the right --dataset",
                missing.len()
            ),
        ));
    }
    Ok((questions.iter().zip(images))
        .map(|((_, label), image)| (image.unwrap_or_default(), *label))
        .collect())
}

/// `tensor` (R, Q, 3) one-hot, `info` (Q, 2) strings (file, label), `ids` (R,) integers.
fn read_raters_npz<R: Read + Seek>(
    path: &Path,
    reader: R,
    classes: usize,
    progress: &dyn Progress,
) -> Result<RaterAnswers> {
    let corrupt = |e: std::io::Error| {
        Error::bad_input(
            path,
            format!("not a readable .npz archive ({e}); re-save it with numpy.savez"),
        )
    };
    let mut archive = npyz::npz::NpzArchive::new(reader).map_err(corrupt)?;
    let names: Vec<String> = archive.array_names().map(str::to_owned).collect();
    for key in ["tensor", "info", "ids"] {
        if !names.iter().any(|n| n == key) {
            return Err(Error::bad_input(
                path,
                format!(
                    "has no array {key:?} (it holds {names:?}); expected ReaL's raters layout: tensor (raters, questions, 3), info (questions, 2), ids (raters,)"
                ),
            ));
        }
    }
    let rater_ids = read_ids(path, npz_array(path, &mut archive, "ids")?)?;
    let questions = read_info(path, npz_array(path, &mut archive, "info")?, classes)?;
    let mut answers = RaterAnswers {
        questions,
        rater_ids,
        ..Default::default()
    };
    read_tensor(
        path,
        npz_array(path, &mut archive, "tensor")?,
        &mut answers,
        progress,
    )?;
    Ok(answers)
}

fn npz_array<'a, R: Read + Seek>(
    path: &Path,
    archive: &'a mut npyz::npz::NpzArchive<R>,
    key: &str,
) -> Result<NpyFile<impl Read + 'a>> {
    let entry = archive
        .zip_archive()
        .by_name(&npyz::npz::file_name_from_array_name(key))
        .map_err(|e| bad_array(path, key, format!("cannot be read from the archive ({e})")))?;
    NpyFile::new(entry).map_err(|e| bad_array(path, key, format!("not a .npy array ({e})")))
}

fn bad_array(path: &Path, key: &str, problem: impl std::fmt::Display) -> Error {
    Error::bad_input(path, format!("array {key:?}: {problem}"))
}

fn read_ids(path: &Path, ids: NpyFile<impl Read>) -> Result<Vec<i64>> {
    if ids.shape().len() != 1 {
        return Err(bad_array(
            path,
            "ids",
            format!(
                "shape {:?}; expected one rater id per rater (raters,)",
                ids.shape()
            ),
        ));
    }
    let ids: Vec<i64> = ids
        .into_vec()
        .map_err(|e| bad_array(path, "ids", format!("{e}; expected int64 rater ids")))?;
    if ids.len() > u16::MAX as usize {
        return Err(bad_array(
            path,
            "ids",
            format!("{} raters; at most {} are supported", ids.len(), u16::MAX),
        ));
    }
    Ok(ids)
}

fn read_info(path: &Path, info: NpyFile<impl Read>, classes: usize) -> Result<Vec<(String, u16)>> {
    let shape = info.shape().to_vec();
    if shape.len() != 2 || shape[1] != 2 || info.order() != Order::C {
        return Err(bad_array(
            path,
            "info",
            format!("shape {shape:?}; expected (questions, 2) of (file, label) in C order"),
        ));
    }
    let strings: Vec<String> = info.into_vec().map_err(|e| {
        bad_array(
            path,
            "info",
            format!("{e}; expected strings (numpy dtype <U)"),
        )
    })?;
    strings
        .chunks_exact(2)
        .enumerate()
        .map(|(question, pair)| {
            let label = parse_label(&pair[1], classes).ok_or_else(|| {
                bad_array(
                    path,
                    "info",
                    format!(
                        "question {question} has label {:?}; expected a class index 0..{}",
                        pair[1],
                        classes - 1
                    ),
                )
            })?;
            Ok((pair[0].clone(), label))
        })
        .collect()
}

fn parse_label(text: &str, classes: usize) -> Option<u16> {
    text.trim()
        .parse::<u16>()
        .ok()
        .filter(|&c| (c as usize) < classes)
}

/// (no, maybe, yes) rows of the tensor read at a time: 384 KB of float64.
const CHUNK_ROWS: usize = 1 << 14;

/// Streams the one-hot tensor and keeps the rows that hold an answer. An all-zero row is a
/// question the rater was not asked; a row with one 1 and two 0s is an answer; anything else
/// is an error.
fn read_tensor(
    path: &Path,
    tensor: NpyFile<impl Read>,
    answers: &mut RaterAnswers,
    progress: &dyn Progress,
) -> Result<()> {
    let shape = tensor.shape().to_vec();
    let (raters, questions) = (answers.rater_ids.len(), answers.questions.len());
    if shape != [raters as u64, questions as u64, 3] {
        return Err(bad_array(
            path,
            "tensor",
            format!(
                "shape {shape:?}; expected ({raters}, {questions}, 3): one row per rater in ids and per question in info, one-hot [no, maybe, yes]"
            ),
        ));
    }
    let width = tensor.dtype().num_bytes().unwrap_or(0);
    let decode = element_decoder(&tensor).ok_or_else(|| {
        bad_array(
            path,
            "tensor",
            format!(
                "dtype {} in {:?} order; expected little-endian floats, integers or booleans in C order",
                tensor.dtype().descr(),
                tensor.order()
            ),
        )
    })?;
    let row_bytes = 3 * width;
    let total = raters * questions;
    progress.begin("reading the raters' answers", total as u64);
    let mut reader = tensor.into_inner();
    let mut buffer = vec![0u8; CHUNK_ROWS * row_bytes];
    let mut answered = Vec::new();
    let mut row = 0;
    while row < total {
        check_cancelled(progress)?;
        let rows = CHUNK_ROWS.min(total - row);
        let chunk = &mut buffer[..rows * row_bytes];
        reader.read_exact(chunk).map_err(|e| {
            bad_array(
                path,
                "tensor",
                format!("ends early, near row {row} of {total} ({e}); the file may be truncated"),
            )
        })?;
        nonzero_rows(chunk, row_bytes, &mut answered);
        for &offset in &answered {
            let bytes = &chunk[offset * row_bytes..(offset + 1) * row_bytes];
            let index = row + offset;
            let values = [0, 1, 2].map(|i| decode(&bytes[i * width..(i + 1) * width]));
            let answer = one_hot(values).ok_or_else(|| {
                bad_array(
                    path,
                    "tensor",
                    format!(
                        "rater {} question {} is {values:?}; expected one-hot [no, maybe, yes] or all zeros",
                        index / questions,
                        index % questions
                    ),
                )
            })?;
            answers.rater.push((index / questions) as u16);
            answers.question.push((index % questions) as u32);
            answers.answer.push(answer);
        }
        row += rows;
        progress.advance(rows as u64);
    }
    Ok(())
}

/// Bytes OR-ed at a time while looking for the rows that hold an answer: 94% of the tensor's
/// rows are zeros, and OR-ing a block compiles to vector instructions where testing row by row
/// does not.
const SCAN_BLOCK: usize = 64;

/// The rows of `chunk` (rows of `row_bytes`) that hold a nonzero byte, in order, into `rows`.
fn nonzero_rows(chunk: &[u8], row_bytes: usize, rows: &mut Vec<usize>) {
    rows.clear();
    let mut start = 0;
    while start < chunk.len() {
        let end = (start + SCAN_BLOCK).min(chunk.len());
        if chunk[start..end].iter().fold(0, |any, &b| any | b) == 0 {
            start = end;
            continue;
        }
        // The rows the block touches, whole.
        let last = (end - 1) / row_bytes;
        for row in start / row_bytes..=last {
            let bytes = &chunk[row * row_bytes..(row + 1) * row_bytes];
            if bytes.iter().any(|&b| b != 0) {
                rows.push(row);
            }
        }
        start = (last + 1) * row_bytes;
    }
}

fn one_hot(values: [f64; 3]) -> Option<u8> {
    let ones = values.iter().filter(|&&v| v == 1.0).count();
    let zeros = values.iter().filter(|&&v| v == 0.0).count();
    (ones == 1 && zeros == 2).then(|| values.iter().position(|&v| v == 1.0).unwrap() as u8)
}

/// How to read one element of the tensor's dtype as a number.
fn element_decoder(tensor: &NpyFile<impl Read>) -> Option<fn(&[u8]) -> f64> {
    if tensor.order() != Order::C {
        return None;
    }
    let npyz::DType::Plain(ty) = tensor.dtype() else {
        return None;
    };
    if ty.endianness() == npyz::Endianness::Big && ty.size_field() > 1 {
        return None;
    }
    let decoder: fn(&[u8]) -> f64 = match (ty.type_char(), ty.size_field()) {
        (TypeChar::Float, 8) => |b| f64::from_le_bytes(b.try_into().unwrap()),
        (TypeChar::Float, 4) => |b| f32::from_le_bytes(b.try_into().unwrap()) as f64,
        (TypeChar::Int | TypeChar::Uint | TypeChar::Bool, 1) => |b| b[0] as i8 as f64,
        (TypeChar::Int | TypeChar::Uint, 2) => |b| i16::from_le_bytes(b.try_into().unwrap()) as f64,
        (TypeChar::Int | TypeChar::Uint, 4) => |b| i32::from_le_bytes(b.try_into().unwrap()) as f64,
        (TypeChar::Int | TypeChar::Uint, 8) => |b| i64::from_le_bytes(b.try_into().unwrap()) as f64,
        _ => return None,
    };
    Some(decoder)
}

/// Rows between two progress reports (and checks for Cancel) while reading a votes CSV.
const CSV_PROGRESS_ROWS: usize = 1 << 16;

/// `question,file,label,rater_id,answer`, one row per answer; the question numbers and rater
/// ids become dense indices in order of first appearance.
fn read_votes_csv(
    path: &Path,
    reader: impl Read,
    classes: usize,
    progress: &dyn Progress,
) -> Result<RaterAnswers> {
    let mut csv = csv::ReaderBuilder::new().from_reader(reader);
    let headers = super::csv_headers(path, &mut csv)?;
    let [question_at, file_at, label_at, rater_at, answer_at] = votes_csv_columns(path, &headers)?;
    progress.begin("reading the votes", 0);
    let mut answers = RaterAnswers::default();
    let mut ids = DenseIds::default();
    let mut record = csv::StringRecord::new();
    loop {
        let read = csv
            .read_record(&mut record)
            .map_err(|e| Error::bad_input(path, format!("cannot read a CSV row: {e}")))?;
        if !read {
            break;
        }
        let line = record.position().map_or(0, |p| p.line());
        let bad = |problem: String| Error::bad_input(path, format!("line {line}: {problem}"));
        let field = |at: usize| record.get(at).unwrap_or("").trim();
        let number: u64 = field(question_at).parse().map_err(|_| {
            bad(format!(
                "question {:?} is not a non-negative integer",
                field(question_at)
            ))
        })?;
        let label = parse_label(field(label_at), classes).ok_or_else(|| {
            bad(format!(
                "label {:?} is not a class index 0..{}",
                field(label_at),
                classes - 1
            ))
        })?;
        let rater_id: i64 = field(rater_at)
            .parse()
            .map_err(|_| bad(format!("rater_id {:?} is not an integer", field(rater_at))))?;
        let answer = ANSWER_WORDS
            .iter()
            .position(|w| field(answer_at).eq_ignore_ascii_case(w))
            .ok_or_else(|| {
                bad(format!(
                    "answer {:?}; expected one of {}",
                    field(answer_at),
                    ANSWER_WORDS.join(", ")
                ))
            })?;
        let question = (ids.question(&mut answers, number, field(file_at), label)).map_err(bad)?;
        let rater = ids.rater(&mut answers, rater_id).map_err(bad)?;
        check_room(&answers).map_err(bad)?;
        answers.question.push(question);
        answers.rater.push(rater);
        answers.answer.push(answer as u8);
        if answers.len() % CSV_PROGRESS_ROWS == 0 {
            check_cancelled(progress)?;
            progress.advance(CSV_PROGRESS_ROWS as u64);
        }
    }
    if answers.is_empty() {
        return Err(Error::bad_input(
            path,
            "has a header but no answers; expected one row per rater answer",
        ));
    }
    Ok(answers)
}

/// Where each of the votes CSV's columns is.
fn votes_csv_columns(path: &Path, headers: &[String]) -> Result<[usize; 5]> {
    let expected = ["question", "file", "label", "rater_id", "answer"];
    let column = |name: &str| {
        headers.iter().position(|h| h == name).ok_or_else(|| {
            Error::bad_input(
                path,
                format!(
                    "no column {name:?} in the header {headers:?}; expected {}",
                    expected.join(",")
                ),
            )
        })
    };
    let mut at = [0usize; 5];
    for (slot, name) in at.iter_mut().zip(expected) {
        *slot = column(name)?;
    }
    Ok(at)
}

/// The source's question numbers and rater ids as dense indices, in order of first appearance.
#[derive(Default)]
struct DenseIds {
    questions: HashMap<u64, u32>,
    raters: HashMap<i64, u16>,
}

impl DenseIds {
    /// The index of question `number`, which must ask about the same pair on every row.
    fn question(
        &mut self,
        answers: &mut RaterAnswers,
        number: u64,
        file: &str,
        label: u16,
    ) -> std::result::Result<u32, String> {
        match self.questions.get(&number) {
            Some(&question) => {
                let (earlier, known) = &answers.questions[question as usize];
                if earlier != file || *known != label {
                    return Err(format!(
                        "question {number} asks about {file} label {label}, but an earlier row has {earlier} label {known}; one question is one (file, label)"
                    ));
                }
                Ok(question)
            }
            None => {
                let question = answers.questions.len() as u32;
                self.questions.insert(number, question);
                answers.questions.push((file.to_owned(), label));
                Ok(question)
            }
        }
    }

    fn rater(
        &mut self,
        answers: &mut RaterAnswers,
        rater_id: i64,
    ) -> std::result::Result<u16, String> {
        if let Some(&rater) = self.raters.get(&rater_id) {
            return Ok(rater);
        }
        let rater = u16::try_from(answers.rater_ids.len())
            .map_err(|_| format!("more than {} raters", u16::MAX))?;
        self.raters.insert(rater_id, rater);
        answers.rater_ids.push(rater_id);
        Ok(rater)
    }
}

/// Each rater answers a question once: more answers than questions × raters are rows
/// repeated, and a few megabytes of gzip can repeat one row forty million times.
fn check_room(answers: &RaterAnswers) -> std::result::Result<(), String> {
    let room = answers
        .questions
        .len()
        .saturating_mul(answers.rater_ids.len());
    if answers.len() >= room {
        return Err(format!(
            "more answers than the {} questions × {} raters read so far can hold: rows repeat; give each rater's answer to a question once",
            answers.questions.len(),
            answers.rater_ids.len()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::Silent;
    use npyz::WriterBuilder;
    use std::io::Write;

    /// The arrays of a raters .npz; `None` leaves one out.
    struct Npz<'a> {
        tensor: Option<(Vec<u64>, Vec<f64>)>,
        info: Option<(Vec<u64>, Vec<&'a str>)>,
        ids: Option<Vec<i64>>,
    }

    /// Two raters (ids 17, 42), three questions. Rater 17: yes to q0, no to q1; rater 42:
    /// maybe to q0, yes to q2; nobody else answered.
    fn two_raters() -> Npz<'static> {
        #[rustfmt::skip]
        let tensor = vec![
            0., 0., 1.,   1., 0., 0.,   0., 0., 0.,
            0., 1., 0.,   0., 0., 0.,   0., 0., 1.,
        ];
        Npz {
            tensor: Some((vec![2, 3, 3], tensor)),
            info: Some((
                vec![3, 2],
                vec!["a.JPEG", "5", "a.JPEG", "7", "b.JPEG", "5"],
            )),
            ids: Some(vec![17, 42]),
        }
    }

    fn write_npz(path: &Path, arrays: &Npz) {
        let mut npz = npyz::npz::NpzWriter::create(path).unwrap();
        if let Some((shape, values)) = &arrays.tensor {
            let mut writer = npz
                .array::<f64>("tensor", Default::default())
                .unwrap()
                .default_dtype()
                .shape(shape)
                .begin_nd()
                .unwrap();
            writer.extend(values.iter().copied()).unwrap();
            writer.finish().unwrap();
        }
        if let Some((shape, strings)) = &arrays.info {
            let mut writer = npz
                .array::<str>("info", Default::default())
                .unwrap()
                .dtype(npyz::DType::Plain("<U8".parse().unwrap()))
                .shape(shape)
                .begin_nd()
                .unwrap();
            for s in strings {
                writer.push(s).unwrap();
            }
            writer.finish().unwrap();
        }
        if let Some(ids) = &arrays.ids {
            let mut writer = npz
                .array::<i64>("ids", Default::default())
                .unwrap()
                .default_dtype()
                .shape(&[ids.len() as u64])
                .begin_nd()
                .unwrap();
            writer.extend(ids.iter().copied()).unwrap();
            writer.finish().unwrap();
        }
    }

    fn read_npz(arrays: &Npz) -> Result<RaterAnswers> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("raters.npz");
        write_npz(&path, arrays);
        read_rater_answers(&path, 1000, &Silent)
    }

    fn error_of(result: Result<RaterAnswers>) -> String {
        result.unwrap_err().to_string()
    }

    #[test]
    fn the_npz_keeps_only_the_answers_rater_by_rater() {
        let answers = read_npz(&two_raters()).unwrap();
        assert_eq!(
            answers.questions,
            [
                ("a.JPEG".into(), 5),
                ("a.JPEG".into(), 7),
                ("b.JPEG".into(), 5)
            ]
        );
        assert_eq!(answers.rater_ids, [17, 42]);
        assert_eq!(answers.rater, [0, 0, 1, 1]);
        assert_eq!(answers.question, [0, 1, 0, 2]);
        assert_eq!(answers.answer, [2, 0, 1, 2]);
    }

    #[test]
    fn the_answers_become_crowd_answers_grouped_by_pair_in_dataset_order() {
        let answers = read_npz(&two_raters()).unwrap();
        // b.JPEG is image 0, a.JPEG image 1, so the pairs sort unlike the questions.
        let files = ["b.JPEG".to_string(), "a.JPEG".to_string()];
        let log = crowd_log(Path::new("raters.npz"), &answers, &files, 7).unwrap();
        assert_eq!(log.raters, ["real-rater-17", "real-rater-42"]);
        assert_eq!(log.pairs(), [(0, 5), (1, 5), (1, 7)]);
        let said = |pair: usize| -> Vec<(u32, Option<Verdict>)> {
            log.answers(pair)
                .iter()
                .map(|a| (a.rater, a.verdict))
                .collect()
        };
        assert_eq!(said(0), [(1, Some(Verdict::Correct))]);
        assert_eq!(
            said(1),
            [(0, Some(Verdict::Correct)), (1, Some(Verdict::Unclear))]
        );
        assert_eq!(said(2), [(0, Some(Verdict::Wrong))]);
        assert!(log.answers(1).iter().all(|a| a.cast_at == 7));
        let error = crowd_log(Path::new("raters.npz"), &answers, &files[..1], 7).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("2 questions name images that are not in the dataset (e.g. \"a.JPEG\")"),
            "{error}"
        );
    }

    #[test]
    fn the_scan_finds_every_nonzero_row_across_block_edges() {
        // Rows of 24 bytes, so rows straddle the 64-byte blocks; a lone byte at either end of
        // a row, and a run of zero blocks between.
        let mut chunk = vec![0u8; 24 * 40];
        for (row, at) in [(0, 0), (2, 23), (3, 0), (5, 16), (39, 23)] {
            chunk[row * 24 + at] = 1;
        }
        let mut rows = Vec::new();
        nonzero_rows(&chunk, 24, &mut rows);
        assert_eq!(rows, [0, 2, 3, 5, 39]);
        nonzero_rows(&chunk[..24 * 2], 24, &mut rows);
        assert_eq!(rows, [0]);
    }

    #[test]
    fn a_missing_key_is_named() {
        let error = error_of(read_npz(&Npz {
            ids: None,
            ..two_raters()
        }));
        assert!(
            error.contains("raters.npz") && error.contains("no array \"ids\""),
            "{error}"
        );
    }

    #[test]
    fn shapes_must_agree_across_the_arrays() {
        let error = error_of(read_npz(&Npz {
            ids: Some(vec![17, 42, 99]),
            ..two_raters()
        }));
        assert!(
            error.contains("\"tensor\": shape [2, 3, 3]") && error.contains("expected (3, 3, 3)"),
            "{error}"
        );
        let error = error_of(read_npz(&Npz {
            info: Some((vec![2, 2], vec!["a.JPEG", "5", "a.JPEG", "7"])),
            ..two_raters()
        }));
        assert!(error.contains("expected (2, 2, 3)"), "{error}");
    }

    #[test]
    fn a_row_that_is_not_one_hot_is_named() {
        let mut arrays = two_raters();
        arrays.tensor.as_mut().unwrap().1[15] = 1.0; // rater 42, question 2: [1, 0, 1]
        let error = error_of(read_npz(&arrays));
        assert!(
            error.contains("rater 1 question 2 is [1.0, 0.0, 1.0]")
                && error.contains("expected one-hot"),
            "{error}"
        );
    }

    #[test]
    fn a_label_that_is_not_a_class_index_is_named() {
        let error = error_of(read_npz(&Npz {
            info: Some((
                vec![3, 2],
                vec!["a.JPEG", "5", "a.JPEG", "cat", "b.JPEG", "5"],
            )),
            ..two_raters()
        }));
        assert!(
            error.contains("question 1 has label \"cat\"") && error.contains("0..999"),
            "{error}"
        );
    }

    const VOTES: &str = "question,file,label,rater_id,answer
0,a.JPEG,5,17,yes
0,a.JPEG,5,42,maybe
1,a.JPEG,7,17,no
2,b.JPEG,5,42,yes
";

    fn read_csv(text: &str, gzip: bool) -> Result<RaterAnswers> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("votes.csv.gz");
        let mut bytes = text.as_bytes().to_vec();
        if gzip {
            let mut encoder =
                flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            encoder.write_all(text.as_bytes()).unwrap();
            bytes = encoder.finish().unwrap();
        }
        std::fs::write(&path, bytes).unwrap();
        read_rater_answers(&path, 1000, &Silent)
    }

    #[test]
    fn the_votes_csv_reads_like_the_npz_gzipped_or_not() {
        let expected = read_npz(&two_raters()).unwrap();
        for gzip in [true, false] {
            let answers = read_csv(VOTES, gzip).unwrap();
            assert_eq!(answers.questions, expected.questions);
            assert_eq!(answers.rater_ids, expected.rater_ids);
            // Row order, not rater order: the same answers.
            assert_eq!(answers.question, [0, 0, 1, 2]);
            assert_eq!(answers.rater, [0, 1, 0, 1]);
            assert_eq!(answers.answer, [2, 1, 0, 2]);
        }
    }

    #[test]
    fn bad_votes_rows_are_named_with_what_was_expected() {
        let error = error_of(read_csv(&VOTES.replace("maybe", "perhaps"), true));
        assert!(
            error.contains("line 3: answer \"perhaps\"") && error.contains("no, maybe, yes"),
            "{error}"
        );
        let error = error_of(read_csv(&VOTES.replace("7,17", "1000,17"), false));
        assert!(error.contains("line 4: label \"1000\""), "{error}");
        let error = error_of(read_csv(
            &VOTES.replace("0,a.JPEG,5,42", "0,c.JPEG,5,42"),
            false,
        ));
        assert!(
            error.contains("line 3: question 0 asks about c.JPEG"),
            "{error}"
        );
        let error = error_of(read_csv("question,file,label,answer\n", false));
        assert!(error.contains("no column \"rater_id\""), "{error}");
    }
}
