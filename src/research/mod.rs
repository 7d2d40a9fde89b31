//! Research (调查研究, Y1–Y8): the year's focus areas and topics with their
//! milestones coloured by the shared deadline engine; outputs whose text is
//! read from docx or pdf and searchable; series and compilations exported as
//! one docx with a table of contents; 《决策参考》 issues numbered per year and
//! exported in official layout; leader instructions (批示) and the follow-up
//! they require, tracked with owner, deadline and colour; transformation of
//! outputs into policy; excellent-results selection rounds; research funds.
//!
//! Permissions on `Module::Research`: Read to see records of units in scope
//! (a topic also through its member units; an instruction's follow-up owner
//! always sees it), Write to add and change, Approve for spending decisions
//! and for closing a selection round, Export for the Word files.

pub mod api;
pub mod followup;
pub mod funds;
pub mod instructions;
pub mod journal;
pub mod outputs;
pub mod pages;
pub mod selection;
pub mod topics;

use axum::Router;
use axum::routing::{get, post};

use crate::app::{AppState, Caller};
use crate::db::{DbResult, Tx};
use crate::search::{self, Kind as DocKind};

/// The pages.
pub fn pages() -> Router<AppState> {
    use pages as p;
    Router::new()
        .route("/research", get(p::topics).post(p::create_topic))
        .route("/research/focus", post(p::add_focus))
        .route("/research/topics/{id}", get(p::topic))
        .route("/research/topics/{id}/milestones", post(p::milestone_done))
        .route("/research/topics/{id}/budgets", post(p::add_budget))
        .route("/research/spending", post(p::request_spending))
        .route("/research/spending/{id}/decide", post(p::decide_spending))
        .route("/research/outputs", get(p::outputs).post(p::create_output))
        .route("/research/outputs/{id}", get(p::output))
        .route("/research/outputs/{id}/transformations", post(p::add_transformation))
        .route("/research/compilations", get(p::compilations).post(p::create_compilation))
        .route("/research/compilations/{id}/docx", get(p::compilation_docx))
        .route("/research/journal", get(p::journal).post(p::create_issue))
        .route("/research/journal/{id}", get(p::issue))
        .route("/research/journal/{id}/articles", post(p::add_article))
        .route("/research/journal/{id}/publish", post(p::publish_issue))
        .route("/research/journal/{id}/docx", get(p::issue_docx))
        .route("/research/instructions", get(p::instructions).post(p::create_instruction))
        .route("/research/instructions/new", get(p::new_instruction))
        .route("/research/instructions/{id}", get(p::instruction))
        .route("/research/instructions/{id}/follow-up", post(p::follow_up))
        .route("/research/selection", get(p::rounds).post(p::create_round))
        .route("/research/selection/{id}", get(p::round))
        .route("/research/selection/{id}/entries", post(p::add_entry))
        .route("/research/selection/{id}/scores", post(p::score))
        .route("/research/selection/{id}/close", post(p::close_round))
}

/// Keeps the search index entries of `ids` current, inside the writer's transaction.
pub(crate) async fn index(c: &Caller<'_>, tx: &mut Tx, kind: DocKind, ids: &[i64]) -> DbResult<()> {
    let seg = crate::text::segmenter(&c.state.db).await?;
    search::index::refresh(tx, &seg, kind, ids, c.now).await
}

/// A code/label pair list's label for a code (the code itself when unknown).
pub fn label_of(list: &'static [(&'static str, &'static str)], code: &str) -> &'static str {
    list.iter().find(|(k, _)| *k == code).map_or("", |(_, l)| l)
}

/// Parses money typed in yuan (“12.5”, “1,200”, “3万”) into fen.
pub fn parse_yuan(raw: &str) -> Result<i64, crate::i18n::Msg> {
    let bad = || crate::i18n::Msg::new("金额格式不正确，应为元，如 12000 或 1.2万");
    let v = raw.trim().replace([',', '，', ' '], "");
    let (num, factor) = match v.strip_suffix('万') {
        Some(n) => (n.to_string(), 10_000.0),
        None => (v.trim_end_matches('元').to_string(), 1.0),
    };
    let yuan: f64 = num.parse().map_err(|_| bad())?;
    let fen = (yuan * factor * 100.0).round();
    if !(1.0..=1e12).contains(&fen) {
        return Err(bad());
    }
    Ok(fen as i64)
}

/// Fen as yuan with two decimals (“12,000.00”).
pub fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let fen = fen.abs();
    let whole = (fen / 100).to_string();
    let mut grouped = String::new();
    for (i, ch) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    format!("{sign}{grouped}.{:02}", fen % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_as_offices_type_it() {
        assert_eq!(parse_yuan("12000"), Ok(1_200_000));
        assert_eq!(parse_yuan("1.2万"), Ok(1_200_000));
        assert_eq!(parse_yuan("3,500.5元"), Ok(350_050));
        assert!(parse_yuan("0").is_err() && parse_yuan("abc").is_err() && parse_yuan("-5").is_err());
        assert_eq!(yuan(123_456_789), "1,234,567.89");
        assert_eq!(yuan(5), "0.05");
    }
}
