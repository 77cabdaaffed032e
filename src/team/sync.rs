//! A member's project and the team server: joining (after checking the datasets match),
//! syncing (send the outbox, fetch what the server lets them see, merge it through the panel's
//! one merge path) and the link's status. A vote is always committed to the project first; a
//! sync that fails half-way is simply run again: the server skips events it has, and the
//! project skips events it has.

use super::server::{PanelDataset, ServerEvent};
use super::shared::{PanelSettings, ServerAssignment, ServerNote};
use super::{ServerAddress, ServerLog, image_list_hash};
use crate::error::{Error, Result};
use crate::panel::shared_log::SharedLog;
use crate::panel::voting::Ballot;
use crate::store::{EventNames, OutgoingEvent, Project, Received, TeamLink};
use crate::verdict::{Note, Round, now};
use crate::vocab::ClassId;
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// What `team join` checked and linked.
#[derive(Debug, Clone, PartialEq)]
pub struct Joined {
    pub role: String,
    pub datasets: Vec<String>,
}

/// What one sync did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SyncReport {
    /// Local events the server took.
    pub sent: usize,
    /// Server events new to this project.
    pub fetched: usize,
    /// The pairs whose panel decision changed: (dataset, image file, class wnid).
    pub changed: Vec<(String, String, String)>,
    /// The panel's settings the server changed here ("quorum 3", "blind round off").
    pub settings_changed: Vec<String>,
}

/// A linked project's state, read without contacting the server.
#[derive(Debug, Clone, PartialEq)]
pub struct Status {
    pub link: TeamLink,
    pub unsent: usize,
}

/// Links a project to the panel on the server of `address`, after checking that the project
/// holds every dataset of the panel with the same images in the same order. Nothing is
/// written to the project when a check fails.
pub fn join(project: &mut Project, address: &ServerAddress) -> Result<Joined> {
    let mut server = ServerLog::open(address)?;
    let panel_datasets = server.datasets()?;
    let mismatches = mismatched_datasets(project, &panel_datasets)?;
    if !mismatches.is_empty() {
        return Err(Error::Usage(format!(
            "{} does not hold the panel's datasets: {}; copy the chair's project file, or import the same images in the same order, then join again (nothing was changed)",
            project.path().display(),
            mismatches.join("; ")
        )));
    }
    project.link_team(address.public_url(), server.role())?;
    Ok(Joined {
        role: server.role().to_owned(),
        datasets: panel_datasets.into_iter().map(|d| d.name).collect(),
    })
}

fn mismatched_datasets(project: &Project, panel: &[PanelDataset]) -> Result<Vec<String>> {
    let mut mismatches = Vec::new();
    for wanted in panel {
        let Ok(dataset) = project.dataset(&wanted.name) else {
            mismatches.push(format!("no dataset {:?}", wanted.name));
            continue;
        };
        let files = project.images(dataset.id)?.files;
        if image_list_hash(&files) != wanted.images_hash {
            mismatches.push(format!(
                "dataset {:?} has {} images here, {} on the panel, or not in the same order",
                wanted.name,
                files.len(),
                wanted.images
            ));
        }
    }
    Ok(mismatches)
}

/// The project's link, or an error saying how to make one.
pub fn linked(project: &Project) -> Result<TeamLink> {
    project.team_link()?.ok_or_else(|| {
        Error::Usage(format!(
            "{} is not linked to a team server; join one with `bagel team join {} URL`",
            project.path().display(),
            project.path().display()
        ))
    })
}

pub fn status(project: &Project) -> Result<Status> {
    let link = linked(project)?;
    let unsent = project.unsent_count(&link.role)?;
    Ok(Status { link, unsent })
}

/// Sends the project's unsent events, then fetches and merges the server's new ones; the
/// password comes from `PGPASSWORD` or the password file, as for psql.
pub fn sync(project: &mut Project) -> Result<SyncReport> {
    let address = ServerAddress::parse(&linked(project)?.url)?;
    sync_with(project, &address)
}

/// [`sync`] through `address`, which may carry a password held in memory (a desk's session).
pub fn sync_with(project: &mut Project, address: &ServerAddress) -> Result<SyncReport> {
    sync_on(project, &mut ServerLog::open(address)?)
}

