//! Settings held in the database as JSON documents, one per key, so several
//! app nodes share them and every change lands in the audit trail.

use serde::{Deserialize, Serialize};

use crate::auth::model::SecurityPolicy;
use crate::clock::Ts;
use crate::db::{Db, DbResult, Query, Tx};

/// Key of the security policy.
pub const SECURITY: &str = "security";
/// Key of the site settings.
pub const SITE: &str = "site";

/// What the site calls itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct SiteSettings {
    /// The organisation, as printed on pages and exports.
    pub org_name: String,
    /// The system's name.
    pub system_name: String,
    /// Largest attachment, in MiB (never above the configured upload limit).
    pub attachment_max_mb: u32,
}

impl Default for SiteSettings {
    fn default() -> Self {
        Self {
            org_name: "市委政策研究室".into(), system_name: "政研工作平台".into(), attachment_max_mb: 20
        }
    }
}

async fn read<T: for<'de> Deserialize<'de> + Default>(db: &Db, key: &str) -> DbResult<T> {
    let raw: Option<(String,)> =
        db.opt(Query::new("select value from settings where key = $1").bind(key)).await?;
    Ok(raw.and_then(|(v,)| serde_json::from_str(&v).ok()).unwrap_or_default())
}

/// Reads the security policy (defaults when unset).
pub async fn security_policy(db: &Db) -> DbResult<SecurityPolicy> {
    read(db, SECURITY).await
}

/// Reads the site settings (defaults when unset).
pub async fn site(db: &Db) -> DbResult<SiteSettings> {
    read(db, SITE).await
}

/// Stores a settings document.
pub async fn write<T: Serialize>(
    tx: &mut Tx,
    key: &str,
    value: &T,
    now: Ts,
    by: Option<i64>,
) -> DbResult<()> {
    let json = serde_json::to_string(value).map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
    tx.exec(
        Query::new(
            "insert into settings (key, value, updated_at, updated_by) values ($1, $2, $3, $4) \
             on conflict (key) do update set value = $2, updated_at = $3, updated_by = $4",
        )
        .bind(key)
        .bind(json)
        .bind(now)
        .bind(by),
    )
    .await?;
    Ok(())
}
