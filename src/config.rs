//! Configuration: built-in defaults, then an optional `zhengyan.toml`, then
//! `ZHENGYAN_*` environment variables. Unknown keys are an error in both the
//! file and the environment, so a misspelt setting never silently does nothing.
//!
//! Policies an administrator changes at run time (password rules, lockout,
//! idle timeout) live in the database settings table, not here.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::{Deserialize, Deserializer};

/// A value that must never appear in a log or on screen.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself, for the one place that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(******)")
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Secret)
    }
}

/// Everything the server needs to start.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Folder for the SQLite database, attachments and backups.
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`; defaults to `zhengyan.db` in the data folder.
    pub database_url: Option<Secret>,
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Mark cookies `Secure`. Browsers accept secure cookies on http://localhost,
    /// so only plain-http intranet deployments on another host need `false`.
    pub cookie_secure: bool,
    /// Largest accepted upload, in MiB.
    pub max_upload_mb: u64,
    /// Connections per database pool.
    pub db_max_connections: u32,
    /// Hours east of UTC where the offices are; China is +8.
    pub utc_offset_hours: i8,
    /// Log filter, as in `RUST_LOG` (`info`, `zhengyan=debug` …).
    pub log: String,
    /// Take the client address from `X-Forwarded-For` (only behind a trusted proxy).
    pub trust_forwarded_for: bool,
    /// Name shown to authenticator apps for TOTP codes.
    pub totp_issuer: String,
    /// Run pending migrations when `serve` starts.
    pub auto_migrate: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("zhengyan-data"),
            database_url: None,
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            cookie_secure: true,
            max_upload_mb: 50,
            db_max_connections: 16,
            utc_offset_hours: 8,
            log: "info".into(),
            trust_forwarded_for: false,
            totp_issuer: "政研平台".into(),
            auto_migrate: true,
        }
    }
}

/// Environment variables read outside the config struct; they are not "unknown".
const RESERVED_ENV: &[&str] = &["ZHENGYAN_CONFIG"];

impl Config {
    /// Loads defaults, then `file` (or `./zhengyan.toml` when present), then the environment.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Self> {
        let env: Vec<(String, String)> =
            std::env::vars().filter(|(k, _)| k.starts_with("ZHENGYAN_")).collect();
        let file = file.map(Path::to_path_buf).or_else(|| {
            let default = PathBuf::from("zhengyan.toml");
            default.exists().then_some(default)
        });
        let text = match &file {
            Some(path) => {
                std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?
            }
            None => String::new(),
        };
        Self::from_sources(&text, &env)
    }

    /// Builds a config from file text and `ZHENGYAN_*` pairs (pure, for tests).
    pub fn from_sources(file_text: &str, env: &[(String, String)]) -> anyhow::Result<Self> {
        let mut table: toml::Table = toml::from_str(file_text).context("zhengyan.toml is not valid TOML")?;
        for (key, raw) in env {
            if RESERVED_ENV.contains(&key.as_str()) {
                continue;
            }
            let Some(name) = key.strip_prefix("ZHENGYAN_") else { continue };
            let name = name.to_ascii_lowercase();
            if name.is_empty() {
                bail!("environment variable {key} names no setting");
            }
            table.insert(name, env_value(raw));
        }
        let config: Config = table.try_into().context("configuration error")?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> anyhow::Result<()> {
        if !(-12..=14).contains(&self.utc_offset_hours) {
            bail!("utc_offset_hours must be between -12 and 14");
        }
        if self.max_upload_mb == 0 || self.db_max_connections == 0 {
            bail!("max_upload_mb and db_max_connections must be positive");
        }
        if let Some(url) = &self.database_url {
            let url = url.expose();
            if !(url.starts_with("sqlite:")
                || url.starts_with("postgres://")
                || url.starts_with("postgresql://"))
            {
                bail!("database_url must start with sqlite:// or postgres://");
            }
        }
        Ok(())
    }

    /// The database to use: the configured URL or SQLite in the data folder.
    pub fn database_url(&self) -> Secret {
        match &self.database_url {
            Some(url) => url.clone(),
            None => Secret::new(format!("sqlite://{}", self.data_dir.join("zhengyan.db").display())),
        }
    }

    /// The offices' UTC offset.
    pub fn utc_offset(&self) -> time::UtcOffset {
        time::UtcOffset::from_hms(self.utc_offset_hours, 0, 0).unwrap_or(time::UtcOffset::UTC)
    }
}

/// Parses an environment value as a TOML literal (numbers, booleans) and falls
/// back to a plain string, so `ZHENGYAN_LISTEN=0.0.0.0:80` needs no quotes.
fn env_value(raw: &str) -> toml::Value {
    toml::from_str::<toml::Table>(&format!("v = {raw}"))
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(raw.to_string()))
}

/// Shows a database URL with its password hidden, for start-up messages.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_string() };
    let Some((userinfo, host)) = rest.rsplit_once('@') else { return url.to_string() };
    let user = userinfo.split(':').next().unwrap_or_default();
    if userinfo.contains(':') {
        format!("{scheme}://{user}:******@{host}")
    } else {
        format!("{scheme}://{user}@{host}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn runs_with_no_file_and_no_environment() {
        let c = Config::from_sources("", &[]).unwrap();
        assert_eq!(c.listen.port(), 8080);
        assert!(c.database_url().expose().starts_with("sqlite://"));
    }

    #[test]
    fn the_environment_overrides_the_file() {
        let c = Config::from_sources(
            "listen = \"0.0.0.0:9000\"\ncookie_secure = true",
            &env(&[("ZHENGYAN_COOKIE_SECURE", "false"), ("ZHENGYAN_LISTEN", "127.0.0.1:7000")]),
        )
        .unwrap();
        assert!(!c.cookie_secure);
        assert_eq!(c.listen.port(), 7000);
    }

    #[test]
    fn unknown_keys_are_errors_in_the_file_and_in_the_environment() {
        assert!(Config::from_sources("lisen = \"x\"", &[]).is_err());
        assert!(Config::from_sources("", &env(&[("ZHENGYAN_LISEN", "x")])).is_err());
        assert!(Config::from_sources("", &env(&[("ZHENGYAN_CONFIG", "a.toml")])).is_ok());
    }

    #[test]
    fn secrets_never_print() {
        let c = Config::from_sources("database_url = \"postgres://u:hunter2@db/zy\"", &[]).unwrap();
        assert!(!format!("{c:?}").contains("hunter2"));
        assert_eq!(redact_url(c.database_url().expose()), "postgres://u:******@db/zy");
    }

    #[test]
    fn a_wrong_database_scheme_is_refused() {
        assert!(Config::from_sources("database_url = \"mysql://x\"", &[]).is_err());
    }
}
