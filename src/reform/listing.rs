//! The task list's answers — which tasks fill a page, how many of each colour
//! match — kept by each node per filter and data scope.
//!
//! Working an answer out costs two statements over a year's tasks (the page's
//! ids, the colour counts); the offices read the same lists far more often
//! than tasks change. Triggers (migration 0007) move the `reform.version`
//! counter with every write to tasks, their cooperating units and tags,
//! whichever code or node makes it; an answer is used only while that counter
//! and the unit tree's (a unit filter takes the units below) are what they
//! were when it was worked out. The rows themselves are always read fresh.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::store::{self, Task, TaskFilter};
use crate::authz::Scope;
use crate::db::{Db, DbResult, Query};
use crate::org::units::directory;

/// The counter of changes to tasks.
pub const VERSION_KEY: &str = "reform.version";

/// Beyond this many answers the copy starts again (a safeguard: a city's
/// offices use a few hundred filters in a day).
const MAX_ANSWERS: usize = 4096;

/// (task changes, unit changes, units): an answer stands while these do.
pub type Stamp = (Option<String>, Option<String>, i64);

/// A list's answer, short of its rows.
pub struct Answer {
    /// The page's task ids, in order.
    pub ids: Vec<i64>,
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
    db.one(
        Query::new(
            "select (select value from settings where key = $1), (select value from settings where key = $2), \
             (select count(*) from units)",
        )
        .bind(VERSION_KEY)
        .bind(directory::VERSION_KEY),
    )
    .await
}

type Key = (Scope, String);

/// The node's answers, by data scope and filter.
#[derive(Default)]
pub struct Listings(Mutex<HashMap<Key, (Stamp, Arc<Answer>)>>);

impl Listings {
    /// The answer for `f` within `scope`, worked out again unless one made
    /// under `stamp` is held.
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
        let answer = Arc::new(Answer {
            ids: store::page_ids(db, scope, f).await?,
            by_colour: store::colour_counts(db, scope, f).await?,
        });
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_ANSWERS {
            map.clear();
        }
        map.insert(key, (stamp, answer.clone()));
        Ok(answer)
    }

    /// A page of tasks and how many match, from the answer and fresh rows.
    pub async fn page(
        &self,
        db: &Db,
        scope: &Scope,
        f: &TaskFilter,
        stamp: Stamp,
    ) -> DbResult<(Vec<Task>, Arc<Answer>)> {
        let answer = self.answer(db, scope, f, stamp).await?;
        Ok((store::by_ids(db, &answer.ids, f).await?, answer))
    }
}
