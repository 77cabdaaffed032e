//! What the desk remembers for the person at it, across restarts, through eframe's
//! persistence (in the user's data folder, never in a project file, which a panel shares):
//! who they are, where they were, and how they like the queue. The window's size and the
//! panels' widths are kept by eframe and egui themselves.

use crate::compare::{Binning, DEFAULT_BINS, Metric, Scale, Uncertainty};
use crate::panel::{QueueFilter, SortOrder};
use crate::vocab::ClassId;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// How many recent projects the File menu offers.
const RECENT: usize = 6;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// The person's name, stored with every vote they cast.
    pub reviewer: Option<String>,
    /// Projects where they said who they are; another project asks again, with this name
    /// filled in, so a shared file never takes a vote under the wrong name silently.
    pub confirmed_projects: BTreeSet<PathBuf>,
    /// Projects opened, the last one first.
    pub recent_projects: Vec<PathBuf>,
    /// The queue's filters; the model is kept by name (see `filter_model`), indices differ
    /// between projects.
    pub filter: QueueFilter,
    pub filter_model: Option<String>,
    /// None: the most useful order the queue allows.
    pub order: Option<SortOrder>,
    pub auto_advance: bool,
    pub top_k: usize,
    pub show_browser: bool,
    pub show_plots: bool,
    /// The metrics table fills the centre instead of the image.
    pub metrics_in_full: bool,
    pub metrics_sort: MetricsSort,
    pub show_panel: bool,
    pub panel_tab: PanelTab,
    /// The comparison window's datasets, options and tab.
    pub compare: CompareChoices,
    /// Where this person left each queue (project, reviewer, dataset → image, label). Kept
    /// here, not in the project: a write to the shared file at every arrow key made every
    /// other desk on it reload.
    pub positions: BTreeMap<String, (u32, ClassId)>,
    /// The confusions tab's order.
    pub confusion_order: crate::panel::confusions::ConfusionOrder,
    /// Where this person keeps a dataset's images, overriding the project's root: by
    /// "project file|dataset" ("Locate images…").
    pub image_roots: std::collections::BTreeMap<String, PathBuf>,
}

/// The panel window's tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum PanelTab {
    #[default]
    Discussion,
    Agreement,
    Mistakes,
    Confusions,
    Progress,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            reviewer: None,
            confirmed_projects: BTreeSet::new(),
            recent_projects: Vec::new(),
            filter: QueueFilter::default(),
            filter_model: None,
            order: None,
            auto_advance: true,
            top_k: 5,
            show_browser: false,
            show_plots: false,
            metrics_in_full: false,
            metrics_sort: MetricsSort::default(),
            show_panel: false,
            panel_tab: PanelTab::default(),
            compare: Default::default(),
            positions: BTreeMap::new(),
            confusion_order: Default::default(),
            image_roots: Default::default(),
        }
    }
}

/// The live metrics table's order: a column and its direction.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct MetricsSort {
    pub column: usize,
    pub descending: bool,
}

impl Settings {
    /// The key eframe stores them under.
    pub const KEY: &str = eframe::APP_KEY;

    pub fn load(storage: Option<&dyn eframe::Storage>) -> Self {
        storage
            .and_then(|s| eframe::get_value(s, Self::KEY))
            .unwrap_or_default()
    }

    pub fn save(&self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, Self::KEY, self);
    }

    /// Whether this person said who they are for this project.
    pub fn confirmed(&self, project: &std::path::Path) -> bool {
        self.reviewer.is_some() && self.confirmed_projects.contains(&canonical(project))
    }

    /// Puts a project first among the recent ones.
    pub fn opened(&mut self, project: &std::path::Path) {
        let project = canonical(project);
        self.recent_projects.retain(|p| *p != project);
        self.recent_projects.insert(0, project);
        self.recent_projects.truncate(RECENT);
    }

    /// The pair this reviewer was at in a dataset's queue of a project.
    pub fn position(
        &self,
        project: &std::path::Path,
        reviewer: &str,
        dataset: &str,
    ) -> Option<(u32, ClassId)> {
        let key = position_key(project, reviewer, dataset);
        self.positions.get(&key).copied()
    }

    pub fn set_position(
        &mut self,
        project: &std::path::Path,
        reviewer: &str,
        dataset: &str,
        pair: (u32, ClassId),
    ) {
        let key = position_key(project, reviewer, dataset);
        self.positions.insert(key, pair);
    }

    pub fn confirm(&mut self, project: &std::path::Path, name: &str) {
        self.reviewer = Some(name.to_owned());
        self.confirmed_projects.insert(canonical(project));
    }
}

/// Unit separators keep ("a", "bc") and ("ab", "c") apart.
fn position_key(project: &std::path::Path, reviewer: &str, dataset: &str) -> String {
    format!(
        "{}\u{1f}{reviewer}\u{1f}{dataset}",
        canonical(project).display()
    )
}

/// One spelling per file, however it was reached.
pub fn canonical(path: &std::path::Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_path_buf())
}

/// What the person chose in the window, kept across restarts (datasets by name; names another
/// project lacks fall back to the defaults).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CompareChoices {
    /// None: the project's first dataset.
    pub source: Option<String>,
    /// None: the dataset sharing the most models with the source.
    pub target: Option<String>,
    /// None: the first the data allows (softmax when every model has scores).
    pub uncertainty: Option<Uncertainty>,
    pub bins: usize,
    pub binning: Binning,
    /// The scatter's metric and axes.
    pub metric: Metric,
    pub scale: Scale,
    pub tab: Tab,
    /// Whose curves are drawn; None: the model with the median top-1 gap.
    pub curves: Option<String>,
    /// The table's order: a column (0 the model's name, then the figures in heading order)
    /// and whether largest first; None: the comparison's order (by name).
    pub sort: Option<(usize, bool)>,
}

impl Default for CompareChoices {
    fn default() -> Self {
        CompareChoices {
            source: None,
            target: None,
            uncertainty: None,
            bins: DEFAULT_BINS,
            binning: Binning::Width,
            metric: Metric::Top1,
            scale: Scale::Plain,
            tab: Tab::Scatter,
            curves: None,
            sort: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Tab {
    #[default]
    Scatter,
    Gaps,
    RawVsMatched,
    Curves,
    Table,
    Summary,
}

impl Tab {
    pub(super) const ALL: [Tab; 6] = [
        Tab::Scatter,
        Tab::Gaps,
        Tab::RawVsMatched,
        Tab::Curves,
        Tab::Table,
        Tab::Summary,
    ];

    pub(super) fn title(self) -> &'static str {
        match self {
            Tab::Scatter => "Source vs target",
            Tab::Gaps => "Gaps",
            Tab::RawVsMatched => "Raw vs matched",
            Tab::Curves => "Curves",
            Tab::Table => "Table",
            Tab::Summary => "Summary and warnings",
        }
    }
}
