//! A builder for SQL whose shape depends on input (filters, data scopes, sorting).
//!
//! Only `'static` text can be pushed; every value goes through a placeholder.
//! That keeps user input out of SQL text by construction.
//!
//! The builder writes each statement twice: with `$1, $2 …` for PostgreSQL and
//! with anonymous `?` for SQLite. Its placeholders are always used once and in
//! order, so both mean the same; SQLite resolves a numbered parameter's name by
//! a linear scan, which makes binding thousands of them (bulk inserts) quadratic.

use super::{Arg, Query};
use std::borrow::Cow;

/// SQL text assembled piece by piece, with numbered placeholders.
#[derive(Clone, Debug, Default)]
pub struct Sql {
    text: String,
    sqlite: String,
    args: Vec<Arg>,
}

impl Sql {
    /// Starts with a fixed piece of SQL.
    pub fn new(text: &'static str) -> Self {
        Self { text: text.to_string(), sqlite: text.to_string(), args: Vec::new() }
    }

    /// Appends fixed SQL text.
    pub fn push(&mut self, text: &'static str) -> &mut Self {
        self.text.push_str(text);
        self.sqlite.push_str(text);
        self
    }

    fn push_both(&mut self, text: &str) {
        self.text.push_str(text);
        self.sqlite.push_str(text);
    }

    /// Appends a table or column name read from the schema (never from input):
    /// only `[a-z_][a-z0-9_]*` is accepted, so it cannot carry SQL.
    pub fn ident(&mut self, name: &str) -> Result<&mut Self, InvalidIdent> {
        let ok = name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
            && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !ok {
            return Err(InvalidIdent(name.to_string()));
        }
        self.push_both(name);
        Ok(self)
    }

    /// Appends a placeholder bound to `arg`.
    pub fn bind(&mut self, arg: impl Into<Arg>) -> &mut Self {
        self.args.push(arg.into());
        self.text.push('$');
        self.text.push_str(&self.args.len().to_string());
        self.sqlite.push('?');
        self.sqlite.push(' ');
        self
    }

    /// Appends an integer as a literal, for `limit` and `offset`. A number
    /// cannot carry SQL, and SQLite re-plans a statement each time a parameter
    /// it planned with is bound again (it does so for `limit ?`), where a
    /// literal leaves the prepared statement in the cache.
    pub fn int(&mut self, n: i64) -> &mut Self {
        self.push_both(&n.to_string());
        self
    }

    /// Appends `(… , …)` with one placeholder per value; an empty list becomes `(null)`,
    /// which matches nothing.
    pub fn bind_list<A: Into<Arg>>(&mut self, values: impl IntoIterator<Item = A>) -> &mut Self {
        self.push_both("(");
        let mut first = true;
        for v in values {
            if !first {
                self.push_both(", ");
            }
            first = false;
            self.bind(v);
        }
        if first {
            self.push_both("null");
        }
        self.push_both(")");
        self
    }

    /// Binds a `like` pattern that matches `needle` anywhere, escaping `%`, `_` and `\`.
    pub fn bind_contains(&mut self, needle: &str) -> &mut Self {
        let escaped = needle.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        self.bind(format!("%{escaped}%"));
        self.push_both(" escape '\\'");
        self
    }

    /// The finished query.
    pub fn build(self) -> Query {
        Query { sql: Cow::Owned(self.text), sqlite: Some(self.sqlite), args: self.args }
    }

    /// The text so far (for tests).
    pub fn text(&self) -> &str {
        &self.text
    }
}

/// A name that is not a plain SQL identifier.
#[derive(Debug, thiserror::Error)]
#[error("not a plain SQL identifier: {0:?}")]
pub struct InvalidIdent(pub String);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_in_order() {
        let mut s = Sql::new("select * from units where 1=1");
        s.push(" and id = ").bind(5_i64).push(" and name = ").bind("市委");
        assert_eq!(s.text(), "select * from units where 1=1 and id = $1 and name = $2");
        assert_eq!(s.build().args.len(), 2);
    }

    #[test]
    fn identifiers_from_the_schema_are_checked() {
        let mut s = Sql::new("select ");
        assert!(s.ident("unit_id").is_ok());
        assert!(s.ident("id; drop table units").is_err());
        assert!(s.ident("Name").is_err());
        assert_eq!(s.text(), "select unit_id");
    }

    #[test]
    fn sqlite_gets_anonymous_placeholders_in_the_same_order() {
        let mut s = Sql::new("select 1 where a = ");
        s.bind(1_i64).push(" and b in ").bind_list([2_i64, 3]);
        let q = s.build();
        assert_eq!(q.sql(), "select 1 where a = $1 and b in ($2, $3)");
        assert_eq!(q.sqlite.as_deref(), Some("select 1 where a = ?  and b in (? , ? )"));
    }

    #[test]
    fn an_empty_list_matches_nothing() {
        let mut s = Sql::new("select 1 where x in ");
        s.bind_list(Vec::<i64>::new());
        assert_eq!(s.text(), "select 1 where x in (null)");
    }

    #[test]
    fn like_patterns_escape_wildcards() {
        let mut s = Sql::new("select 1 where name like ");
        s.bind_contains("50%_x");
        let q = s.build();
        assert_eq!(q.args, vec![Arg::Text(Some("%50\\%\\_x%".into()))]);
        assert!(q.sql().ends_with("escape '\\'"));
    }
}