/// [`sync`] on an open connection, which a desk keeps between syncs.
pub fn sync_on(project: &mut Project, server: &mut ServerLog) -> Result<SyncReport> {
    let link = linked(project)?;
    if server.role() != link.role {
        return Err(Error::Usage(format!(
            "{} is linked as {:?} but the server knows this login as {:?}; log in as {:?} (PGUSER, the URL), or join again",
            project.path().display(),
            link.role,
            server.role(),
            link.role
        )));
    }
    let sent = send_outbox(project, server, &link.role)?;
    if !sent.received.is_empty() {
        project.record_on_server(&sent.received, link.cursor, None)?;
    }
    let opened: Vec<_> = opened_pairs(&sent.votes).into_iter().collect();
    let fetched = server.snapshot(|server| {
        let mut events = server.events_after(link.cursor)?;
        for (dataset, pairs) in &opened {
            events.extend(server.events_on(dataset, pairs)?);
        }
        Ok(Fetched {
            events,
            notes: server.notes_after(link.cursor, &opened)?,
            assignments: server.assignments_after(link.cursor)?,
            settings: server.settings()?,
        })
    })?;
    let settings_changed = apply_settings(project, &fetched.settings)?;
    let mut report = merge_incoming(project, server.address(), fetched)?;
    report.sent = sent.received.len();
    report.settings_changed = settings_changed;
    Ok(report)
}

/// What one sync sent: the votes (whose independent ones open pairs), and every sent event's
/// ids on the server and here.
struct Sent {
    votes: Vec<OutgoingEvent>,
    received: Vec<Received>,
}

/// Sends the role's unsent votes, then notes, then (a chair's) assignments: each kind in one
/// transaction, so a failure leaves the rest for the next sync.
fn send_outbox(project: &Project, server: &mut ServerLog, role: &str) -> Result<Sent> {
    let votes = project.unsent_events(role)?;
    let mut received: Vec<Received> = (votes.iter().zip(server.send(&votes)?))
        .map(|(e, server_event_id)| Received {
            server_event_id,
            local_event_id: e.event_id,
        })
        .collect();
    let notes = project.unsent_notes(role)?;
    received.extend(
        (notes.iter().zip(server.send_notes(&notes)?)).map(|(n, server_event_id)| Received {
            server_event_id,
            local_event_id: n.note.id,
        }),
    );
    let mut assignments = project.unsent_assignments()?;
    if !assignments.is_empty() && !server.is_chair()? {
        assignments.clear();
    }
    received.extend(
        (assignments
            .iter()
            .zip(server.send_assignments(&assignments)?))
        .map(|(a, server_event_id)| Received {
            server_event_id,
            local_event_id: a.event_id,
        }),
    );
    Ok(Sent { votes, received })
}

/// What one snapshot of the server held that this project may not have yet.
struct Fetched {
    events: Vec<ServerEvent>,
    notes: Vec<ServerNote>,
    assignments: Vec<ServerAssignment>,
    settings: PanelSettings,
}

/// The server's settings override the project's: the quorum (every pair re-decided under
/// it), the blind round and the chair. Returns what changed, as "quorum 3".
fn apply_settings(project: &mut Project, settings: &PanelSettings) -> Result<Vec<String>> {
    let mut changed = Vec::new();
    if let Some(quorum) = settings
        .quorum
        .filter(|&q| q != project.quorum().unwrap_or(1))
    {
        crate::panel::quorum::set_quorum(project, quorum)?;
        changed.push(format!("quorum {quorum}"));
    }
    if let Some(blind) = settings
        .blind_round
        .filter(|&b| Some(b) != project.blind_round().ok())
    {
        project.set_blind_round(blind)?;
        changed.push(format!("blind round {}", if blind { "on" } else { "off" }));
    }
    if let Some(chair) = (settings.chair.as_deref())
        .filter(|&c| project.chair().ok().flatten().as_deref() != Some(c))
    {
        project.set_chair(Some(chair))?;
        changed.push(format!("chair {chair}"));
    }
    Ok(changed)
}

/// The pairs on which an outgoing independent vote lifts the blind round: others' earlier
/// events there become visible, behind the cursor.
fn opened_pairs(outbox: &[OutgoingEvent]) -> BTreeMap<String, Vec<(u32, ClassId)>> {
    let mut pairs: BTreeMap<String, BTreeSet<(u32, ClassId)>> = BTreeMap::new();
    for outgoing in outbox
        .iter()
        .filter(|e| e.event.round == Round::Independent)
    {
        let event = &outgoing.event;
        (pairs.entry(outgoing.dataset.clone()).or_default()).insert((event.image, event.label));
    }
    (pairs.into_iter())
        .map(|(dataset, pairs)| (dataset, pairs.into_iter().collect()))
        .collect()
}

