//! Where crowd answers are kept. A rater pool answers far more than a panel votes (ReaL: 85
//! raters, 924,810 answers) and an answer carries a verdict only, so answers are not rows of
//! `vote_events` (a row and two index entries each: 23 s to store ReaL's). Each (image,
//! label) pair of a dataset is one row of `crowd_answers` whose blob holds the pair's crowd
//! events, oldest first, as fixed 13-byte little-endian records: rater (u32, an id of
//! `crowd_raters`), verdict (u8, the index in `Verdict::ALL`, 255 for a withdrawal) and
//! cast_at (i64 milliseconds since 1970 UTC). As in the vote log, records are only added: a
//! changed answer is a new record, and a rater's answer is their latest one. What the
//! answers decide is the aggregators' business (`panel::aggregate`), not the store's.

use super::Project;
use crate::error::{Error, Result};
use crate::verdict::{Round, Verdict, Vote, VoteEvent, time_of_millis};
use crate::vocab::ClassId;
use rusqlite::{Connection, params};
use std::collections::HashMap;
use std::path::Path;

/// One crowd event: a rater's answer on a pair, or its withdrawal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CrowdAnswer {
    /// An index into [`CrowdLog::raters`].
    pub rater: u32,
    /// None for a withdrawal.
    pub verdict: Option<Verdict>,
    /// Milliseconds since 1970-01-01 UTC.
    pub cast_at: i64,
}

/// Crowd events grouped by pair, pairs in (image, label) order, columnar: pair i's events are
/// `answers[starts[i]..starts[i + 1]]`, oldest first.
#[derive(Debug, Clone, PartialEq)]
pub struct CrowdLog {
    /// The raters' names, indexed by [`CrowdAnswer::rater`].
    pub raters: Vec<String>,
    pairs: Vec<(u32, ClassId)>,
    starts: Vec<usize>,
    answers: Vec<CrowdAnswer>,
}

impl Default for CrowdLog {
    fn default() -> Self {
        CrowdLog::new(Vec::new())
    }
}

impl CrowdLog {
    pub fn new(raters: Vec<String>) -> Self {
        CrowdLog {
            raters,
            pairs: Vec::new(),
            starts: vec![0],
            answers: Vec::new(),
        }
    }

    /// Adds an event to the last pair, or as a new pair after it (pairs stay in order).
    pub fn push(&mut self, pair: (u32, ClassId), answer: CrowdAnswer) {
        if self.pairs.last() != Some(&pair) {
            debug_assert!(self.pairs.last().is_none_or(|&last| last < pair));
            self.pairs.push(pair);
            self.starts.push(self.answers.len());
        }
        self.answers.push(answer);
        let last = self.starts.len() - 1;
        self.starts[last] = self.answers.len();
    }

    /// Adds a pair after the last one (pairs stay in order) with its events, oldest first.
    pub fn push_pair(
        &mut self,
        pair: (u32, ClassId),
        answers: impl IntoIterator<Item = CrowdAnswer>,
    ) {
        debug_assert!(self.pairs.last().is_none_or(|&last| last < pair));
        self.pairs.push(pair);
        self.answers.extend(answers);
        self.starts.push(self.answers.len());
    }

    /// How many pairs have crowd events.
    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    pub fn pairs(&self) -> &[(u32, ClassId)] {
        &self.pairs
    }

    /// Pair i's events, oldest first.
    pub fn answers(&self, pair: usize) -> &[CrowdAnswer] {
        &self.answers[self.starts[pair]..self.starts[pair + 1]]
    }

    /// Where the pair is, if it has crowd events.
    pub fn find(&self, pair: (u32, ClassId)) -> Option<usize> {
        self.pairs.binary_search(&pair).ok()
    }

    /// One of pair i's events as the vote log spells it.
    pub fn event(&self, pair: usize, answer: &CrowdAnswer) -> VoteEvent {
        let (image, label) = self.pairs[pair];
        VoteEvent {
            reviewer: self.raters[answer.rater as usize].clone(),
            round: Round::Crowd,
            // The store only holds times that were read from text (see `read_crowd_log`).
            cast_at: time_of_millis(answer.cast_at).unwrap_or_default(),
            image,
            label,
            vote: answer.verdict.map(|v| Vote::new(image, label, v)),
        }
    }

    /// Pair i's standing answers into `out`: each rater's latest event, withdrawals dropped.
    pub fn standing_into(&self, pair: usize, out: &mut Vec<CrowdAnswer>) {
        out.clear();
        for answer in self.answers(pair) {
            match out.iter_mut().find(|kept| kept.rater == answer.rater) {
                Some(kept) => *kept = *answer,
                None => out.push(*answer),
            }
        }
        out.retain(|answer| answer.verdict.is_some());
    }
}

