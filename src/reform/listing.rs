//! The task list's answers — the page's rows and how many tasks of each colour
//! match — kept by each node per filter and data scope.
//!
//! Working an answer out costs three statements, two of them over a year's
//! tasks (the page's ids, the colour counts); the offices read the same lists
//! far more often than tasks change. An answer depends on tasks with their
//! cooperating units and tags, units (names, and the tree below a unit
//! filter), accounts (leaders' names) and dictionary labels. Each has a change
//! counter in `settings` — `reform.version` and `dicts.version` moved by
//! triggers (migration 0007), `authz.version` by triggers (0006, accounts and
//! unit names and paths), `org.units.version` by every unit write — and an
//! answer is used only while all of them are what they were when it was
//! worked out, so a change made on any node shows at the next request.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::store::{self, Task, TaskFilter};
use crate::authz::Scope;
use crate::db::{Db, DbResult, Sql};

/// Beyond this many answers the copy starts again (a safeguard: a city's
/// offices use a few hundred filters in a day; an answer holds one page).
const MAX_ANSWERS: usize = 1024;

/// The counters an answer stands on (see the module's note).
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Stamp {
    /// Tasks, their cooperating units and tags.
    pub reform: Option<String>,
    /// Unit writes made through the product.
    pub units_version: Option<String>,
    /// Units (covers units written before the first counted change).
    pub units: i64,
    /// Accounts, roles and unit names and paths.
    pub authz: Option<String>,
    /// Dictionary items.
    pub dicts: Option<String>,
}

/// The columns of a [`Stamp`], for statements that read it with more.
pub const STAMP_COLUMNS: &str = "(select value from settings where key = 'reform.version') as reform, \
     (select value from settings where key = 'org.units.version') as units_version, \
     (select count(*) from units) as units, \
     (select value from settings where key = 'authz.version') as authz, \
     (select value from settings where key = 'dicts.version') as dicts";

/// A list's answer.
pub struct Answer {
    /// The page's rows.
    pub rows: Vec<Task>,
    /// Tasks of each colour that match the filter apart from its colour.
    pub by_colour: Vec<(String, i64)>,
}

impl Answer {
    /// Tasks of one colour.
    pub fn of(&self, colour: &str) -> i64 {
        self.by_colour.iter().find(|(c, _)| c == colour).map_or(0, |(_, n)| *n)
    }

    /// Tasks that match the filter apart from its colour.
    pub fn all(&self) -> i64 {
        self.by_colour.iter().map(|(_, n)| n).sum()
    }

    /// Tasks that match the whole filter.
    pub fn total(&self, f: &TaskFilter) -> i64 {
        match f.colour.trim() {
            "" => self.all(),
            colour => self.of(colour),
        }
    }
}

/// Reads the stamp (for callers that do not read it with other counters).
pub async fn stamp(db: &Db) -> DbResult<Stamp> {
    let mut sql = Sql::new("select ");
    sql.push(STAMP_COLUMNS);
    db.one(sql.build()).await
}

type Key = (Scope, String);

/// The node's answers, by data scope and filter.
#[derive(Default)]
pub struct Listings(Mutex<HashMap<Key, (Stamp, Arc<Answer>)>>);

impl Listings {
    /// The answer for `f` within `scope`: the one held when it was made under
    /// `stamp`, else worked out again.
    pub async fn answer(
        &self,
        db: &Db,
        scope: &Scope,
        f: &TaskFilter,
        stamp: Stamp,
    ) -> DbResult<Arc<Answer>> {
        let key: Key = (scope.clone(), format!("{f:?}"));
        if let Some((held, answer)) = self.0.lock().unwrap_or_else(|e| e.into_inner()).get(&key)
            && *held == stamp
        {
            return Ok(answer.clone());
        }
        let ids = store::page_ids(db, scope, f).await?;
        let rows = store::by_ids(db, &ids, f).await?;
        let answer = Arc::new(Answer { rows, by_colour: store::colour_counts(db, scope, f).await? });
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_ANSWERS {
            map.clear();
        }
        map.insert(key, (stamp, answer.clone()));
        Ok(answer)
    }
}