/// Merges server events new to the project, per dataset through the panel's one merge path
/// ([`Ballot::merge_with`]: votes, notes and assignments in one transaction), then records
/// them and the cursor. A crash in between only means they are fetched again and found
/// already merged.
fn merge_incoming(
    project: &mut Project,
    address: &ServerAddress,
    fetched: Fetched,
) -> Result<SyncReport> {
    let cursor = (fetched.events.iter().map(|e| e.seq))
        .chain(fetched.notes.iter().map(|n| n.seq))
        .chain(fetched.assignments.iter().map(|a| a.seq))
        .max();
    let known = project.received_from_server()?;
    let mut seen = HashSet::new();
    let mut fresh = |id: i64| !known.contains(&id) && seen.insert(id);
    let mut by_dataset: BTreeMap<String, Arriving> = BTreeMap::new();
    for event in fetched.events {
        if fresh(event.event_id) {
            (by_dataset.entry(event.dataset.clone()).or_default().events).push(event);
        }
    }
    for note in fetched.notes {
        if fresh(note.event_id) {
            (by_dataset.entry(note.dataset.clone()).or_default().notes).push(note);
        }
    }
    for assignment in fetched.assignments {
        if fresh(assignment.event_id) {
            let dataset = by_dataset.entry(assignment.dataset.clone()).or_default();
            dataset.assignments.push(assignment);
        }
    }
    let mut report = SyncReport::default();
    let mut received = Vec::new();
    for (dataset, arriving) in by_dataset {
        merge_dataset(
            project,
            address,
            &dataset,
            arriving,
            &mut report,
            &mut received,
        )?;
    }
    let previous = linked(project)?.cursor;
    project.record_on_server(&received, cursor.unwrap_or(previous), Some(&now()))?;
    Ok(report)
}

/// One dataset's new rows from the server.
#[derive(Default)]
struct Arriving {
    events: Vec<ServerEvent>,
    notes: Vec<ServerNote>,
    assignments: Vec<ServerAssignment>,
}

fn merge_dataset(
    project: &mut Project,
    address: &ServerAddress,
    dataset: &str,
    mut arriving: Arriving,
    report: &mut SyncReport,
    received: &mut Vec<Received>,
) -> Result<()> {
    arriving.events.sort_by_key(|e| e.seq);
    let info = project.dataset(dataset)?;
    let files = project.images(info.id)?.files;
    let vocab = project.vocab().clone();
    let names = EventNames {
        dataset,
        files: &files,
        vocab: &vocab,
    };
    check_names(address, &arriving.events, &files, &vocab)?;
    let named = (arriving.notes.iter())
        .map(|n| (n.seq, &n.file, &n.wnid, n.note.image, n.note.label))
        .chain((arriving.assignments.iter()).map(|a| {
            let pair = &a.assignment;
            (a.seq, &a.file, &a.wnid, pair.image, pair.label)
        }));
    for (seq, file, wnid, image, label) in named {
        check_name(address, seq, (file, wnid), (image, label), &files, &vocab)?;
    }
    received.extend(arriving.events.iter().map(|e| Received {
        server_event_id: e.event_id,
        local_event_id: names.event_id(&e.event),
    }));
    let events = arriving.events.len();
    let plain: Vec<_> = arriving.events.into_iter().map(|e| e.event).collect();
    let shared = SharedLog {
        notes: (arriving.notes.iter())
            .map(|n| Note {
                id: names.note_id(&n.note),
                ..n.note.clone()
            })
            .collect(),
        assignments: (arriving.assignments.iter())
            .map(|a| (a.assignment.clone(), a.assigned_at.clone()))
            .collect(),
    };
    let ballot = Ballot {
        dataset: &info,
        files: &files,
    };
    let merged = ballot.merge_with(project, &plain, &shared)?;
    report.fetched += events + arriving.notes.len() + arriving.assignments.len();
    for (image, label) in merged.changed_pairs {
        let wnid = vocab.class(label).map_or("", |c| c.wnid.as_str());
        let file = files.get(image as usize).map_or("", String::as_str);
        (report.changed).push((dataset.to_owned(), file.to_owned(), wnid.to_owned()));
    }
    received.extend(
        (arriving.notes.iter().zip(&shared.notes)).map(|(n, local)| Received {
            server_event_id: n.event_id,
            local_event_id: local.id,
        }),
    );
    received.extend(arriving.assignments.iter().map(|a| Received {
        server_event_id: a.event_id,
        local_event_id: names.assignment_id(&a.assignment),
    }));
    Ok(())
}

/// Refuses events whose image or class index names another file or wnid here than the names
/// their id hashes: the server holds the names, the project the indices.
fn check_names(
    address: &ServerAddress,
    events: &[ServerEvent],
    files: &[String],
    vocab: &crate::vocab::Vocabulary,
) -> Result<()> {
    for event in events {
        let pair = (event.event.image, event.event.label);
        check_name(
            address,
            event.seq,
            (&event.file, &event.wnid),
            pair,
            files,
            vocab,
        )?;
    }
    Ok(())
}

fn check_name(
    address: &ServerAddress,
    seq: i64,
    (file, wnid): (&String, &String),
    (image, label): (u32, ClassId),
    files: &[String],
    vocab: &crate::vocab::Vocabulary,
) -> Result<()> {
    let here = (
        files.get(image as usize),
        vocab.class(label).map(|c| &c.wnid),
    );
    if here == (Some(file), Some(wnid)) {
        return Ok(());
    }
    Err(super::server::untrusted(
        address,
        &format!(
            "row {seq} names {file} {wnid} but points at image {image} and class {label}, which are not those here"
        ),
    ))
}
