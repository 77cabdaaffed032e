//! Vote files from other machines of the panel: `reviewer,image,label,verdict,category,severity,
//! note[,round,cast_at]`, as `bagel export votes` writes them. Every row is checked before
//! anything is merged; the merge itself is the panel's (`panel::vote_file::import_votes`, through
//! `panel::voting::Ballot::merge_with`, one transaction).

use super::raters::{crowd_log, read_rater_answers};
use super::vote_row::{RowCells, parse_cast_at, parse_pair, parse_row};
use super::{FileIndex, csv_headers, read_text};
use crate::error::{Error, Result};
use crate::progress::{Progress, check_cancelled};
use crate::store::{CrowdLog, EventNames, Project};
use crate::verdict::SharedLog;
use crate::verdict::{self, Assignment, Note, Round, Verdict, Vote, VoteEvent};
use crate::vocab::{ClassId, Vocabulary};
use std::collections::HashMap;
use std::path::Path;

/// The columns of a vote file, in the order `bagel export votes` writes them. Rows of round
/// `note` carry a panel note (its text in `note`, the note it answers in `reply_to`), rows of
/// round `assignment` a pair given to a reviewer; both leave the verdict empty.
pub const VOTE_COLUMNS: [&str; 10] = [
    "reviewer", "image", "label", "verdict", "category", "severity", "note", "round", "cast_at",
    "reply_to",
];

pub use super::vote_row::WITHDRAWN;

/// What becomes of a vote file's chair-round rows. A chair's override decides a pair over the
/// panel's votes, and a file can carry any name: they are taken only when the person
/// importing says so, each with its reason, and from the project's chair when it names one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChairRows {
    Refuse,
    Accept,
}

/// The rounds of the rows that are not votes.
pub const NOTE_ROUND: &str = "note";
pub const ASSIGNMENT_ROUND: &str = "assignment";

/// A vote file read and checked, not yet merged: the panel merges it
/// (`panel::vote_file::import_votes`), so this layer stays below the panel's rules.
#[derive(Debug, Clone, PartialEq)]
pub enum VoteFile {
    /// Crowd answers (a rater file): how many were read, and the crowd log they make.
    Crowd { read: usize, log: CrowdLog },
    /// A panel's vote file: its events, notes and assignments, and warnings for the report.
    Panel {
        events: Vec<VoteEvent>,
        shared: SharedLog,
        warnings: Vec<String>,
    },
}

/// Reads and checks a vote file for a dataset: a panel's vote CSV (or a Label Studio export),
/// or a crowd rater file (ReaL's raters.npz or its `*_votes.csv.gz`). Writes nothing.
pub fn read_vote_file(
    project: &Project,
    dataset: &str,
    file: &Path,
    chair_rows: ChairRows,
    progress: &dyn Progress,
) -> Result<VoteFile> {
    let dataset = project.dataset(dataset)?;
    let files = project.images(dataset.id)?.files;
    if is_rater_file(file) {
        let answers = read_rater_answers(file, project.vocab().len(), progress)?;
        let log = crowd_log(file, &answers, &files, verdict::now_millis())?;
        check_cancelled(progress)?;
        return Ok(VoteFile::Crowd {
            read: answers.len(),
            log,
        });
    }
    progress.begin("reading votes", 0);
    let (rows, events, shared) = match super::label_studio_votes::is_export(file) {
        true => {
            let events = super::label_studio_votes::read(file, &files, project.vocab())?;
            // A Label Studio task is its file's record: numbered from 1, like a row.
            ((1..=events.len()).collect(), events, SharedLog::default())
        }
        false => read_vote_rows(file, &files, project.vocab(), &verdict::now())?,
    };
    let chair = project.chair()?;
    // A chair row the log holds already (the project's own export, a file merged before)
    // takes nothing: only new ones are asked about.
    let names = EventNames {
        dataset: &dataset.name,
        files: &files,
        vocab: project.vocab(),
    };
    let mut arriving_chair_rows = Vec::new();
    for (row, event) in (rows.iter().copied()).zip(&events) {
        if event.round == Round::Chair && !project.is_logged(dataset.id, &names, event)? {
            arriving_chair_rows.push((row, event));
        }
    }
    let taken = check_chair_rows(
        file,
        arriving_chair_rows.into_iter(),
        &files,
        project.vocab(),
        chair_rows,
        chair.as_deref(),
    )?;
    let mut warnings = Vec::new();
    if !taken.is_empty() {
        warnings.push(format!(
            "{} chair overrides taken from {}: {}",
            taken.len(),
            file.display(),
            taken.join("; ")
        ));
    }
    check_cancelled(progress)?;
    Ok(VoteFile::Panel {
        events,
        shared,
        warnings,
    })
}

