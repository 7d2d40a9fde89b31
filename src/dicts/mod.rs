//! Dictionaries and settings (P7): every category list is data an
//! administrator edits (`/admin/dicts`), and site settings live in the
//! database (`/admin/settings`). Items are disabled, never deleted, because
//! records keep their codes.

pub mod actions;
pub mod api;
pub mod routes;
pub mod seed;
pub mod settings;
pub mod store;

use axum::Router;
use axum::routing::{get, post};

use crate::app::AppState;

/// The pages.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/dicts", get(routes::list))
        .route("/admin/dicts/{code}", get(routes::items))
        .route("/admin/dicts/{code}/items", post(routes::add_item))
        .route("/admin/dicts/{code}/items/{id}", post(routes::update_item))
        .route("/admin/settings", get(routes::site).post(routes::save_site))
        .route("/admin/settings/colours", get(routes::colours))
        .route("/admin/settings/colours/{feature}", axum::routing::post(routes::save_colours))
}
