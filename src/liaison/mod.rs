//! The grassroots closed loop (基层联系点, L1–L7): the contact-point registry
//! (`points`); submissions from a phone, the API or an import, each analysed
//! in process — keywords, a category learned from the office's own labelled
//! history (`classify`, `evaluate`), near-duplicates (`neardup`), risk words
//! (`words`) — (`analysis`, `cases`); dispatch with a clock that cannot be
//! gamed, handling, callback and rating (`flow` decides, `cases` writes); the
//! colours from the shared deadline engine; figures, hot topics and the
//! monthly report (`figures`, `report`).
//!
//! Permissions on `Module::Liaison`: Read sees cases whose contact point or
//! handling unit is in scope; Write submits (a contact point) and handles (a
//! unit); Approve is the research office's: dispatch, transfer, arbitration,
//! merge, the registry, the lexicon and retraining; Export the ledgers.

pub mod analysis;
pub mod api;
pub mod bands;
pub mod cases;
pub mod chart;
pub mod classify;
pub mod evaluate;
pub mod figures;
pub mod flow;
pub mod import;
pub mod intake;
pub mod ledger;
pub mod lexicon;
pub mod neardup;
pub mod office_pages;
pub mod pages;
pub mod points;
pub mod report;
pub mod settings;
pub mod signatures;
pub mod steps;
pub mod submit;
pub mod words;
pub mod write;

use axum::Router;
use axum::routing::{get, post};

use crate::app::AppState;

/// The pages.
pub fn routes() -> Router<AppState> {
    use {office_pages as o, pages as p};
    Router::new()
        .route("/liaison", get(p::list))
        .route("/liaison/new", get(p::new).post(p::submit))
        .route("/liaison/cases/{id}", get(p::case))
        .route("/liaison/cases/{id}/step", post(p::step))
        .route("/liaison/cases/{id}/files/{file}", get(p::file))
        .route("/liaison/export", get(p::export))
        .route("/liaison/import", get(o::history_form).post(o::history_import))
        .route("/liaison/points", get(o::points_list))
        .route("/liaison/points/import", post(o::points_import))
        .route("/liaison/points/export", get(o::points_export))
        .route("/liaison/points/{id}", get(o::point_form).post(o::point_save))
        .route("/liaison/figures", get(o::figures_page))
        .route("/liaison/report", get(o::report))
        .route("/liaison/lexicon", get(o::lexicon).post(o::add_word))
        .route("/liaison/lexicon/{id}/delete", post(o::delete_word))
        .route("/liaison/train", post(o::train))
}
