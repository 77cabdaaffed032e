//! The team server's commands: `team create`, `team add`, `team join`, `team status` and
//! `sync`. Passwords are read from standard input or a prompt, never from the command line.

use crate::team::{self, ServerAddress};
use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use std::io::{BufRead as _, IsTerminal as _};
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum TeamCommand {
    /// By the database's owner: create the panel's schema, roles and policies in the database
    /// of URL, register the project's datasets and make NAME the chair (password on stdin).
    Create {
        url: String,
        #[arg(long)]
        project: PathBuf,
        #[arg(long)]
        chair: String,
    },
    /// By the database's owner: create a reviewer's login role, or reset its password (read
    /// from standard input or a prompt).
    Add {
        url: String,
        name: String,
        /// Also a member of the chair role: may cast the chair's round and sees every vote.
        #[arg(long)]
        chair: bool,
    },
    /// Link a project to the panel, after checking its datasets match the panel's.
    Join { project: PathBuf, url: String },
    /// The server, who I am to it, unsent votes and the last sync.
    Status { project: PathBuf },
    /// By a chair: set the panel's settings on the server, which every member's sync then
    /// takes (a member's own `bagel config` of them is overridden at their next sync).
    Set {
        project: PathBuf,
        /// How many members must vote on a pair before their votes decide it.
        #[arg(long)]
        quorum: Option<usize>,
        /// Whether the server hides others' votes and notes on a pair until one has voted.
        #[arg(long, value_parser = ["on", "off"])]
        blind_round: Option<String>,
        /// The chair's name, as the panel shows it.
        #[arg(long)]
        chair: Option<String>,
    },
}

#[derive(Args)]
pub struct SyncArgs {
    project: PathBuf,
}

pub fn run(command: TeamCommand) -> Result<()> {
    match command {
        TeamCommand::Create {
            url,
            project,
            chair,
        } => create(&url, &project, &chair),
        TeamCommand::Add { url, name, chair } => add(&url, &name, chair),
        TeamCommand::Join { project, url } => join(&project, &url),
        TeamCommand::Status { project } => status(&project),
        TeamCommand::Set {
            project,
            quorum,
            blind_round,
            chair,
        } => set(&project, quorum, blind_round, chair),
    }
}

fn set(
    project: &std::path::Path,
    quorum: Option<usize>,
    blind_round: Option<String>,
    chair: Option<String>,
) -> Result<()> {
    if quorum.is_some_and(|q| !(1..=crate::store::MAX_QUORUM).contains(&q)) {
        bail!(
            "--quorum must be from 1 (a lone reviewer's vote decides) to {}",
            crate::store::MAX_QUORUM
        );
    }
    let quorum = quorum.map(|q| q.to_string());
    let settings = [
        ("quorum", quorum),
        ("blind_round", blind_round),
        ("chair", chair),
    ];
    if settings.iter().all(|(_, value)| value.is_none()) {
        bail!("nothing to set; give --quorum N, --blind-round on|off or --chair NAME");
    }
    let mut opened = super::open(project)?;
    let address = ServerAddress::parse(&team::sync::linked(&opened)?.url)?;
    let mut server = team::ServerLog::open(&address)?;
    for (key, value) in &settings {
        if let Some(value) = value {
            server.set_setting(key, value)?;
        }
    }
    let report = team::sync_on(&mut opened, &mut server)?;
    print_report(&report)
}

fn create(url: &str, project: &std::path::Path, chair: &str) -> Result<()> {
    let address = ServerAddress::parse(url)?;
    let opened = super::read(project)?;
    let password = read_password(&format!("password for the chair {chair}: "))?;
    let created = team::create_panel(&address, &opened, chair, &password)?;
    super::out::line(format_args!(
        "created the panel in {} with datasets {}; chair: {}\nnext: `bagel team add {} NAME` for each reviewer, then each runs `bagel team join PROJECT URL`",
        address.public_url(),
        created.datasets.join(", "),
        created.chair,
        address.public_url()
    ))
}

fn add(url: &str, name: &str, chair: bool) -> Result<()> {
    let address = ServerAddress::parse(url)?;
    let password = read_password(&format!("password for {name}: "))?;
    team::add_member(&address, name, &password, chair)?;
    let role = if chair { "chair" } else { "reviewer" };
    super::out::line(format_args!(
        "{name} can log in to {} as a {role}",
        address.public_url()
    ))
}

fn join(project: &std::path::Path, url: &str) -> Result<()> {
    let address = ServerAddress::parse(url)?;
    let mut opened = super::open(project)?;
    let joined = team::join(&mut opened, &address)?;
    super::out::line(format_args!(
        "{} joined the panel at {} as {} (datasets {}); run `bagel sync {}` to send and fetch votes",
        project.display(),
        address.public_url(),
        joined.role,
        joined.datasets.join(", "),
        project.display()
    ))
}

pub fn sync(args: SyncArgs) -> Result<()> {
    let mut project = super::open(&args.project)?;
    let report = team::sync(&mut project)?;
    print_report(&report)
}

fn print_report(report: &team::SyncReport) -> Result<()> {
    super::out::line(format_args!(
        "sent {} events, fetched {}; {} decisions changed",
        report.sent,
        report.fetched,
        report.changed.len()
    ))?;
    for setting in &report.settings_changed {
        super::out::line(format_args!("  the panel's setting now: {setting}"))?;
    }
    for (dataset, file, wnid) in &report.changed {
        super::out::line(format_args!("  {dataset} {file} {wnid}"))?;
    }
    Ok(())
}

fn status(project: &std::path::Path) -> Result<()> {
    let opened = super::read(project)?;
    let status = team::status(&opened)?;
    let link = &status.link;
    super::out::line(format_args!(
        "server: {}\nyou are: {}\nnot yet on the server: {} events\nlast sync: {}",
        link.url,
        link.role,
        status.unsent,
        link.last_sync.as_deref().unwrap_or("never")
    ))
}

/// A password from a prompt at a terminal, else the first line of standard input.
fn read_password(prompt: &str) -> Result<String> {
    let password = if std::io::stdin().is_terminal() {
        rpassword::prompt_password(prompt).context("reading the password")?
    } else {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("reading the password from standard input")?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    };
    if password.is_empty() {
        bail!("no password given; type one at the prompt or pipe it on standard input");
    }
    Ok(password)
}
