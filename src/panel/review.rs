//! One reviewer's session on one dataset: what the desk shows and does, with no user
//! interface in it. Votes go to the project file first; only then do the queue marks, the
//! undo stack and the live metrics change.

use super::chair;
use super::discussion::{disagreement, discussion_pairs};
use super::queue::{PairStatus, QueueItem, ReviewQueue, imported_valid};
use super::visibility::has_voted;
use super::voting::Ballot;
use super::{DecisionKind, LiveMetrics, Round, Verdict, Vote};
use crate::data::{ImageLabels, LabelKind};
use crate::error::Result;
use crate::metrics::{Evaluation, MetricOptions};
use crate::progress::{Progress, check_cancelled};
use crate::store::{DatasetInfo, Project};
use crate::verdict::{Decision, VoteEvent};
use crate::vocab::ClassId;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;

pub struct Review {
    pub dataset: DatasetInfo,
    pub files: Vec<String>,
    pub evaluation: Evaluation,
    /// The imported multi-labels (correct, unclear, previously wrong), when the dataset has any.
    pub labels: Option<ImageLabels>,
    /// The imported ReaL labels, when the dataset has any.
    pub real: Option<ImageLabels>,
    pub queue: ReviewQueue,
    pub live: LiveMetrics,
    reviewer: String,
    /// What I may see of the others' votes: blind in the blind round, unless I am the chair.
    pub visibility: super::visibility::Visibility,
    /// Whether I am the project's chair, who may override and withdraw decisions.
    is_chair: bool,
    /// How many panel members must vote on a pair before it is decided.
    quorum: usize,
    /// The pairs assigned to me (`bagel assign`).
    assigned: BTreeSet<(u32, ClassId)>,
    /// Pairs I have a standing vote on in any round: those the blind round opens to me.
    opened: BTreeSet<(u32, ClassId)>,
    /// The round my votes go to: independent, or discussion once the panel discusses.
    round: Round,
    /// By pair, so one image's votes are a range.
    my_votes: BTreeMap<(u32, ClassId), Vote>,
    /// Pairs whose independent votes disagree: the discussion round's.
    disputed: BTreeSet<(u32, ClassId)>,
    /// What each vote replaced, newest last.
    undo: Vec<(Vote, Option<Vote>)>,
    images_by_label: HashMap<ClassId, Vec<u32>>,
    /// Queue items I voted on, and queue items with a decision: kept current vote by vote,
    /// because the desk shows them every frame and the queue can hold 200,000 items.
    reviewed: (usize, usize),
}

impl Review {
    pub fn load(
        project: &Project,
        dataset: &str,
        reviewer: &str,
        progress: &dyn Progress,
    ) -> Result<Self> {
        progress.begin(&format!("loading {dataset}"), 4);
        let info = project.dataset(dataset)?;
        let evaluation = Evaluation::load_with_scores(project, dataset)?;
        let files = project.images(info.id)?.files;
        progress.advance(1);
        check_cancelled(progress)?;
        let labels_of = |kind| -> Result<Option<ImageLabels>> {
            match project.label_source(info.id, kind, None)? {
                Some(source) => Ok(Some(project.image_labels(&source, files.len())?)),
                None => Ok(None),
            }
        };
        let labels = labels_of(LabelKind::MultiLabel)?;
        let real = labels_of(LabelKind::Real)?;
        progress.advance(1);
        check_cancelled(progress)?;
        let queue = ReviewQueue::build(&evaluation, labels.as_ref());
        progress.advance(1);
        check_cancelled(progress)?;
        let live = LiveMetrics::new(
            &evaluation,
            &MetricOptions::default(),
            project.decisions(info.id)?,
        );
        let round = Round::Independent;
        let events = project.vote_events(info.id)?;
        let my_votes = my_standing_votes(&events, reviewer, round);
        let disputed = (discussion_pairs(&events).into_iter())
            .map(|pair| pair.pair)
            .collect();
        let images_by_label = examples_by_class(&evaluation, [&labels, &real]);
        progress.advance(1);
        let is_chair = chair::is_chair(project, reviewer)?;
        let assigned = (project.assignments(info.id)?.into_iter())
            .filter(|a| a.reviewer == reviewer)
            .map(|a| (a.image, a.label))
            .collect();
        let mut review = Review {
            dataset: info,
            files,
            evaluation,
            labels,
            real,
            queue,
            live,
            reviewer: reviewer.to_owned(),
            visibility: super::visibility::Visibility {
                blind: project.blind_round()? && !is_chair,
            },
            is_chair,
            quorum: project.quorum()?,
            opened: opened_pairs(&events, reviewer),
            assigned,
            round,
            my_votes,
            disputed,
            undo: Vec::new(),
            images_by_label,
            reviewed: (0, 0),
        };
        review.hide_unopened_decisions(project)?;
        review.reviewed = review.count_reviewed(review.queue.items());
        Ok(review)
    }