/// How many chair rows a refusal or a report lists before "and N more".
const CHAIR_ROWS_LISTED: usize = 20;

/// The file's chair-round rows, described for the report, or why they are refused: without
/// [`ChairRows::Accept`], without a reason, or from someone other than the project's chair.
/// `events` come with their rows.
fn check_chair_rows<'a>(
    file: &Path,
    events: impl Iterator<Item = (usize, &'a VoteEvent)>,
    files: &[String],
    vocab: &Vocabulary,
    accept: ChairRows,
    chair: Option<&str>,
) -> Result<Vec<String>> {
    let chair_rows: Vec<(usize, &VoteEvent)> = events
        .filter(|(_, event)| event.round == Round::Chair)
        .collect();
    let described: Vec<String> = (chair_rows.iter())
        .map(|&(row, event)| {
            let vote = event.vote.as_ref();
            format!(
                "row {row}: {} on {} / {}: {} ({:?})",
                event.reviewer,
                files.get(event.image as usize).map_or("?", String::as_str),
                vocab.describe(event.label),
                vote.map_or("withdrawn".into(), Vote::summary),
                vote.map_or("", |v| v.note.as_str())
            )
        })
        .collect();
    let listed = || {
        let more = described.len().saturating_sub(CHAIR_ROWS_LISTED);
        let mut text = described[..described.len() - more].join("; ");
        if more > 0 {
            text.push_str(&format!("; and {more} more"));
        }
        text
    };
    if accept == ChairRows::Refuse && !described.is_empty() {
        return Err(Error::bad_input(
            file,
            format!(
                "{} rows are chair overrides, which decide a pair over the panel's votes; a vote file can carry any name, so they are taken only with --accept-chair, once you have checked them: {}",
                described.len(),
                listed()
            ),
        ));
    }
    for &(row, event) in &chair_rows {
        if event
            .vote
            .as_ref()
            .is_some_and(|v| v.note.trim().is_empty())
        {
            return Err(Error::bad_input(
                file,
                format!("row {row}: a chair override needs its reason in the note column"),
            ));
        }
        if let Some(chair) = chair.filter(|&chair| chair != event.reviewer) {
            return Err(Error::bad_input(
                file,
                format!(
                    "row {row}: {:?} overrides as chair, but the project's chair is {chair:?} (`bagel config --chair`); remove the row or give it the panel's round",
                    event.reviewer
                ),
            ));
        }
    }
    Ok(described)
}

/// ReaL's raw rater files: raters.npz, or the derived `*_votes.csv.gz` (header `question,...`).
fn is_rater_file(path: &Path) -> bool {
    let name = path.to_string_lossy();
    if name.ends_with(".npz") || name.ends_with(".gz") {
        return true;
    }
    let mut head = [0u8; 9];
    std::fs::File::open(path)
        .and_then(|mut file| std::io::Read::read_exact(&mut file, &mut head))
        .is_ok_and(|()| &head == b"question,")
}

/// Reads a vote CSV into events of the dataset whose image files are `files`. `now` is the time
/// given to rows without `cast_at`.
pub fn read_vote_csv(
    file: &Path,
    files: &[String],
    vocab: &Vocabulary,
    now: &str,
) -> Result<(Vec<VoteEvent>, SharedLog)> {
    let (_, events, shared) = read_vote_rows(file, files, vocab, now)?;
    Ok((events, shared))
}

