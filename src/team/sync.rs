//! A member's project and the team server: joining (after checking the datasets match),
//! syncing (send the outbox, fetch what the server lets them see, merge it through the panel's
//! one merge path) and the link's status. A vote is always committed to the project first; a
//! sync that fails half-way is simply run again: the server skips events it has, and the
//! project skips events it has.

use super::server::{PanelDataset, ServerEvent};
use super::{ServerAddress, ServerLog, image_list_hash};
use crate::error::{Error, Result};
use crate::panel::voting::Ballot;
use crate::store::{EventNames, OutgoingEvent, Project, Received, TeamLink};
use crate::verdict::{Round, now};
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
    let outbox = project.unsent_events(&link.role)?;
    server.send(&outbox)?;
    let sent: Vec<Received> = (outbox.iter())
        .map(|e| Received {
            server_event_id: e.event_id,
            local_event_id: e.event_id,
        })
        .collect();
    project.record_on_server(&sent, link.cursor, &now())?;
    let mut incoming = server.events_after(link.cursor)?;
    for (dataset, pairs) in opened_pairs(&outbox) {
        incoming.extend(server.events_on(&dataset, &pairs)?);
    }
    let mut report = merge_incoming(project, incoming)?;
    report.sent = outbox.len();
    Ok(report)
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

/// Merges server events new to the project, per dataset through [`Ballot::merge`], then
/// records them and the cursor. A crash in between only means they are fetched again and
/// found already merged.
fn merge_incoming(project: &mut Project, incoming: Vec<ServerEvent>) -> Result<SyncReport> {
    let cursor = incoming.iter().map(|e| e.seq).max();
    let known = project.received_from_server()?;
    let mut seen = HashSet::new();
    let mut by_dataset: BTreeMap<String, Vec<ServerEvent>> = BTreeMap::new();
    for event in incoming {
        if !known.contains(&event.event_id) && seen.insert(event.event_id) {
            by_dataset
                .entry(event.dataset.clone())
                .or_default()
                .push(event);
        }
    }
    let mut report = SyncReport::default();
    let mut received = Vec::new();
    for (dataset, mut events) in by_dataset {
        events.sort_by_key(|e| e.seq);
        let info = project.dataset(&dataset)?;
        let files = project.images(info.id)?.files;
        let vocab = project.vocab().clone();
        let names = EventNames {
            dataset: &dataset,
            files: &files,
            vocab: &vocab,
        };
        let plain: Vec<_> = events.iter().map(|e| e.event.clone()).collect();
        let ballot = Ballot {
            dataset: &info,
            files: &files,
        };
        let merged = ballot.merge(project, &plain)?;
        report.fetched += events.len();
        for (image, label) in merged.changed_pairs {
            let wnid = vocab.class(label).map_or("", |c| c.wnid.as_str());
            let file = files.get(image as usize).map_or("", String::as_str);
            (report.changed).push((dataset.clone(), file.to_owned(), wnid.to_owned()));
        }
        received.extend(events.iter().map(|e| Received {
            server_event_id: e.event_id,
            local_event_id: names.event_id(&e.event),
        }));
    }
    let previous = linked(project)?.cursor;
    project.record_on_server(&received, cursor.unwrap_or(previous), &now())?;
    Ok(report)
}