    /// Makes this session another reviewer's without loading the dataset again: what is theirs
    /// (votes, assignments, the chair's role, what the blind round shows them) is read anew.
    /// The desk loads behind the name prompt, then hands the name over.
    pub fn switch_reviewer(&mut self, project: &Project, reviewer: &str) -> Result<()> {
        let events = project.vote_events(self.dataset.id)?;
        self.reviewer = reviewer.to_owned();
        self.is_chair = chair::is_chair(project, reviewer)?;
        self.visibility.blind = project.blind_round()? && !self.is_chair;
        self.opened = opened_pairs(&events, reviewer);
        self.assigned = (project.assignments(self.dataset.id)?.into_iter())
            .filter(|a| a.reviewer == reviewer)
            .map(|a| (a.image, a.label))
            .collect();
        self.my_votes = my_standing_votes(&events, reviewer, self.round);
        self.undo.clear();
        let decided = project.decided_images(self.dataset.id, DecisionKind::Panel)?;
        for image in decided {
            self.take_in_decisions(project, image)?;
        }
        self.reviewed = self.count_reviewed(self.queue.items());
        Ok(())
    }

    /// In the blind round, takes the panel's decisions on pairs I have not voted on out of the
    /// live figures, so nothing of the others' votes moves what I see.
    fn hide_unopened_decisions(&mut self, project: &Project) -> Result<()> {
        if !self.visibility.blind {
            return Ok(());
        }
        let hidden: BTreeSet<u32> = (project
            .decisions_of_kind(self.dataset.id, DecisionKind::Panel)?)
        .iter()
        .filter(|d| !self.opened.contains(&(d.image, d.label)))
        .map(|d| d.image)
        .collect();
        for image in hidden {
            self.take_in_decisions(project, image)?;
        }
        Ok(())
    }

    /// Whether the blind round lets me see the others' votes and the decision on a pair.
    pub fn sees_pair(&self, image: u32, label: ClassId) -> bool {
        (self.visibility).may_see(self.opened.contains(&(image, label)))
    }

    /// The decision on a pair as I may see it: none while the blind round hides it.
    pub fn decision(&self, image: u32, label: ClassId) -> Option<&Decision> {
        self.live.decision(image, label)
    }

    pub fn is_chair(&self) -> bool {
        self.is_chair
    }

    pub fn quorum(&self) -> usize {
        self.quorum
    }

    pub fn reviewer(&self) -> &str {
        &self.reviewer
    }

    /// Where an image's file is: under the dataset's image root (see [`DatasetInfo::image_path`]).
    pub fn image_path(&self, image: u32) -> PathBuf {
        self.dataset.image_path(&self.files[image as usize])
    }

    /// Up to `count` images showing `class` (their original label first), other than `except`.
    pub fn examples_of(&self, class: ClassId, except: u32, count: usize) -> Vec<u32> {
        (self.images_by_label.get(&class).into_iter().flatten())
            .copied()
            .filter(|&image| image != except)
            .take(count)
            .collect()
    }

    pub fn my_vote(&self, image: u32, label: ClassId) -> Option<&Vote> {
        self.my_votes.get(&(image, label))
    }

    /// Queue items I voted on, and queue items with a decision from anyone.
    pub fn reviewed_counts(&self) -> (usize, usize) {
        self.reviewed
    }

    /// Hands the decisions now standing on an image to the live metrics: those I may see (a
    /// panel decision on a pair the blind round keeps closed is left out).
    fn take_in_decisions(&mut self, project: &Project, image: u32) -> Result<()> {
        let decisions = self.visible_decisions(project, Some(image))?;
        let labels = self.labels.as_ref();
        (self.live).image_decided(&self.evaluation, &self.files, labels, image, decisions);
        Ok(())
    }

    fn count_reviewed(&self, items: &[QueueItem]) -> (usize, usize) {
        let mine = items
            .iter()
            .filter(|item| self.my_votes.contains_key(&(item.image, item.label)))
            .count();
        let decided = items
            .iter()
            .filter(|item| self.decision(item.image, item.label).is_some())
            .count();
        (mine, decided)
    }

    pub fn round(&self) -> Round {
        self.round
    }

