//! One Chinese full-text search over every text the platform holds (S1).
//!
//! Texts are cut into words by [`crate::text`] in the application and kept in
//! a dialect-specific index (SQLite FTS5, PostgreSQL tsvector + GIN), so both
//! databases match the same words and return the same hits. A query's words
//! must all occur (a long word may also be found as all of its parts); hits
//! rank by where the words stand — every word in the title, some word in the
//! title, the text only — and newest first within each tier, the same order
//! on both databases ([`matching::Tier`]).
//!
//! Data scopes are part of the query: each kind of text follows the read
//! scope of its own module (reform tasks by lead or cooperating unit, drafts
//! by the drafting unit or their author …), so a text the person may not see
//! never reaches a result, a count or a snippet. The `Search` permission is the
//! gate to the page.

pub mod cli;
pub mod index;
pub mod matching;
pub mod query;
pub mod routes;
pub mod snippet;

use serde::Serialize;

use crate::authz::Module;

/// The kinds of text the index holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// 改革任务.
    ReformTask,
    /// 文稿.
    Draft,
    /// 调研成果.
    Output,
    /// 领导批示.
    Instruction,
    /// 基层问题线索.
    Submission,
}

impl Kind {
    /// Every kind, in the order the filter offers them.
    pub const ALL: &'static [Kind] =
        &[Kind::Output, Kind::Instruction, Kind::Draft, Kind::ReformTask, Kind::Submission];

    /// The kind's number in the low bits of an SQLite entry id
    /// ([`index::KIND_BITS`]); never 0, so an id of the older layout is not
    /// mistaken for one.
    pub fn no(self) -> i64 {
        match self {
            Kind::Output => 1,
            Kind::Instruction => 2,
            Kind::Draft => 3,
            Kind::ReformTask => 4,
            Kind::Submission => 5,
        }
    }

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Kind::ReformTask => "reform_task",
            Kind::Draft => "draft",
            Kind::Output => "output",
            Kind::Instruction => "instruction",
            Kind::Submission => "submission",
        }
    }

    /// Parses a stored code.
    pub fn parse(code: &str) -> Option<Kind> {
        Kind::ALL.iter().copied().find(|k| k.code() == code)
    }

    /// The Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            Kind::ReformTask => "改革任务",
            Kind::Draft => "文稿",
            Kind::Output => "调研成果",
            Kind::Instruction => "领导批示",
            Kind::Submission => "基层问题",
        }
    }

    /// The module whose read scope decides who sees it.
    pub fn module(self) -> Module {
        match self {
            Kind::ReformTask => Module::Reform,
            Kind::Draft => Module::Drafting,
            Kind::Output | Kind::Instruction => Module::Research,
            Kind::Submission => Module::Liaison,
        }
    }

    /// Where a hit opens.
    pub fn link(self, ref_id: i64) -> String {
        match self {
            Kind::ReformTask => format!("/reform/tasks/{ref_id}"),
            Kind::Draft => format!("/drafting/{ref_id}"),
            Kind::Output => format!("/research/outputs/{ref_id}"),
            Kind::Instruction => format!("/research/instructions/{ref_id}"),
            Kind::Submission => format!("/liaison/cases/{ref_id}"),
        }
    }

    /// Columns (id, unit, owner, year, title, body) of the records' own table
    /// aliased `s`, ending in a `where` the caller extends with `and …`.
    fn source_sql(self) -> &'static str {
        match self {
            Kind::ReformTask => {
                "s.id, s.lead_unit_id, s.created_by, s.year, s.title, \
                 s.code || ' ' || s.goals || ' ' || s.outputs || ' ' || s.latest_report \
                 from reform_tasks s where 1=1"
            }
            Kind::Draft => {
                "s.id, s.unit_id, s.created_by, s.year, s.title, \
                 s.requester || ' ' || coalesce((select v.body from drafting_versions v where v.task_id = s.id \
                 order by v.no desc limit 1), '') from drafting_tasks s where 1=1"
            }
            Kind::Output => {
                "s.id, s.unit_id, s.created_by, s.year, s.title, \
                 s.code || ' ' || s.authors || ' ' || s.series || ' ' || s.body from research_outputs s where 1=1"
            }
            Kind::Instruction => {
                "s.id, s.unit_id, s.created_by, s.year, s.leader || '批示', \
                 s.content || ' ' || s.follow_up || ' ' || s.result from research_instructions s where 1=1"
            }
            Kind::Submission => {
                "s.id, s.point_id, s.created_by, s.year, s.title, \
                 s.no || ' ' || s.content || ' ' || s.place || ' ' || s.reply from liaison_cases s where 1=1"
            }
        }
    }
}

/// The page.
pub fn pages() -> axum::Router<crate::app::AppState> {
    axum::Router::new().route("/search", axum::routing::get(routes::page))
}
