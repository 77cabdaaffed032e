//! One reviewer's session on one dataset: what the desk shows and does, with no user
//! interface in it. Votes go to the project file first; only then do the queue marks, the
//! undo stack and the live metrics change.

use super::queue::{PairStatus, QueueItem, ReviewQueue, imported_valid};
use super::voting::{Ballot, chair_override, disputed_pairs, is_disputed};
use super::{LiveMetrics, Round, Verdict, Vote};
use crate::data::{ImageLabels, LabelKind};
use crate::error::Result;
use crate::metrics::{Evaluation, MetricOptions};
use crate::progress::{Progress, check_cancelled};
use crate::store::{DatasetInfo, Project};
use crate::verdict::{self, VoteEvent};
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
    /// What I may see of the others' votes (the project's blind round setting).
    pub visibility: super::visibility::Visibility,
    /// The round my votes go to: independent, or discussion once the panel discusses.
    round: Round,
    /// By pair, so one image's votes are a range.
    my_votes: BTreeMap<(u32, ClassId), Vote>,
    /// Pairs whose independent votes are not unanimous: the discussion round's.
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
        let disputed = (disputed_pairs(&events).into_iter())
            .map(|(pair, _)| pair)
            .collect();
        let images_by_label = examples_by_class(&evaluation, [&labels, &real]);
        progress.advance(1);
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
                blind: project.blind_round()?,
            },
            round,
            my_votes,
            disputed,
            undo: Vec::new(),
            images_by_label,
            reviewed: (0, 0),
        };
        review.reviewed = review.count_reviewed(review.queue.items());
        Ok(review)
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

    /// Hands the decisions now standing on an image to the live metrics.
    fn take_in_decisions(&mut self, project: &Project, image: u32) -> Result<()> {
        let decisions = project.decisions_of_image(self.dataset.id, image)?;
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
            .filter(|item| self.live.decision(item.image, item.label).is_some())
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
        let event = chair_override(&self.reviewer, vote, reason, verdict::now())?;
        self.ballot().cast(project, event)?;
        self.take_in(project, [image])
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
            cast_at: verdict::now(),
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
    /// prediction judged correct or unclear): decided ones, and my own votes not yet decided.
    pub fn labels_added(&self, image: u32) -> Vec<ClassId> {
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
        let decided = (self.live.decisions_of(image))
            .filter(|d| d.verdict.is_valid())
            .map(|d| d.label);
        let mine = (self
            .my_votes
            .range((image, ClassId::MIN)..=(image, ClassId::MAX)))
        .filter(|(_, vote)| vote.verdict.is_valid())
        .map(|(&(_, label), _)| label);
        let mut added: Vec<ClassId> = decided
            .chain(mine)
            .filter(|&class| !imported(class) && self.is_valid_label(image, class))
            .collect();
        added.sort_unstable();
        added.dedup();
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
        match is_disputed(&project.pair_history(self.dataset.id, image, label)?) {
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
        self.live.decision(image, label).is_some()
    }

    fn is_disputed(&self, image: u32, label: ClassId) -> bool {
        self.disputed.contains(&(image, label))
    }

    fn needs_detail(&self, image: u32, label: ClassId) -> bool {
        self.live.decision(image, label).is_some_and(|d| {
            d.verdict == Verdict::Wrong && (d.category.is_none() || d.severity.is_none())
        })
    }
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