    /// Switches the round my votes go to; my standing votes of that round are re-read.
    pub fn set_round(&mut self, project: &Project, round: Round) -> Result<()> {
        let events = project.vote_events(self.dataset.id)?;
        self.my_votes = my_standing_votes(&events, &self.reviewer, round);
        self.round = round;
        self.undo.clear();
        self.reviewed = self.count_reviewed(self.queue.items());
        Ok(())
    }

    /// Carries my session (its round and undo stack) over into this fresh load of the same
    /// dataset, as after a reload for changes made elsewhere: my votes are still in the log,
    /// so undo still takes them back. A load for someone else or another dataset starts anew.
    pub fn continue_session(&mut self, project: &Project, earlier: &mut Review) -> Result<()> {
        if (earlier.dataset.id, earlier.reviewer.as_str()) != (self.dataset.id, &self.reviewer) {
            return Ok(());
        }
        if earlier.round != self.round {
            self.set_round(project, earlier.round)?;
        }
        self.undo = std::mem::take(&mut earlier.undo);
        Ok(())
    }

    /// Casts my vote: on disk first, then the marks, the undo stack and the live metrics.
    pub fn vote(&mut self, project: &mut Project, vote: Vote) -> Result<()> {
        let event = self.event(vote.image, vote.label, Some(vote.clone()));
        let previous = self.ballot().cast(project, event)?;
        self.undo.push((vote.clone(), previous));
        self.settle(project, vote.image, vote.label, Some(vote))
    }

    /// Overrides the panel's decision on a pair as the chair, with a reason kept with it. It is
    /// not one of my votes: undo does not take it back; another override replaces it.
    pub fn override_as_chair(
        &mut self,
        project: &mut Project,
        vote: Vote,
        reason: &str,
    ) -> Result<()> {
        let image = vote.image;
        chair::override_decision(project, &self.ballot(), &self.reviewer, vote, reason)?;
        self.take_in(project, [image])
    }

    /// Withdraws the chair's override on a pair: the panel's votes decide it again.
    pub fn withdraw_override(&mut self, project: &mut Project, pair: (u32, ClassId)) -> Result<()> {
        chair::withdraw_override(project, &self.ballot(), &self.reviewer, pair)?;
        self.take_in(project, [pair.0])
    }

    /// What a note typed on a pair in the item panel becomes: part of my standing vote on the
    /// pair, or, when I have none, a note of the panel's discussion. A note alone is not a
    /// vote: it neither opens the blind round to me nor counts towards the quorum.
    pub fn note_on_pair(&self, (image, label): (u32, ClassId), text: &str) -> NoteOnPair {
        match self.my_votes.get(&(image, label)) {
            Some(vote) => NoteOnPair::WithMyVote(Vote {
                note: text.trim().to_owned(),
                ..vote.clone()
            }),
            None if text.trim().is_empty() => NoteOnPair::Nothing,
            None => NoteOnPair::ForTheDiscussion,
        }
    }

    /// Writes my note on a pair (a reply when `reply_to` names another note on it).
    pub fn write_note(
        &self,
        project: &mut Project,
        (image, label): (u32, ClassId),
        text: &str,
        reply_to: Option<i64>,
    ) -> Result<()> {
        let note = crate::verdict::Note {
            id: 0,
            image,
            label,
            reviewer: self.reviewer.clone(),
            written_at: crate::verdict::now(),
            text: text.trim().to_owned(),
            reply_to,
        };
        self.ballot().write_notes(project, &[note])?;
        Ok(())
    }

    /// The decisions I may see, on one image or all. The blind round hides the panel's on a pair
    /// I have not voted on; what stands beneath it (an imported review's, an aggregation's)
    /// shows instead, as it would had the panel not decided, so that nothing gives away that
    /// the panel has.
    pub fn visible_decisions(
        &self,
        project: &Project,
        image: Option<u32>,
    ) -> Result<Vec<Decision>> {
        let dataset = self.dataset.id;
        let decisions = match image {
            Some(image) => project.decisions_of_image(dataset, image)?,
            None => project.decisions(dataset)?,
        };
        let hides = |d: &Decision| !self.sees_pair(d.image, d.label) && is_panel_decision(d);
        let hidden: BTreeSet<(u32, ClassId)> = (decisions.iter())
            .filter(|d| hides(d))
            .map(|d| (d.image, d.label))
            .collect();
        let mut visible: Vec<Decision> = decisions.into_iter().filter(|d| !hides(d)).collect();
        if !hidden.is_empty() {
            let beneath = project.decisions_beneath_panel(dataset, image)?;
            visible.extend(
                beneath
                    .into_iter()
                    .filter(|d| hidden.contains(&(d.image, d.label))),
            );
            visible.sort_by_key(|d| (d.image, d.label));
        }
        Ok(visible)
    }

