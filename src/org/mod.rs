//! Organisation and people (P1, P2): the unit tree, people records, party
//! branches. URLs under `/org/…`; the API under `/api/v1/units` and `/api/v1/people`.

pub mod branches;
pub mod people;
pub mod units;

use axum::Router;
use utoipa_axum::router::OpenApiRouter;

use crate::app::AppState;

/// The pages.
pub fn routes() -> Router<AppState> {
    Router::new().merge(units::routes()).merge(people::routes()).merge(branches::routes())
}

/// The API.
pub mod api {
    use super::*;

    /// Units and people endpoints.
    pub fn api() -> OpenApiRouter<AppState> {
        OpenApiRouter::new().merge(units::api::api()).merge(people::api::api()).merge(branches::api::api())
    }
}
