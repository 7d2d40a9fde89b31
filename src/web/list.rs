//! Paging and sorting for every list page and list API.
//!
//! Query strings are read leniently (a bad page number means page 1) because
//! they come from links people edit by hand. Sort keys map to fixed SQL
//! expressions, so no column name ever comes from input.

use serde::{Deserialize, Serialize};

use crate::db::Sql;

/// Rows per page unless asked otherwise.
pub const PER_PAGE: i64 = 20;

/// The paging and sorting part of a list's query string.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct Paging {
    /// 1-based page number.
    pub page: String,
    /// Rows per page.
    pub per: String,
    /// Sort key.
    pub sort: String,
    /// `asc` or `desc`.
    pub dir: String,
}

/// Which page of how many rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    /// 1-based page.
    pub page: i64,
    /// Rows per page.
    pub per: i64,
}

impl Paging {
    /// The requested window, clamped to sane values.
    pub fn window(&self) -> Window {
        let page = self.page.trim().parse::<i64>().ok().filter(|p| *p >= 1 && *p <= 1_000_000).unwrap_or(1);
        let per = self.per.trim().parse::<i64>().ok().filter(|p| (1..=200).contains(p)).unwrap_or(PER_PAGE);
        Window { page, per }
    }

    /// Appends `order by …` from the allowed keys (first is the default), then `limit/offset`.
    pub fn order_and_limit(&self, sql: &mut Sql, allowed: &[(&str, &'static str)], tiebreak: &'static str) {
        self.order(sql, allowed, tiebreak);
        let w = self.window();
        sql.push(" limit ").int(w.per).push(" offset ").int((w.page - 1) * w.per);
    }

    /// Appends `order by …` from the allowed keys (first is the default).
    pub fn order(&self, sql: &mut Sql, allowed: &[(&str, &'static str)], tiebreak: &'static str) {
        let (key_expr, desc) = self.sort_choice(allowed);
        sql.push(" order by ").push(key_expr).push(if desc { " desc" } else { " asc" });
        sql.push(", ").push(tiebreak);
    }

    fn sort_choice(&self, allowed: &[(&str, &'static str)]) -> (&'static str, bool) {
        let found = allowed.iter().find(|(k, _)| *k == self.sort).or(allowed.first());
        (found.map_or("1", |(_, e)| *e), self.dir == "desc")
    }
}

/// What the pager under a table shows.
#[derive(Clone, Debug, Serialize)]
pub struct Pager {
    /// Current page.
    pub page: i64,
    /// Number of pages (at least 1).
    pub pages: i64,
    /// Rows in all pages.
    pub total: i64,
    /// First row shown (1-based; 0 when empty).
    pub from: i64,
    /// Last row shown.
    pub to: i64,
    /// Current sort key.
    pub sort: String,
    /// Current direction.
    pub dir: String,
}

impl Pager {
    /// Builds the pager for `total` rows.
    pub fn new(paging: &Paging, total: i64, shown: usize) -> Pager {
        let w = paging.window();
        let pages = ((total + w.per - 1) / w.per).max(1);
        let from = if shown == 0 { 0 } else { (w.page - 1) * w.per + 1 };
        Pager {
            page: w.page,
            pages,
            total,
            from,
            to: from + shown as i64 - i64::from(shown > 0),
            sort: paging.sort.clone(),
            dir: paging.dir.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonsense_paging_falls_back_to_the_first_page() {
        let p = Paging { page: "abc".into(), per: "100000".into(), ..Paging::default() };
        assert_eq!(p.window(), Window { page: 1, per: PER_PAGE });
    }

    #[test]
    fn unknown_sort_keys_use_the_default_expression() {
        let p = Paging { sort: "id; drop table units".into(), dir: "desc".into(), ..Paging::default() };
        let mut sql = Sql::new("select 1");
        p.order_and_limit(&mut sql, &[("name", "u.name"), ("code", "u.code")], "u.id");
        assert_eq!(sql.text(), "select 1 order by u.name desc, u.id limit 20 offset 0");
    }

    #[test]
    fn the_pager_counts_rows_shown() {
        let p = Paging { page: "3".into(), ..Paging::default() };
        let pager = Pager::new(&p, 45, 5);
        assert_eq!((pager.pages, pager.from, pager.to), (3, 41, 45));
        let empty = Pager::new(&Paging::default(), 0, 0);
        assert_eq!((empty.pages, empty.from, empty.to), (1, 0, 0));
    }
}