    /// The discussion round's pairs, in image order.
    pub fn disputed(&self) -> impl Iterator<Item = (u32, ClassId)> + '_ {
        self.disputed.iter().copied()
    }

    /// Takes in decisions changed elsewhere (a merge of votes, an aggregation, a chair's
    /// override): the live metrics re-read those images.
    pub fn take_in(
        &mut self,
        project: &Project,
        images: impl IntoIterator<Item = u32>,
    ) -> Result<()> {
        for image in images {
            let before = self.count_reviewed(self.queue.items_of(image));
            self.take_in_decisions(project, image)?;
            let after = self.count_reviewed(self.queue.items_of(image));
            self.reviewed.1 = self.reviewed.1 + after.1 - before.1;
        }
        Ok(())
    }

    fn ballot(&self) -> Ballot<'_> {
        Ballot {
            dataset: &self.dataset,
            files: &self.files,
        }
    }

    fn event(&self, image: u32, label: ClassId, vote: Option<Vote>) -> VoteEvent {
        VoteEvent {
            reviewer: self.reviewer.clone(),
            round: self.round,
            cast_at: crate::verdict::now(),
            image,
            label,
            vote,
        }
    }

    /// Completes my last vote when it is on the same pair (W, then 1, then N), so that one
    /// undo takes the whole vote back; otherwise a vote like any other.
    pub fn amend(&mut self, project: &mut Project, vote: Vote) -> Result<()> {
        let same_pair =
            |(last, _): &(Vote, Option<Vote>)| (last.image, last.label) == (vote.image, vote.label);
        if !self.undo.last().is_some_and(same_pair) {
            return self.vote(project, vote);
        }
        let event = self.event(vote.image, vote.label, Some(vote.clone()));
        self.ballot().cast(project, event)?;
        if let Some((last, _)) = self.undo.last_mut() {
            *last = vote.clone();
        }
        self.settle(project, vote.image, vote.label, Some(vote))
    }

    /// Whether a class is a valid label of an image: the panel's decision on the pair when
    /// there is one, else the imported labels as the queue reads them.
    pub fn is_valid_label(&self, image: u32, class: ClassId) -> bool {
        match self.live.decision(image, class) {
            Some(decision) => decision.verdict.is_valid(),
            None => imported_valid(&self.evaluation, image as usize, class),
        }
    }

    /// Labels the panel made valid for an image beyond the imported ones (added with A, or a
    /// prediction judged correct or unclear), each with the verdict that made it valid:
    /// decided ones, and my own votes not yet decided.
    pub fn labels_added(&self, image: u32) -> Vec<(ClassId, Verdict)> {
        let imported = |class: ClassId| {
            [&self.labels, &self.real]
                .into_iter()
                .flatten()
                .any(|labels| {
                    labels.correct.get(image as usize).contains(&class)
                        || labels.unclear.get(image as usize).contains(&class)
                })
                || self.evaluation.truth[image as usize] == Some(class)
        };
        let decided = (self.live.decisions_of(image)).map(|d| (d.label, d.verdict));
        let mine = (self
            .my_votes
            .range((image, ClassId::MIN)..=(image, ClassId::MAX)))
        .filter(|(pair, _)| self.live.decision(image, pair.1).is_none())
        .map(|(&(_, label), vote)| (label, vote.verdict));
        let mut added: Vec<(ClassId, Verdict)> = decided
            .chain(mine)
            .filter(|&(class, verdict)| verdict.is_valid() && !imported(class))
            .collect();
        added.sort_unstable_by_key(|&(class, _)| class);
        added.dedup_by_key(|&mut (class, _)| class);
        added
    }

    /// Takes my last vote back, restoring what it replaced; returns the pair it was about.
    pub fn undo(&mut self, project: &mut Project) -> Result<Option<(u32, ClassId)>> {
        let Some((vote, previous)) = self.undo.pop() else {
            return Ok(None);
        };
        let (image, label) = (vote.image, vote.label);
        let event = self.event(image, label, previous.clone());
        let restored = self.ballot().cast(project, event);
        if let Err(error) = restored {
            self.undo.push((vote, previous));
            return Err(error);
        }
        self.settle(project, image, label, previous)?;
        Ok(Some((image, label)))
    }

    /// The pair my next undo would take back.
    pub fn undo_target(&self) -> Option<(u32, ClassId)> {
        self.undo.last().map(|(vote, _)| (vote.image, vote.label))
    }

    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    fn settle(
        &mut self,
        project: &Project,
        image: u32,
        label: ClassId,
        mine: Option<Vote>,
    ) -> Result<()> {
        let before = self.count_reviewed(self.queue.items_of(image));
        match mine {
            Some(vote) => self.my_votes.insert((image, label), vote),
            None => self.my_votes.remove(&(image, label)),
        };
        let history = project.pair_history(self.dataset.id, image, label)?;
        match has_voted(&self.reviewer, &history) {
            true => self.opened.insert((image, label)),
            false => self.opened.remove(&(image, label)),
        };
        match disagreement(&history).any() {
            true => self.disputed.insert((image, label)),
            false => self.disputed.remove(&(image, label)),
        };
        self.take_in_decisions(project, image)?;
        let after = self.count_reviewed(self.queue.items_of(image));
        self.reviewed.0 = self.reviewed.0 + after.0 - before.0;
        self.reviewed.1 = self.reviewed.1 + after.1 - before.1;
        Ok(())
    }
}

