//! A throwaway PostgreSQL cluster for the team server's tests and figures: initdb into a
//! temporary folder, a free localhost port, password (SCRAM) logins, stopped and removed when
//! dropped. PostgreSQL refuses to run as root, so as root it runs as the `postgres` user.
//! Outside CI, when no server can be started, `start` says SKIPPED and returns None; in CI
//! (CI=true) it fails the test instead.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const OWNER: &str = "panel_owner";
pub const OWNER_PASSWORD: &str = "owner-pw";
pub const DATABASE: &str = "panel";

pub struct Cluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    pub port: u16,
    running: bool,
}

/// Where Debian (or PATH) keeps the server's programs.
fn server_bin() -> Option<PathBuf> {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| Some(e.ok()?.path().join("bin")))
        .filter(|bin| bin.join("initdb").exists())
        .collect();
    versions.sort();
    versions.pop()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

impl Cluster {
    /// A running cluster with the database [`DATABASE`] owned by [`OWNER`], or None (outside
    /// CI) when none can be started here.
    pub fn start(test: &str) -> Option<Cluster> {
        match Self::try_start() {
            Ok(cluster) => Some(cluster),
            Err(why) if std::env::var("CI").as_deref() == Ok("true") => {
                panic!("{test}: no PostgreSQL server could be started in CI: {why}")
            }
            Err(why) => {
                // Written to the terminal itself: the harness swallows a passing test's
                // eprintln!, and a skip must be seen.
                use std::io::Write;
                let _ = writeln!(
                    std::io::stderr(),
                    "SKIPPED {test}: no PostgreSQL server could be started here: {why}"
                );
                None
            }
        }
    }

    fn try_start() -> Result<Cluster, String> {
        let bin = server_bin()
            .ok_or("no initdb under /usr/lib/postgresql (apt-get install postgresql)")?;
        let dir = tempfile::Builder::new()
            .prefix("bagel-pg-")
            .tempdir()
            .map_err(|e| e.to_string())?;
        let cluster = Cluster {
            dir,
            bin,
            port: free_port(),
            running: false,
        };
        cluster.prepare_folder()?;
        let pwfile = cluster.dir.path().join("pwfile");
        std::fs::write(&pwfile, OWNER_PASSWORD).map_err(|e| e.to_string())?;
        cluster.give_to_server_user(&pwfile)?;
        cluster.run_ok(
            "initdb",
            &[
                "-D",
                cluster.data().to_str().unwrap(),
                "-U",
                OWNER,
                "--auth=scram-sha-256",
                "--pwfile",
                pwfile.to_str().unwrap(),
                "-E",
                "UTF8",
                "--no-sync",
            ],
        )?;
        let mut cluster = cluster;
        cluster.start_server()?;
        cluster
            .owner_client("postgres")
            .batch_execute(&format!("CREATE DATABASE {DATABASE}"))
            .map_err(|e| e.to_string())?;
        Ok(cluster)
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    pub fn folder(&self) -> &Path {
        self.dir.path()
    }

    /// The temporary folder belongs to the server's user when we are root.
    fn prepare_folder(&self) -> Result<(), String> {
        self.give_to_server_user(self.dir.path())
    }

    pub fn give_to_server_user(&self, path: &Path) -> Result<(), String> {
        if !is_root() {
            return Ok(());
        }
        let status = Command::new("chown")
            .args(["postgres:postgres", path.to_str().unwrap()])
            .status()
            .map_err(|e| e.to_string())?;
        status
            .success()
            .then_some(())
            .ok_or("chown to postgres failed".into())
    }

    fn server_command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        if is_root() {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(path);
            command
        } else {
            Command::new(path)
        }
    }

    fn run_ok(&self, program: &str, args: &[&str]) -> Result<(), String> {
        let output = (self.server_command(program).args(args).output())
            .map_err(|e| format!("{program}: {e}"))?;
        if output.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{program} failed: {}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            ))
        }
    }

    /// Extra server settings (e.g. TLS) appended to postgresql.conf; take effect at restart.
    pub fn configure(&self, lines: &str) {
        use std::io::Write as _;
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(self.data().join("postgresql.conf"))
            .unwrap();
        writeln!(file, "{lines}").unwrap();
    }

    pub fn start_server(&mut self) -> Result<(), String> {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("server.log");
        self.run_ok(
            "pg_ctl",
            &[
                "-D",
                self.data().to_str().unwrap(),
                "-l",
                log.to_str().unwrap(),
                "-o",
                &options,
                "-w",
                "start",
            ],
        )?;
        self.running = true;
        Ok(())
    }

    /// Stops the server: "fast" ends sessions cleanly, "immediate" is a crash.
    pub fn stop_server(&mut self, mode: &str) {
        if self.running {
            let data = self.data();
            let _ = self.run_ok(
                "pg_ctl",
                &["-D", data.to_str().unwrap(), "-m", mode, "-w", "stop"],
            );
            self.running = false;
        }
    }

    pub fn url(&self, user: &str, password: &str) -> String {
        format!(
            "postgres://{user}:{password}@127.0.0.1:{}/{DATABASE}?sslmode=disable",
            self.port
        )
    }

    pub fn url_without_password(&self, user: &str) -> String {
        format!(
            "postgres://{user}@127.0.0.1:{}/{DATABASE}?sslmode=disable",
            self.port
        )
    }

    pub fn owner_url(&self) -> String {
        self.url(OWNER, OWNER_PASSWORD)
    }

    pub fn owner_client(&self, database: &str) -> postgres::Client {
        postgres::Config::new()
            .host("127.0.0.1")
            .port(self.port)
            .user(OWNER)
            .password(OWNER_PASSWORD)
            .dbname(database)
            .connect(postgres::NoTls)
            .unwrap()
    }

    /// psql as `user`, as a reviewer would type it: its output, and its errors.
    pub fn psql(&self, user: &str, password: &str, sql: &str) -> Output {
        let beside = self.bin.join("psql");
        let psql = if beside.exists() {
            beside
        } else {
            PathBuf::from("psql")
        };
        Command::new(psql)
            .env("PGPASSWORD", password)
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string(), "-U", user])
            .args([
                "-d",
                DATABASE,
                "-X",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                sql,
            ])
            .output()
            .unwrap()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.stop_server("immediate");
    }
}

/// `bagel ARGS` with `stdin` typed in (a password) and `password` as PGPASSWORD when given:
/// (success, stdout, stderr).
pub fn bagel_typing(args: &[&str], stdin: &str, password: Option<&str>) -> (bool, String, String) {
    use std::io::Write as _;
    use std::process::Stdio;
    let mut command = Command::new(env!("CARGO_BIN_EXE_bagel"));
    command
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(password) = password {
        command.env("PGPASSWORD", password);
    }
    let mut child = command.spawn().unwrap();
    (child.stdin.take().unwrap())
        .write_all(stdin.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// `reviewer`'s independent wrong vote on `pair` of dataset val, cast as their desk casts it.
pub fn cast_wrong(project: &mut bagel::store::Project, reviewer: &str, pair: (u32, u16)) {
    use bagel::verdict::{Round, Verdict, Vote, VoteEvent, now};
    let dataset = project.dataset("val").unwrap();
    let files = project.images(dataset.id).unwrap().files;
    let event = VoteEvent {
        reviewer: reviewer.into(),
        round: Round::Independent,
        cast_at: now(),
        image: pair.0,
        label: pair.1,
        vote: Some(Vote::new(pair.0, pair.1, Verdict::Wrong)),
    };
    (bagel::panel::voting::Ballot {
        dataset: &dataset,
        files: &files,
    })
    .cast(project, event)
    .unwrap();
}