const RECORD: usize = 13;
const WITHDRAWN: u8 = 255;

fn verdict_code(verdict: Option<Verdict>) -> u8 {
    verdict.map_or(WITHDRAWN, |v| {
        Verdict::ALL
            .iter()
            .position(|&w| w == v)
            .unwrap_or_default() as u8
    })
}

fn verdict_of_code(code: u8) -> Option<Option<Verdict>> {
    match code {
        WITHDRAWN => Some(None),
        code => Verdict::ALL.get(code as usize).map(|&v| Some(v)),
    }
}

impl Project {
    /// The crowd's events on a dataset, for the aggregators.
    pub fn crowd_log(&self, dataset_id: i64) -> Result<CrowdLog> {
        read_crowd_log(self.conn(), self.path(), dataset_id, None)
    }
}

/// A dataset's crowd log, or one pair's when `pair` is given.
pub(super) fn read_crowd_log(
    conn: &Connection,
    path: &Path,
    dataset_id: i64,
    pair: Option<(u32, ClassId)>,
) -> Result<CrowdLog> {
    let mut raters = conn.prepare_cached("SELECT id, name FROM crowd_raters ORDER BY id")?;
    let mut names = Vec::new();
    let mut index_of: HashMap<u32, u32> = HashMap::new();
    let mut rows = raters.query([])?;
    while let Some(row) = rows.next()? {
        index_of.insert(row.get(0)?, names.len() as u32);
        names.push(row.get(1)?);
    }
    let mut log = CrowdLog::new(names);
    let mut statement = conn.prepare_cached(
        "SELECT image_idx, label, answers FROM crowd_answers
         WHERE dataset_id = ?1 AND (?2 IS NULL OR (image_idx = ?2 AND label = ?3))
         ORDER BY image_idx, label",
    )?;
    let (image, label) = (pair.map(|p| p.0), pair.map(|p| p.1));
    let mut rows = statement.query(params![dataset_id, image, label])?;
    while let Some(row) = rows.next()? {
        let pair: (u32, ClassId) = (row.get(0)?, row.get(1)?);
        let blob = row.get_ref(2)?.as_blob().map_err(rusqlite::Error::from)?;
        let damaged = |problem: String| Error::Damaged {
            path: path.to_path_buf(),
            what: format!("the crowd answers on image {} label {}", pair.0, pair.1),
            problem,
            fix: "import the rater file again into a copy made before the damage".into(),
        };
        if blob.len() % RECORD != 0 {
            return Err(damaged(format!(
                "{} bytes, not a whole number of {RECORD}-byte answers",
                blob.len()
            )));
        }
        for record in blob.chunks_exact(RECORD) {
            let id = u32::from_le_bytes(record[0..4].try_into().unwrap_or_default());
            let rater = *index_of
                .get(&id)
                .ok_or_else(|| damaged(format!("rater {id} is not in crowd_raters")))?;
            let verdict = verdict_of_code(record[4])
                .ok_or_else(|| damaged(format!("verdict code {} is unknown", record[4])))?;
            let cast_at = i64::from_le_bytes(record[5..13].try_into().unwrap_or_default());
            if jiff::Timestamp::from_millisecond(cast_at).is_err() {
                return Err(damaged(format!("time {cast_at} ms is out of range")));
            }
            log.answers.push(CrowdAnswer {
                rater,
                verdict,
                cast_at,
            });
        }
        log.pairs.push(pair);
        log.starts.push(log.answers.len());
    }
    Ok(log)
}

/// Stores each pair of `log` with all its events, replacing the pair's row: the caller passes
/// the pairs that changed, each with its whole history.
pub(super) fn put_crowd_pairs(
    tx: &Connection,
    dataset_id: i64,
    log: &CrowdLog,
) -> rusqlite::Result<()> {
    let ids = crowd_rater_ids(tx, &log.raters, &log.answers)?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO crowd_answers (dataset_id, image_idx, label, answers)
         VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (dataset_id, image_idx, label) DO UPDATE SET answers = excluded.answers",
    )?;
    let mut blob = Vec::new();
    for (i, &(image, label)) in log.pairs.iter().enumerate() {
        blob.clear();
        for answer in log.answers(i) {
            blob.extend_from_slice(&ids[answer.rater as usize].to_le_bytes());
            blob.push(verdict_code(answer.verdict));
            blob.extend_from_slice(&answer.cast_at.to_le_bytes());
        }
        insert.execute(params![dataset_id, image, label, blob])?;
    }
    Ok(())
}

