//! The desk and the team server: when the project is linked, a worker syncs by itself (votes
//! are sent within a second of being cast, others' arrive as the server announces them), the
//! status bar says which server, who I am to it and how many votes are not on it yet, and the
//! File menu has Join team… and Sync now. The worker writes to the project file; the desk's
//! watcher sees the commit and reloads, as for any change made elsewhere.

use crate::store::Project;
use crate::team::{self, Listener, ServerAddress, ServerLog, listen::Heard};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How often the worker looks for votes cast at this desk that the server does not have.
const OUTBOX_TICK: Duration = Duration::from_millis(500);

/// What the status bar shows, written by the worker.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TeamState {
    pub server: String,
    pub role: String,
    pub unsent: usize,
    /// Why the last sync failed (the server is down, ...); None after one that worked.
    pub problem: Option<String>,
}

/// Why the worker wakes.
enum Wake {
    SyncNow,
    Stop,
}

#[derive(Default)]
pub struct TeamDesk {
    state: Arc<Mutex<Option<TeamState>>>,
    wake: Option<Sender<Wake>>,
    _listener: Option<Listener>,
    join: Mutex<Option<JoinForm>>,
}

/// The Join team… window's fields.
#[derive(Default)]
struct JoinForm {
    url: String,
    message: Option<String>,
}

impl TeamDesk {
    /// Starts syncing `project` when it is linked to a team server (the password from
    /// PGPASSWORD or ~/.pgpass, as for psql).
    pub fn open(ctx: &egui::Context, project: &Path) -> TeamDesk {
        let linked = Project::open_read_only(project)
            .ok()
            .and_then(|p| p.team_link().ok().flatten());
        match linked.map(|link| ServerAddress::parse(&link.url).map(|a| (link, a))) {
            Some(Ok((link, address))) => TeamDesk::start(ctx, project, &link.role, address),
            _ => TeamDesk::default(),
        }
    }

    /// Syncs through `address`, which may hold a password typed this session: kept in memory,
    /// never written.
    fn start(ctx: &egui::Context, project: &Path, role: &str, address: ServerAddress) -> Self {
        let state = Arc::new(Mutex::new(Some(TeamState {
            server: address.public_url().to_owned(),
            role: role.to_owned(),
            ..TeamState::default()
        })));
        let (wake, woken) = channel();
        let waker = wake.clone();
        let listener = Listener::spawn(address.clone(), move |heard| {
            if heard != Heard::Lost {
                let _ = waker.send(Wake::SyncNow);
            }
        });
        let worker = Worker {
            path: project.to_path_buf(),
            address,
            state: Arc::clone(&state),
            repaint: ctx.clone(),
        };
        std::thread::Builder::new()
            .name("bagel-team-sync".into())
            .spawn(move || worker.run(&woken))
            .expect("the system refused a thread for the team sync");
        TeamDesk {
            state,
            wake: Some(wake),
            _listener: Some(listener),
            join: Mutex::new(None),
        }
    }

    pub fn state(&self) -> Option<TeamState> {
        self.state.lock().ok()?.clone()
    }

    /// The File menu's team items.
    pub fn file_menu(&self, ui: &mut egui::Ui) {
        if ui.button("Join team…").clicked()
            && let Ok(mut join) = self.join.lock()
        {
            *join = Some(JoinForm::default());
        }
        if ui
            .add_enabled(self.wake.is_some(), egui::Button::new("Sync now"))
            .clicked()
            && let Some(wake) = &self.wake
        {
            let _ = wake.send(Wake::SyncNow);
        }
    }

    /// The status bar's team part: server, who I am, votes not yet on the server. Only votes
    /// cast under the server's name for me are sent: another name at this desk is flagged.
    pub fn status_line(&self, ui: &mut egui::Ui, reviewer: Option<&str>) {
        let Some(state) = self.state() else {
            return;
        };
        if reviewer.is_some_and(|name| name != state.role) {
            ui.colored_label(
                super::theme::WARN,
                format!(
                    "votes reach the server only as {}: switch reviewer",
                    state.role
                ),
            );
        }
        let mut text = format!("team: {} as {}", state.server, state.role);
        if state.unsent > 0 {
            text.push_str(&format!(" · {} votes not yet on the server", state.unsent));
        }
        match &state.problem {
            Some(problem) => ui
                .colored_label(super::theme::WARN, format!("{text} · offline"))
                .on_hover_text(problem),
            None => ui.label(text),
        };
        ui.separator();
    }