/// [`read_vote_csv`], with the row of each event.
fn read_vote_rows(
    file: &Path,
    files: &[String],
    vocab: &Vocabulary,
    now: &str,
) -> Result<(Vec<usize>, Vec<VoteEvent>, SharedLog)> {
    let text = read_text(file)?;
    let mut reader = super::csv_text::with_header(file, &text)?;
    let headers = csv_headers(file, &mut reader)?;
    let column = |name: &str| headers.iter().position(|h| h == name);
    let required = required_columns(file, &headers)?;
    let (round_at, cast_at) = (column("round"), column("cast_at"));
    let reply_at = column("reply_to");
    let mut shared = SharedLog::default();
    let index = FileIndex::new(files.iter().map(String::as_str));
    let (mut rows, mut events) = (Vec::new(), Vec::new());
    let mut seen = Moments::default();
    for (position, record) in reader.records().enumerate() {
        let row = position + 2;
        let at = |problem: String| Error::bad_input(file, format!("row {row}: {problem}"));
        let record = record.map_err(|e| at(format!("cannot read the row: {e}")))?;
        let cell = |i: usize| record.get(i).unwrap_or("").trim();
        let cells: Vec<&str> = required.iter().map(|&i| cell(i)).collect();
        let [reviewer, image, label, verdict, category, severity, note] = cells[..] else {
            unreachable!("seven required columns were found above")
        };
        let round = round_at.map(cell).unwrap_or("");
        let time = cast_at.map(cell).unwrap_or("");
        if round == NOTE_ROUND || round == ASSIGNMENT_ROUND {
            let row = SharedRow {
                reviewer,
                verdict,
                text: note,
                cast_at: time,
                reply_to: reply_at.map(cell).unwrap_or(""),
            };
            let pair = parse_pair(reviewer, image, label, &index, vocab).map_err(at)?;
            parse_shared(&row, pair, round == NOTE_ROUND, now, &mut shared).map_err(at)?;
            continue;
        }
        let event = parse_row(
            &RowCells {
                reviewer,
                image,
                label,
                verdict,
                category,
                severity,
                note,
                round,
                cast_at: time,
            },
            &index,
            vocab,
            now,
        )
        .map_err(at)?;
        if let Some(earlier) = seen.clash(row, &event) {
            return Err(at(format!(
                "{reviewer} votes on {image} / {label} twice at one time in one round, with different verdicts (also row {earlier}); keep one of the two rows"
            )));
        }
        rows.push(row);
        events.push(event);
    }
    Ok((rows, events, shared))
}

/// Where the seven required columns are, in [`VOTE_COLUMNS`]' order.
fn required_columns(file: &Path, headers: &[String]) -> Result<Vec<usize>> {
    VOTE_COLUMNS[..7]
        .iter()
        .map(|name| {
            headers.iter().position(|h| h == name).ok_or_else(|| {
                Error::bad_input(
                    file,
                    format!(
                        "the header has no column {name:?}; a vote file starts with {}",
                        VOTE_COLUMNS.join(",")
                    ),
                )
            })
        })
        .collect()
}

/// Who voted on what, when, in which round: at most one verdict each.
type Moment = (String, u32, ClassId, Round, String);

/// The rows read so far by moment, to refuse one that gives the same moment another verdict.
#[derive(Default)]
struct Moments(HashMap<Moment, (usize, Option<Verdict>)>);

impl Moments {
    /// Notes the event's moment; the earlier row, when it gave that moment another verdict.
    fn clash(&mut self, row: usize, event: &VoteEvent) -> Option<usize> {
        let key = (
            event.reviewer.clone(),
            event.image,
            event.label,
            event.round,
            event.cast_at.clone(),
        );
        let verdict = event.vote.as_ref().map(|v| v.verdict);
        let (earlier, other) = self.0.insert(key, (row, verdict))?;
        (other != verdict).then_some(earlier)
    }
}

/// A row of round `note` or `assignment`.
struct SharedRow<'a> {
    reviewer: &'a str,
    verdict: &'a str,
    text: &'a str,
    cast_at: &'a str,
    reply_to: &'a str,
}

