//! Audit endpoints (auditor only).

use axum::Json;
use axum::extract::Query;
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::list::{self, AuditFilter};
use super::model::Record;
use super::store;
use crate::api::ApiUser;
use crate::app::AppState;
use crate::authz::{Action, Module};
use crate::error::AppResult;

/// A page of audit records and the cursor for the next one.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AuditPage {
    /// Newest first.
    pub items: Vec<Record>,
    /// Pass as `before` for the next page.
    pub next_before: Option<i64>,
}

/// Audit records, newest first (keyset paging with `before`). A filter on actor,
/// object or summary without dates searches the last 90 days.
#[utoipa::path(get, path = "/audit", tag = "audit", params(AuditFilter), responses((status = 200, body = AuditPage), (status = 403)))]
pub async fn list(api: ApiUser, Query(f): Query<AuditFilter>) -> AppResult<Json<AuditPage>> {
    api.who.require(Module::Audit, Action::Read)?;
    let f = f.bounded(api.state.clock.today());
    let records = list::page(&api.state.db, &f, api.state.clock.offset(), 100).await?;
    let next_before = (records.len() == 100).then(|| records.last().map(|r| r.seq)).flatten();
    Ok(Json(AuditPage { items: records, next_before }))
}

/// The result of walking the hash chain.
#[derive(Serialize, utoipa::ToSchema)]
pub struct VerifyResult {
    /// Records checked.
    pub checked: u64,
    /// Records the head says exist.
    pub head_seq: i64,
    /// True when intact.
    pub ok: bool,
    /// First broken record's sequence number.
    pub broken_seq: Option<i64>,
    /// What is wrong, in Chinese.
    pub message: String,
}

/// Verifies the whole SM3 chain.
#[utoipa::path(get, path = "/audit/verify", tag = "audit", responses((status = 200, body = VerifyResult), (status = 403)))]
pub async fn verify(api: ApiUser) -> AppResult<Json<VerifyResult>> {
    api.who.require(Module::Audit, Action::Read)?;
    let v = store::verify(&api.state.db, |_| {}).await?;
    Ok(Json(VerifyResult {
        checked: v.checked,
        head_seq: v.head_seq,
        ok: v.broken.is_none(),
        broken_seq: v.broken.as_ref().map(|b| b.seq()),
        message: v.broken.as_ref().map_or_else(|| "哈希链完整".to_string(), |b| b.describe()),
    }))
}

/// The routes.
pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list)).routes(routes!(verify))
}
