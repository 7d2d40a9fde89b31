//! People (P2), kept apart from accounts: cadre level, reserve cadres, party
//! membership and branch, mentoring pairs (结对帮带), rotations, shadowing and
//! secondments (轮岗、跟班学习、挂职). Scoped by the person's unit.

pub mod actions;
pub mod api;
pub mod model;
pub mod routes;
pub mod store;

use axum::Router;
use axum::routing::{get, post};

use crate::app::AppState;

/// The pages.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/org/people", get(routes::list).post(routes::create))
        .route("/org/people/new", get(routes::new))
        .route("/org/people/export", get(routes::export))
        .route("/org/people/{id}", get(routes::detail).post(routes::update))
        .route("/org/people/{id}/edit", get(routes::edit))
        .route("/org/people/{id}/mentoring", post(routes::add_pair))
        .route("/org/people/{id}/mentoring/{pair}/end", post(routes::end_pair))
        .route("/org/people/{id}/postings", post(routes::add_posting))
}