    /// The Join team… window; once joined, the desk syncs through the address typed.
    pub fn join_window(&mut self, ctx: &egui::Context, project: &Path) {
        let Ok(mut guard) = self.join.lock() else {
            return;
        };
        let Some(form) = guard.as_mut() else {
            return;
        };
        let mut open = true;
        let mut joined = None;
        egui::Window::new("Join team")
            .open(&mut open)
            .collapsible(false)
            .show(ctx, |ui| {
                ui.label("The password goes in the URL, or in PGPASSWORD or ~/.pgpass.");
                ui.horizontal(|ui| {
                    let label = ui.label("Server URL");
                    let field = egui::TextEdit::singleline(&mut form.url)
                        .hint_text("postgres://NAME@HOST/DATABASE");
                    ui.add(field).labelled_by(label.id);
                });
                if ui.button("Join").clicked() {
                    match join(project, &form.url) {
                        Ok(done) => joined = Some(done),
                        Err(error) => form.message = Some(error),
                    }
                }
                if let Some(message) = &form.message {
                    ui.colored_label(super::theme::BAD, message);
                }
            });
        let close = joined.is_some() || !open;
        if close {
            *guard = None;
        }
        drop(guard);
        if let Some((role, address)) = joined {
            *self = TeamDesk::start(ctx, project, &role, address);
        }
    }
}

impl Drop for TeamDesk {
    fn drop(&mut self) {
        if let Some(wake) = &self.wake {
            let _ = wake.send(Wake::Stop);
        }
    }
}

fn join(project: &Path, url: &str) -> Result<(String, ServerAddress), String> {
    let address = ServerAddress::parse(url).map_err(|e| e.to_string())?;
    let mut opened = Project::open(project).map_err(|e| e.to_string())?;
    let joined = team::join(&mut opened, &address).map_err(|e| e.to_string())?;
    Ok((joined.role, address))
}

/// The sync thread: syncs when woken, and whenever votes wait in the outbox; tells the desk
/// what happened.
struct Worker {
    path: PathBuf,
    address: ServerAddress,
    state: Arc<Mutex<Option<TeamState>>>,
    repaint: egui::Context,
}

impl Worker {
    fn run(&self, woken: &Receiver<Wake>) {
        let Ok(mut project) = Project::open(&self.path) else {
            return;
        };
        // Kept between syncs; opened again after a failure.
        let mut server: Option<ServerLog> = None;
        loop {
            let asked = match woken.recv_timeout(OUTBOX_TICK) {
                Ok(Wake::Stop) | Err(RecvTimeoutError::Disconnected) => return,
                Ok(Wake::SyncNow) => true,
                Err(RecvTimeoutError::Timeout) => false,
            };
            let unsent = team::status(&project).map_or(0, |s| s.unsent);
            let offline = self.show(|shown| {
                shown.unsent = unsent;
                shown.problem.is_some()
            });
            // While offline, the outbox waits for the listener's word that the server is
            // back, or the person's Sync now.
            if asked || (unsent > 0 && !offline) {
                let problem = self.sync(&mut project, &mut server).err();
                let unsent = team::status(&project).map_or(unsent, |s| s.unsent);
                self.show(|shown| {
                    shown.unsent = unsent;
                    shown.problem = problem;
                });
            }
        }
    }

    /// One sync on the kept connection, or a new one; a failure drops the connection.
    fn sync(&self, project: &mut Project, server: &mut Option<ServerLog>) -> Result<(), String> {
        if server.is_none() {
            *server = Some(ServerLog::open(&self.address).map_err(|e| e.to_string())?);
        }
        let Some(open) = server.as_mut() else {
            return Ok(());
        };
        let synced = team::sync_on(project, open).map_err(|e| e.to_string());
        if synced.is_err() {
            *server = None;
        }
        synced.map(drop)
    }

    /// Changes what the status bar shows and has it drawn again.
    fn show<T: Default>(&self, change: impl FnOnce(&mut TeamState) -> T) -> T {
        let Ok(mut guard) = self.state.lock() else {
            return T::default();
        };
        let Some(shown) = guard.as_mut() else {
            return T::default();
        };
        let before = shown.clone();
        let value = change(shown);
        if *shown != before {
            self.repaint.request_repaint();
        }
        value
    }
}
