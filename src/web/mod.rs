//! HTTP plumbing shared by every feature: sessions and tokens, CSRF, security
//! headers, error rendering, the page/fragment responder, menus, list paging
//! and embedded assets.

pub mod assets;
pub mod csrf;
pub mod errors;
pub mod form;
pub mod headers;
pub mod list;
pub mod menu;
pub mod render;
pub mod session;
pub mod ui;

use axum::response::{IntoResponse, Redirect, Response};

use crate::error::AppError;

pub use ui::{AnyStage, PublicUi, Ui};

/// The fallback for unknown URLs.
pub async fn not_found() -> AppError {
    AppError::NotFound
}

/// A redirect after a successful form post (303, so the browser uses GET).
pub fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// The client's address as recorded in audit records and login history.
#[derive(Clone, Debug)]
pub struct ClientIp(pub String);
