//! Every active unit, held by each node for choice lists: the task list's
//! filters and the task forms offer the tree on every view, and reading ~1,000
//! units for each page would cost more than the page itself. Every write to
//! `units` goes through `store`, which counts it in the `org.units.version`
//! setting inside the same transaction ([`touched`]); the copy is checked
//! against that number on every use, so a unit added, renamed, moved or
//! disabled on any node shows at once.

use std::sync::Arc;

use crate::authz::{Scope, Target};
use crate::clock::Ts;
use crate::db::memo::{Memo, bump};
use crate::db::{Db, DbResult, Query, Tx};

/// The counter of changes to the units, for readers that read it together
/// with other counters (`select (select value from settings where key = …)`).
pub const VERSION_KEY: &str = "org.units.version";

/// Counts a change to the units, inside the transaction that makes it.
pub async fn touched(tx: &mut Tx, now: Ts) -> DbResult<()> {
    bump(tx, VERSION_KEY, now).await
}

/// One unit as choice lists need it.
#[derive(Clone, Debug)]
pub struct Entry {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Depth in the tree (0 for the root).
    pub depth: i64,
    /// Kind code.
    pub kind: String,
    /// Path of ids from the root.
    pub path: String,
    /// Creating account.
    pub created_by: Option<i64>,
}

/// (changes counted, units): moves whenever the table does. The count covers
/// units written before the first counted change (a demo or a copied database).
pub type Stamp = (Option<String>, i64);

/// The node's copy of the active units, in tree order.
#[derive(Default)]
pub struct Directory(Memo<Stamp, Vec<Entry>>);

impl Directory {
    /// The active units in tree order, reloaded when the table has changed.
    pub async fn units(&self, db: &Db) -> DbResult<Arc<Vec<Entry>>> {
        let stamp: Stamp = db
            .one(
                Query::new("select (select value from settings where key = $1), count(*) from units")
                    .bind(VERSION_KEY),
            )
            .await?;
        self.units_at(db, stamp).await
    }

    /// The same, for a caller that read the stamp itself together with others.
    pub async fn units_at(&self, db: &Db, stamp: Stamp) -> DbResult<Arc<Vec<Entry>>> {
        if let Some(units) = self.0.get(&stamp) {
            return Ok(units);
        }
        let rows: Vec<(i64, String, i64, String, String, Option<i64>)> = db
            .all(Query::new(
                "select id, name, depth, kind, path, created_by from units where status = 'active' order by path",
            ))
            .await?;
        let units = rows
            .into_iter()
            .map(|(id, name, depth, kind, path, created_by)| Entry {
                id,
                name,
                depth,
                kind,
                path,
                created_by,
            })
            .collect::<Vec<_>>();
        Ok(self.0.put(stamp, units))
    }

    /// The choice list `store::options` gives (indented names in tree order,
    /// within `scope`), leaving out units of the given kinds.
    pub async fn options(&self, db: &Db, scope: &Scope, skip_kinds: &[&str]) -> DbResult<Vec<(i64, String)>> {
        Ok(options_of(&self.units(db).await?, scope, skip_kinds))
    }
}

/// The choice list of [`Directory::options`] from units already in hand.
pub fn options_of(units: &[Entry], scope: &Scope, skip_kinds: &[&str]) -> Vec<(i64, String)> {
    units
        .iter()
        .filter(|u| !skip_kinds.contains(&u.kind.as_str()))
        .filter(|u| scope.allows(Target { unit_id: u.id, unit_path: &u.path, owner_id: u.created_by }))
        .map(|u| (u.id, format!("{}{}", "　".repeat(u.depth.max(0) as usize), u.name)))
        .collect()
}
