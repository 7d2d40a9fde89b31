//! The drafting desk (以文辅政, W1–W4): drafting tasks with a due time in hours
//! and named drafters, the chain 起草 → 审核 → 把关 → 定稿 → 印发 with returns
//! and comments, every version kept and any two compared, publication
//! records, and the desk's figures.
//!
//! Permissions on `Module::Drafting`: Read to see a task of a unit in scope
//! (a named drafter, reviewer or checker always sees their task), Write to open
//! tasks and add versions as a named drafter. Review and final check are done
//! by the accounts named on the task.

pub mod api;
pub mod chain;
pub mod desk;
pub mod diff;
pub mod figures;
pub mod routes;

use axum::Router;
use axum::routing::{get, post};

use crate::app::AppState;

/// The pages.
pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/drafting", get(routes::list).post(routes::create))
        .route("/drafting/figures", get(routes::figures))
        .route("/drafting/{id}", get(routes::detail))
        .route("/drafting/{id}/versions", post(routes::add_version))
        .route("/drafting/{id}/versions/{no}", get(routes::version))
        .route("/drafting/{id}/compare", get(routes::compare))
        .route("/drafting/{id}/step", post(routes::step))
        .route("/drafting/{id}/publications", post(routes::add_publication))
}