impl PairStatus for Review {
    fn my_vote(&self, image: u32, label: ClassId) -> Option<&Vote> {
        self.my_votes.get(&(image, label))
    }

    fn is_decided(&self, image: u32, label: ClassId) -> bool {
        self.decision(image, label).is_some()
    }

    fn is_disputed(&self, image: u32, label: ClassId) -> bool {
        self.sees_pair(image, label) && self.disputed.contains(&(image, label))
    }

    fn needs_detail(&self, image: u32, label: ClassId) -> bool {
        self.decision(image, label).is_some_and(|d| {
            d.verdict == Verdict::Wrong && (d.category.is_none() || d.severity.is_none())
        })
    }

    fn is_assigned_to_me(&self, image: u32, label: ClassId) -> bool {
        self.assigned.contains(&(image, label))
    }
}

/// Where a note typed on a pair goes (see [`Review::note_on_pair`]).
#[derive(Debug, Clone, PartialEq)]
pub enum NoteOnPair {
    /// My vote on the pair, carrying the note, to cast again.
    WithMyVote(Vote),
    /// A note for the panel's discussion of the pair.
    ForTheDiscussion,
    /// An empty note where I have no vote: nothing to write.
    Nothing,
}

/// Whether a decision is the panel's (its votes or the chair's), which the blind round hides,
/// rather than an imported review's or an aggregation's.
fn is_panel_decision(decision: &Decision) -> bool {
    decision.source.is_panels()
}

/// The pairs on which `reviewer` has a standing panel vote in any round.
fn opened_pairs(events: &[VoteEvent], reviewer: &str) -> BTreeSet<(u32, ClassId)> {
    (super::voting::events_by_pair(events).into_iter())
        .filter(|(_, pair)| has_voted(reviewer, pair))
        .map(|(pair, _)| pair)
        .collect()
}

/// My standing votes of one round, by pair.
fn my_standing_votes(
    events: &[VoteEvent],
    reviewer: &str,
    round: Round,
) -> BTreeMap<(u32, ClassId), Vote> {
    let mut votes = BTreeMap::new();
    // Oldest first: each later event replaces or withdraws the earlier.
    for event in events
        .iter()
        .filter(|e| e.reviewer == reviewer && e.round == round)
    {
        match &event.vote {
            Some(vote) => votes.insert((event.image, event.label), vote.clone()),
            None => votes.remove(&(event.image, event.label)),
        };
    }
    votes
}

/// For each class, the images whose original label it is, then those that have it as a valid
/// label in the imported label sets: the examples the class browser shows.
fn examples_by_class<const N: usize>(
    evaluation: &Evaluation,
    label_sets: [&Option<ImageLabels>; N],
) -> HashMap<ClassId, Vec<u32>> {
    let mut examples: HashMap<ClassId, Vec<u32>> = HashMap::new();
    for (image, label) in evaluation.truth.iter().enumerate() {
        if let Some(label) = label {
            examples.entry(*label).or_default().push(image as u32);
        }
    }
    for labels in label_sets.into_iter().flatten() {
        for image in 0..labels.num_images() {
            for class in labels
                .correct
                .get(image)
                .iter()
                .chain(labels.unclear.get(image))
            {
                let list = examples.entry(*class).or_default();
                if !list.contains(&(image as u32)) {
                    list.push(image as u32);
                }
            }
        }
    }
    examples
}
