//! Where the team server is and how to reach it, by libpq's conventions: a `postgres://` URL,
//! `sslmode` and `sslrootcert` in its query, the password from the URL, `PGPASSWORD` or the
//! password file (`PGPASSFILE`, else `~/.pgpass`). Nothing secret leaves this module: the URL
//! kept in a project and every message name the server without its password.

use super::tls;
use crate::error::{Error, Result};
use postgres::config::{Host, SslMode};
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

/// How long a connection attempt waits before the server counts as unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// A team server's address, parsed and checked, with its password looked up.
#[derive(Clone)]
pub struct ServerAddress {
    /// The URL without its password: what a project keeps and messages show.
    public_url: String,
    config: postgres::Config,
    root_cert: Option<PathBuf>,
}

impl std::fmt::Debug for ServerAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.public_url)
    }
}

impl ServerAddress {
    /// Parses a `postgres://` URL. The password, when the URL has none, comes from
    /// `PGPASSWORD` or the password file, as libpq's does.
    pub fn parse(url: &str) -> Result<Self> {
        let url = url.trim();
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            return Err(Error::Usage(format!(
                "{:?} is not a team server URL; give one like postgres://NAME@HOST:5432/DATABASE",
                without_password(url)
            )));
        }
        let (url_for_driver, root_cert) = libpq_only_options(url);
        let public_url = without_password(url);
        let mut config = postgres::Config::from_str(&url_for_driver).map_err(|e| {
            Error::Usage(format!(
                "{public_url:?} is not a URL bagel can use ({e}); give one like postgres://NAME@HOST:5432/DATABASE"
            ))
        })?;
        fill_defaults(&mut config);
        if config.get_password().is_none()
            && let Some(password) = look_up_password(&config)
        {
            config.password(password);
        }
        Ok(ServerAddress {
            public_url,
            config,
            root_cert,
        })
    }

    /// The URL as a project keeps it: never with a password.
    pub fn public_url(&self) -> &str {
        &self.public_url
    }

    /// The role the client logs in as (the server's word for it is `current_user`).
    pub fn user(&self) -> &str {
        self.config.get_user().unwrap_or_default()
    }

    /// The database that holds the panel.
    pub fn database(&self) -> &str {
        (self.config.get_dbname()).unwrap_or_else(|| self.user())
    }

    /// A connection, TLS as `sslmode` asks; an error says what to check.
    pub fn connect(&self) -> Result<postgres::Client> {
        let result = if self.config.get_ssl_mode() == SslMode::Disable {
            self.config.connect(postgres::NoTls)
        } else {
            let connector = tls::connector(self.root_cert.as_deref())?;
            self.config.connect(connector)
        };
        result.map_err(|e| self.refusal(&e))
    }

    /// What a failure to connect or a refused statement means, in the user's words.
    pub fn refusal(&self, error: &postgres::Error) -> Error {
        Error::Server {
            server: self.public_url.clone(),
            problem: super::explain(error, self.user()),
        }
    }
}

/// The driver does not read `sslrootcert` and knows `sslmode` only up to `require`: those are
/// taken out here. TLS is always verified, so libpq's `verify-ca` and `verify-full` become
/// `require`.
fn libpq_only_options(url: &str) -> (String, Option<PathBuf>) {
    let Some((base, query)) = url.split_once('?') else {
        return (url.to_owned(), default_root_cert());
    };
    let mut root_cert = None;
    let mut kept = Vec::new();
    for option in query.split('&').filter(|o| !o.is_empty()) {
        match option.split_once('=') {
            Some(("sslrootcert", path)) => root_cert = Some(PathBuf::from(percent_decoded(path))),
            Some(("sslmode", "verify-ca" | "verify-full")) => kept.push("sslmode=require"),
            _ => kept.push(option),
        }
    }
    let url = if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    (url, root_cert.or_else(default_root_cert))
}

/// libpq's default trusted certificate: `~/.postgresql/root.crt`, when there is one.
fn default_root_cert() -> Option<PathBuf> {
    let path = home()?.join(".postgresql").join("root.crt");
    path.exists().then_some(path)
}

fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The URL with any password taken out, of the user part and of the query.
pub fn without_password(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let authority = match authority.rsplit_once('@') {
        Some((user_info, host)) => {
            let user = user_info.split(':').next().unwrap_or_default();
            format!("{user}@{host}")
        }
        None => authority.to_owned(),
    };
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let kept: Vec<&str> = (query.split('&'))
                .filter(|o| !o.starts_with("password="))
                .collect();
            if kept.is_empty() {
                path.to_owned()
            } else {
                format!("{path}?{}", kept.join("&"))
            }
        }
        None => tail.to_owned(),
    };
    if scheme.is_empty() {
        format!("{authority}{tail}")
    } else {
        format!("{scheme}://{authority}{tail}")
    }
}

/// libpq's defaults the driver leaves empty: the user from `PGUSER` or the login name, the
/// local socket folder as host, and a time limit on connecting.
fn fill_defaults(config: &mut postgres::Config) {
    if config.get_user().is_none() {
        let user = (std::env::var("PGUSER").or_else(|_| std::env::var("USER"))).unwrap_or_default();
        config.user(&user);
    }
    if config.get_hosts().is_empty() {
        config.host("/var/run/postgresql");
    }
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(CONNECT_TIMEOUT);
    }
}

fn home() -> Option<PathBuf> {
    std::env::var_os("HOME").map(PathBuf::from)
}

/// The password libpq would use: `PGPASSWORD`, else the first matching line of the password
/// file (`PGPASSFILE` or `~/.pgpass`; `*` matches anything; ignored when others may read it).
fn look_up_password(config: &postgres::Config) -> Option<String> {
    if let Ok(password) = std::env::var("PGPASSWORD") {
        return Some(password);
    }
    let file = (std::env::var_os("PGPASSFILE").map(PathBuf::from))
        .or_else(|| Some(home()?.join(".pgpass")))?;
    if readable_by_others(&file) {
        return None;
    }
    let text = std::fs::read_to_string(&file).ok()?;
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(name)) => name.clone(),
        _ => "localhost".to_owned(),
    };
    let port = config
        .get_ports()
        .first()
        .copied()
        .unwrap_or(5432)
        .to_string();
    let user = config.get_user().unwrap_or_default();
    let database = config.get_dbname().unwrap_or(user);
    let wanted = [host.as_str(), port.as_str(), database, user];
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .map(pgpass_fields)
        .find(|fields| {
            fields.len() == 5
                && (fields.iter().zip(wanted)).all(|(field, value)| field == "*" || field == value)
        })
        .map(|mut fields| fields.remove(4))
}

/// The fields of a password file line: `:` separates, `\` escapes the next character.
fn pgpass_fields(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => fields.last_mut().unwrap().extend(chars.next()),
            ':' if fields.len() < 5 => fields.push(String::new()),
            c => fields.last_mut().unwrap().push(c),
        }
    }
    fields
}

#[cfg(unix)]
fn readable_by_others(file: &std::path::Path) -> bool {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(file).is_ok_and(|m| m.permissions().mode() & 0o077 != 0)
}

#[cfg(not(unix))]
fn readable_by_others(_file: &std::path::Path) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kept_url_never_holds_a_password() {
        assert_eq!(
            without_password("postgres://ana:s3cret@db.lab:5433/panel?sslmode=require"),
            "postgres://ana@db.lab:5433/panel?sslmode=require"
        );
        assert_eq!(
            without_password("postgres://db.lab/panel?password=s3cret&sslmode=disable"),
            "postgres://db.lab/panel?sslmode=disable"
        );
        let address = ServerAddress::parse("postgres://ana:s3cret@db.lab/panel").unwrap();
        assert_eq!(address.public_url(), "postgres://ana@db.lab/panel");
        assert!(!format!("{address:?}").contains("s3cret"));
    }

    #[test]
    fn libpq_options_the_driver_lacks_are_taken_out() {
        let (url, root) =
            libpq_only_options("postgres://h/db?sslmode=verify-full&sslrootcert=%2Ftmp%2Fca.pem");
        assert_eq!(url, "postgres://h/db?sslmode=require");
        assert_eq!(root, Some(PathBuf::from("/tmp/ca.pem")));
    }

    #[test]
    fn password_file_lines_match_with_wildcards_and_escapes() {
        assert_eq!(
            pgpass_fields(r"db.lab:*:panel:ana:pa\:ss"),
            ["db.lab", "*", "panel", "ana", "pa:ss"]
        );
    }

    #[test]
    fn a_non_postgres_url_is_refused_with_an_example() {
        let error = ServerAddress::parse("mysql://x:pw@h/db")
            .unwrap_err()
            .to_string();
        assert!(error.contains("postgres://NAME@HOST"), "{error}");
        assert!(!error.contains("pw"), "{error}");
    }
}
