//! Accounts (P3), apart from people: the system administrator keeps ordinary
//! accounts (`/admin/accounts`), the security administrator grants roles and
//! chosen units and keeps the administrator accounts (`/admin/grants`,
//! `/admin/roles`), each person keeps their API tokens (`/account/tokens`).

pub mod actions;
pub mod api;
pub mod model;
pub mod roles;
pub mod routes;
pub mod store;
pub mod tokens;

use axum::Router;
use axum::routing::{get, post};

use crate::app::AppState;
use routes::{accounts as a, grants as g, roles as r, tokens as t};

/// The pages.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/accounts", get(a::list).post(a::create))
        .route("/admin/accounts/new", get(a::new))
        .route("/admin/accounts/export", get(a::export))
        .route("/admin/accounts/{id}", get(a::detail).post(a::update))
        .route("/admin/accounts/{id}/edit", get(a::edit))
        .route("/admin/accounts/{id}/disable", post(a::disable))
        .route("/admin/accounts/{id}/enable", post(a::enable))
        .route("/admin/accounts/{id}/reset-password", post(a::reset_password))
        .route("/admin/grants", get(g::list))
        .route("/admin/grants/{id}", get(g::detail).post(g::save))
        .route("/admin/grants/{id}/unlock", post(g::unlock))
        .route("/admin/grants/{id}/reset-totp", post(g::reset_totp))
        .route("/admin/roles", get(r::list).post(r::create))
        .route("/admin/roles/new", get(r::new))
        .route("/admin/roles/{id}", get(r::detail).post(r::update))
        .route("/admin/roles/{id}/delete", post(r::delete))
        .route("/account/tokens", get(t::list).post(t::create))
        .route("/account/tokens/{id}/revoke", post(t::revoke))
}
