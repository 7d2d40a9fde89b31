//! The organisation tree (P1): units of any depth — committee, offices and
//! sections, counties and departments, towns and streets, contact points.
//! Add, edit, move (with the whole subtree), disable, merge; export as xlsx.
//! Invariants: `path` is the chain of ids from the root (`/1/5/23/`); a unit is
//! never moved under itself; a merged unit stays for history and points at its
//! successor; every unit reference moves with a merge (`store::UNIT_REFERENCES`).

pub mod actions;
pub mod api;
pub mod directory;
pub mod export;
pub mod model;
pub mod routes;
pub mod store;

use axum::Router;
use axum::routing::{get, post};

use crate::app::AppState;

/// The pages.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/org/units", get(routes::list).post(routes::create))
        .route("/org/units/new", get(routes::new))
        .route("/org/units/export", get(routes::export))
        .route("/org/units/{id}", get(routes::detail).post(routes::update))
        .route("/org/units/{id}/edit", get(routes::edit))
        .route("/org/units/{id}/children", get(routes::children))
        .route("/org/units/{id}/move", post(routes::move_to))
        .route("/org/units/{id}/merge", post(routes::merge))
        .route("/org/units/{id}/disable", post(routes::disable))
        .route("/org/units/{id}/enable", post(routes::enable))
}