/// The `crowd_raters` id of each name some answer is by, adding those not there yet; a
/// rater without an answer is not stored (a file of no votes writes nothing). Names of no
/// answer get id 0, which no answer looks up.
fn crowd_rater_ids(
    tx: &Connection,
    names: &[String],
    answers: &[CrowdAnswer],
) -> rusqlite::Result<Vec<u32>> {
    let mut answered = vec![false; names.len()];
    for answer in answers {
        if let Some(answered) = answered.get_mut(answer.rater as usize) {
            *answered = true;
        }
    }
    let mut insert = tx.prepare_cached(
        "INSERT INTO crowd_raters (name) VALUES (?1) ON CONFLICT (name) DO NOTHING",
    )?;
    let mut select = tx.prepare_cached("SELECT id FROM crowd_raters WHERE name = ?1")?;
    (names.iter().zip(answered))
        .map(|(name, answered)| match answered {
            false => Ok(0),
            true => {
                insert.execute([name])?;
                select.query_row([name], |row| row.get(0))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(rater: u32, verdict: Option<Verdict>, cast_at: i64) -> CrowdAnswer {
        CrowdAnswer {
            rater,
            verdict,
            cast_at,
        }
    }

    fn project_conn() -> Connection {
        let mut conn = Connection::open_in_memory().unwrap();
        super::super::schema::migrate(&mut conn).unwrap();
        conn.execute_batch(
            "INSERT INTO classes VALUES (3, 'n01491361', 'tiger shark', '', 'organism', '');
             INSERT INTO datasets (id, name, origin) VALUES (1, 'val', 'x');",
        )
        .unwrap();
        conn
    }

    #[test]
    fn a_pair_keeps_its_events_and_each_rater_stands_by_the_latest() {
        let conn = project_conn();
        let mut log = CrowdLog::new(vec!["r17".into(), "r42".into()]);
        log.push_pair(
            (0, 3),
            [
                answer(1, Some(Verdict::Correct), 10),
                answer(0, Some(Verdict::Wrong), 10),
                answer(1, Some(Verdict::Unclear), 20),
            ],
        );
        log.push_pair((5, 3), [answer(0, Some(Verdict::Correct), 10)]);
        log.push_pair(
            (7, 3),
            [answer(0, Some(Verdict::Correct), 10), answer(0, None, 30)],
        );
        put_crowd_pairs(&conn, 1, &log).unwrap();
        let bytes: i64 = conn
            .query_row("SELECT SUM(LENGTH(answers)) FROM crowd_answers", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(bytes, 6 * 13);
        let read = read_crowd_log(&conn, Path::new("p.bagel"), 1, None).unwrap();
        assert_eq!(read, log);
        let mut standing = Vec::new();
        read.standing_into(0, &mut standing);
        assert_eq!(
            standing,
            [
                answer(1, Some(Verdict::Unclear), 20),
                answer(0, Some(Verdict::Wrong), 10)
            ]
        );
        read.standing_into(2, &mut standing);
        assert!(standing.is_empty(), "withdrawn");
        let one = read_crowd_log(&conn, Path::new("p.bagel"), 1, Some((5, 3))).unwrap();
        assert_eq!(one.pairs(), [(5, 3)]);
        assert_eq!(one.answers(0), log.answers(1));
    }

    #[test]
    fn only_raters_with_an_answer_are_stored() {
        let conn = project_conn();
        let names = || -> Vec<String> {
            let mut select = conn.prepare("SELECT name FROM crowd_raters").unwrap();
            let rows = select.query_map([], |row| row.get(0)).unwrap();
            rows.map(|name| name.unwrap()).collect()
        };
        put_crowd_pairs(&conn, 1, &CrowdLog::new(vec!["r17".into(), "r42".into()])).unwrap();
        assert!(names().is_empty(), "a file of no votes writes no rater");
        let mut log = CrowdLog::new(vec!["r17".into(), "r42".into()]);
        log.push_pair((0, 3), [answer(1, Some(Verdict::Correct), 10)]);
        put_crowd_pairs(&conn, 1, &log).unwrap();
        assert_eq!(names(), ["r42"]);
        let read = read_crowd_log(&conn, Path::new("p.bagel"), 1, None).unwrap();
        assert_eq!(
            read.event(0, &read.answers(0)[0]),
            log.event(0, &log.answers(0)[0])
        );
    }

    #[test]
    fn a_damaged_blob_is_named() {
        let conn = project_conn();
        conn.execute_batch(
            "INSERT INTO crowd_answers VALUES (1, 4, 3, x'0102');
             INSERT INTO crowd_answers VALUES (1, 5, 3, x'09000000020000000000000000');",
        )
        .unwrap();
        let error = read_crowd_log(&conn, Path::new("p.bagel"), 1, Some((4, 3))).unwrap_err();
        assert!(
            error.to_string().contains("image 4 label 3: 2 bytes"),
            "{error}"
        );
        let error = read_crowd_log(&conn, Path::new("p.bagel"), 1, Some((5, 3))).unwrap_err();
        assert!(error.to_string().contains("rater 9 is not"), "{error}");
    }
}