fn parse_shared(
    row: &SharedRow,
    (image, label): (u32, ClassId),
    is_note: bool,
    now: &str,
    shared: &mut SharedLog,
) -> std::result::Result<(), String> {
    if !row.verdict.is_empty() {
        return Err(format!(
            "a row of round note or assignment has verdict {:?}; leave it empty",
            row.verdict
        ));
    }
    let time = parse_cast_at(row.cast_at, now)?;
    let reviewer = crate::names::clean_name("reviewer", row.reviewer).map_err(|e| e.to_string())?;
    if !is_note {
        shared.assignments.push((
            Assignment {
                image,
                label,
                reviewer,
            },
            time,
        ));
        return Ok(());
    }
    if row.text.is_empty() {
        return Err("a note row has no text in the note column".into());
    }
    let reply_to = match row.reply_to {
        "" => None,
        tag => Some(Note::parse_tag(tag)?),
    };
    shared.notes.push(Note {
        id: 0,
        image,
        label,
        reviewer,
        written_at: time,
        text: row.text.to_owned(),
        reply_to,
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verdict::{Category, Severity};

    fn read(text: &str) -> Result<(Vec<VoteEvent>, SharedLog)> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("votes.csv");
        std::fs::write(&path, text).unwrap();
        let files = vec!["a.jpg".to_string(), "b.jpg".to_string()];
        read_vote_csv(
            &path,
            &files,
            &Vocabulary::imagenet1k(),
            "2026-11-24T10:00:00.000Z",
        )
    }

    const HEADER: &str = "reviewer,image,label,verdict,category,severity,note,round,cast_at\n";

    #[test]
    fn rows_become_events_with_defaults_for_round_and_time() {
        let (events, _) = read(&format!(
            "{HEADER}ana,b.jpg,n01491361,wrong,spurious,major,the fin,discussion,2026-11-23T08:00:00+01:00\nben,a.jpg,3,correct,,,,,\n"
        ))
        .unwrap();
        assert_eq!(events.len(), 2);
        assert_eq!((events[0].image, events[0].label), (1, 3));
        assert_eq!(events[0].round, Round::Discussion);
        assert_eq!(events[0].cast_at, "2026-11-23T07:00:00.000Z");
        let vote = events[0].vote.as_ref().unwrap();
        assert_eq!(
            (vote.category, vote.severity, vote.note.as_str()),
            (Some(Category::Spurious), Some(Severity::Major), "the fin")
        );
        assert_eq!(events[1].round, Round::Independent);
        assert_eq!(events[1].cast_at, "2026-11-24T10:00:00.000Z");
    }

    #[test]
    fn bad_rows_are_named() {
        let cases = [
            (
                "ana,c.jpg,3,correct,,,,,",
                "row 2: image \"c.jpg\" is not in the dataset",
            ),
            ("ana,a.jpg,n99999999,correct,,,,,", "label \"n99999999\""),
            (
                "ana,a.jpg,3,maybe,,,,,",
                "verdict \"maybe\" is not one of correct",
            ),
            (
                "ana,a.jpg,3,correct,spurious,,,,",
                "only wrong votes have them",
            ),
            ("ana,a.jpg,3,wrong,spurius,,,,", "category \"spurius\""),
            (
                "ana,a.jpg,3,correct,,,,,yesterday",
                "cast_at \"yesterday\" is not a time",
            ),
            ("ana,a.jpg,3,correct,,,,final,", "round \"final\""),
            (
                "ana,a.jpg,3,withdrawn,,,,independent,",
                "verdict \"withdrawn\" is for the chair round",
            ),
            (
                "ana,a.jpg,3,withdrawn,,,why,chair,",
                "a withdrawal carries no category, severity or note",
            ),
            (
                "ana,a.jpg,3,correct,,,a note,crowd,",
                "a crowd answer carries a verdict only",
            ),
            (
                "ana,a.jpg,3,correct,,,,chair,9999-12-30T00:00:00Z",
                "row 2: cast_at 9999-12-30T00:00:00.000Z is later than now",
            ),
            (
                "ana,a.jpg,3,correct,,,,,0000-01-01T00:00:00Z",
                "row 2: cast_at 0000-01-01T00:00:00.000Z is before 2000",
            ),
            (
                "ana,a.jpg,3,correct,,,,,2026-01-01T00:00:00Z\nana,a.jpg,3,wrong,,,,,2026-01-01T00:00:00Z",
                "row 3: ana votes on a.jpg / 3 twice at one time",
            ),
        ];
        for (rows, expected) in cases {
            let err = read(&format!("{HEADER}{rows}\n")).unwrap_err().to_string();
            assert!(err.contains(expected), "{rows}: {err}");
            assert!(err.contains("votes.csv"), "{err}");
        }
        let err = read("reviewer,image,label\nana,a.jpg,3\n").unwrap_err();
        assert!(err.to_string().contains("no column \"verdict\""), "{err}");
    }
}
