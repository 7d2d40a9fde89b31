//! What a query matches, in each database's syntax: every word (a word the
//! segmenter only guessed also as all its parts), any word, and the ranking's
//! tiers — where the words stand.

use crate::db::{Dialect, Sql};
use crate::text::QueryWord;

/// The FTS5 match expression: every word, each also as all its parts.
pub fn fts5_expression(words: &[QueryWord]) -> String {
    expression(words, " AND ", " OR ", |w| format!("\"{w}\""))
}

/// The `to_tsquery('simple', …)` text of the same expression.
pub fn tsquery_expression(words: &[QueryWord]) -> String {
    expression(words, " & ", " | ", |w| format!("'{w}'"))
}

fn expression(words: &[QueryWord], and: &str, or: &str, quote: impl Fn(&str) -> String) -> String {
    groups(words, and, or, quote).join(and)
}

/// Each word as a group: the word, or the word or all of its parts.
fn groups(words: &[QueryWord], and: &str, or: &str, quote: impl Fn(&str) -> String) -> Vec<String> {
    words
        .iter()
        .map(|w| {
            if w.parts.is_empty() {
                quote(&w.word)
            } else {
                let parts: Vec<String> = w.parts.iter().map(|p| quote(p)).collect();
                format!("({}{or}({}))", quote(&w.word), parts.join(and))
            }
        })
        .collect()
}

/// Where a hit's words stand, best first. Hits rank by tier and, within a
/// tier, newest first: no query has to score every match (scoring is what
/// made common words slow: FTS5's bm25 reads the whole list of a word as
/// common as 群众, in 800,000 texts, on every query), and both databases
/// give the same order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tier {
    /// Every word in the title.
    TitleAll,
    /// Some word in the title, the rest in the text.
    TitleSome,
    /// Every word in the text, none in the title.
    Body,
}

impl Tier {
    /// The tiers in rank order.
    pub const ALL: [Tier; 3] = [Tier::TitleAll, Tier::TitleSome, Tier::Body];
}

const _: () = assert!(
    matches!(Tier::ALL, [Tier::TitleAll, Tier::TitleSome, Tier::Body]),
    "Exprs::push_postgres_tier numbers the tiers in this order"
);

/// A query's match expressions in one database's syntax.
pub(super) struct Exprs {
    /// Every word (each also as its parts).
    all: String,
    /// Any one of the words.
    any: String,
}

impl Exprs {
    pub(super) fn new(dialect: Dialect, words: &[QueryWord]) -> Exprs {
        match dialect {
            Dialect::Sqlite => Exprs {
                all: fts5_expression(words),
                any: groups(words, " AND ", " OR ", |w| format!("\"{w}\"")).join(" OR "),
            },
            Dialect::Postgres => Exprs {
                all: tsquery_expression(words),
                any: groups(words, " & ", " | ", |w| format!("'{w}'")).join(" | "),
            },
        }
    }

    /// The FTS5 expression of every match or of one tier.
    pub(super) fn fts5(&self, tier: Option<Tier>) -> String {
        let (all, any) = (&self.all, &self.any);
        match tier {
            None => all.clone(),
            Some(Tier::TitleAll) => format!("{{title}} : ({all})"),
            Some(Tier::TitleSome) => format!("(({{title}} : ({any})) AND ({all})) NOT ({{title}} : ({all}))"),
            Some(Tier::Body) => format!("({all}) NOT ({{title}} : ({any}))"),
        }
    }

    /// PostgreSQL: a match's tier as a number, 0 for the first of [`Tier::ALL`].
    pub(super) fn push_postgres_tier(&self, sql: &mut Sql) {
        sql.push("cast(case when d.tsv_title @@ to_tsquery('simple', ").bind(self.all.clone());
        sql.push(") then 0 when d.tsv_title @@ to_tsquery('simple', ").bind(self.any.clone());
        sql.push(") then 1 else 2 end as bigint)");
    }

    /// The PostgreSQL condition of every match (the tiers are told apart on
    /// each row, [`Self::push_postgres_tier`]).
    pub(super) fn push_postgres(&self, sql: &mut Sql) {
        sql.push(" d.tsv @@ to_tsquery('simple', ").bind(self.all.clone()).push(")");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn qw(word: &str, parts: &[&str]) -> QueryWord {
        QueryWord { word: word.into(), parts: parts.iter().map(|p| p.to_string()).collect() }
    }

    #[test]
    fn expressions_require_every_word_and_accept_a_word_as_its_parts() {
        let words = [qw("营商环境", &["营商", "环境"]), qw("优化", &[])];
        assert_eq!(fts5_expression(&words), "(\"营商环境\" OR (\"营商\" AND \"环境\")) AND \"优化\"");
        assert_eq!(tsquery_expression(&words), "('营商环境' | ('营商' & '环境')) & '优化'");
    }
}
