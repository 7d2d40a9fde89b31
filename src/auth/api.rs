//! Security endpoints (security administrator): the policy and the login history.

use axum::Json;
use axum::extract::Query;
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::admin::{self, LoginFilter, PolicyForm};
use super::model::SecurityPolicy;
use crate::api::{ApiUser, Page};
use crate::app::AppState;
use crate::authz::{Action, Module};
use crate::clock::Ts;
use crate::error::AppResult;

/// The security policy.
#[utoipa::path(get, path = "/security/policy", tag = "accounts", responses((status = 200, body = SecurityPolicy), (status = 403)))]
pub async fn policy(api: ApiUser) -> AppResult<Json<SecurityPolicy>> {
    api.who.require(Module::Security, Action::Read)?;
    Ok(Json(api.state.policy().await?))
}

/// Changes the security policy (fields as strings, checked against the 等保 floors).
#[utoipa::path(put, path = "/security/policy", tag = "accounts", request_body = PolicyForm, responses((status = 200, body = SecurityPolicy), (status = 403), (status = 422)))]
pub async fn save_policy(api: ApiUser, Json(form): Json<PolicyForm>) -> AppResult<Json<SecurityPolicy>> {
    Ok(Json(admin::save(&api.caller(), &form).await?))
}

/// One sign-in attempt.
#[derive(Serialize, utoipa::ToSchema)]
pub struct LoginEntry {
    /// When.
    pub at: Ts,
    /// Account, when known.
    pub account_id: Option<i64>,
    /// Name used.
    pub username: String,
    /// From where.
    pub ip: String,
    /// `success`, `bad_password`, `unknown_user`, `locked`, `disabled`, `bad_totp`, `throttled`, `logout`.
    pub outcome: String,
}

/// The login history, newest first.
#[utoipa::path(get, path = "/security/logins", tag = "accounts", params(LoginFilter), responses((status = 200, body = Page<LoginEntry>), (status = 403)))]
pub async fn logins(api: ApiUser, Query(f): Query<LoginFilter>) -> AppResult<Json<Page<LoginEntry>>> {
    let (rows, total) = admin::list_logins(&api.caller(), &f).await?;
    let w = f.paging.window();
    let items = rows
        .into_iter()
        .map(|r| LoginEntry {
            at: r.at,
            account_id: r.account_id,
            username: r.username,
            ip: r.ip,
            outcome: r.outcome,
        })
        .collect();
    Ok(Json(Page { items, total, page: w.page, per: w.per }))
}

/// The routes.
pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(policy, save_policy)).routes(routes!(logins))
}
