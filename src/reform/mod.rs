//! Deepening reform (深化改革, R1–R9): the task list and its seven-stage
//! lifecycle, progress reports and their review, four-colour supervision from
//! the shared `deadline` engine, 双过半, evaluations and the yearly assessment,
//! inspections with rectification, notices, typical cases, pilots, and the
//! Excel ledger in and out.
//!
//! Permissions on `Module::Reform`: Read to see a task (its lead or a
//! cooperating unit in scope), Write to report progress for one's own unit,
//! Approve to keep the list and review (the reform office), Export for the
//! ledger.

pub mod actions;
pub mod api;
pub mod assessment;
pub mod cases;
pub mod cli;
pub mod colour;
pub mod evaluation;
pub mod halfway;
pub mod inspections;
pub mod ledger;
pub mod listing;
pub mod model;
pub mod notices;
pub mod reminders;
pub mod reports;
pub mod routes;
pub mod stage;
pub mod store;

use axum::Router;
use axum::routing::{get, post};

use crate::app::AppState;
use routes::{
    assessment as a, cases as c, detail as d, halfway as h, inspections as i, ledger as l, reports as r,
    tasks as t,
};

/// The pages.
pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/reform", get(t::list))
        .route("/reform/tasks", post(t::create))
        .route("/reform/tasks/new", get(t::new))
        .route("/reform/tasks/{id}", get(d::detail).post(t::update))
        .route("/reform/tasks/{id}/edit", get(t::edit))
        .route("/reform/tasks/{id}/status", post(t::set_status))
        .route("/reform/tasks/{id}/advance", post(d::advance))
        .route("/reform/tasks/{id}/back", post(d::back))
        .route("/reform/tasks/{id}/milestones", post(d::add_milestone))
        .route("/reform/tasks/{id}/milestones/{mid}/done", post(d::milestone_done))
        .route("/reform/tasks/{id}/reports", post(d::submit_report))
        .route("/reform/reports", get(r::page))
        .route("/reform/reports/{rid}/resubmit", post(d::resubmit_report))
        .route("/reform/reports/{rid}/accept", post(d::accept_report))
        .route("/reform/reports/{rid}/return", post(d::return_report))
        .route("/reform/tasks/{id}/rating", post(a::rate))
        .route("/reform/export", get(l::export))
        .route("/reform/import", get(l::page).post(l::import))
        .route("/reform/halfway", get(h::page))
        .route("/reform/halfway/export", get(h::export))
        .route("/reform/inspections", get(i::list).post(i::create))
        .route("/reform/inspections/{id}", get(i::detail))
        .route("/reform/inspections/{id}/results", post(i::set_result))
        .route("/reform/inspections/{id}/findings", post(i::add_finding))
        .route("/reform/rectifications", get(i::items))
        .route("/reform/rectifications/{id}", get(i::item))
        .route("/reform/rectifications/{id}/close", post(i::close))
        .route("/reform/rectifications/{id}/reopen", post(i::reopen))
        .route("/reform/notices", get(i::notices_list).post(i::notices_create))
        .route("/reform/cases", get(c::list).post(c::create))
        .route("/reform/cases/{id}/submissions", post(c::submit))
        .route("/reform/submissions/{id}/outcome", post(c::outcome))
        .route("/reform/pilots", get(c::pilots).post(c::create_pilot))
        .route("/reform/pilots/{id}/evaluate", post(c::evaluate))
        .route("/reform/assessment", get(a::ranking))
        .route("/reform/assessment/export", get(a::export))
        .route("/reform/assessment/units/{id}", get(a::unit))
        .route("/reform/assessment/scheme", get(a::scheme).post(a::create_scheme))
        .route("/reform/assessment/indicators", post(a::add_indicator))
        .route("/reform/assessment/indicators/{id}", post(a::update_indicator))
        .route("/reform/assessment/indicators/{id}/delete", post(a::delete_indicator))
        .route("/reform/assessment/indicators/{id}/entries", get(a::entries).post(a::save_entries))
        .route("/reform/evaluations", get(a::evaluations))
        .route("/reform/evaluations/criteria", post(a::add_criterion))
        .route("/reform/evaluations/scores", post(a::set_score))
}
