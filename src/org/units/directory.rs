//! Every active unit, held by each node for choice lists: the task list's
//! filters and the task forms offer the tree on every view, and reading ~1,000
//! units for each page would cost more than the page itself. Every write to
//! `units` goes through `store`, which counts it in the `org.units.version`
//! setting inside the same transaction ([`touched`]); the copy is checked
//! against that number on every use, so a unit added, renamed, moved or
//! disabled on any node shows at once.

use std::sync::{Arc, Mutex};

use crate::authz::{Scope, Target};
use crate::clock::Ts;
use crate::db::{Db, DbResult, Query, Tx};

const VERSION_KEY: &str = "org.units.version";

/// Counts a change to the units, inside the transaction that makes it.
pub async fn touched(tx: &mut Tx, now: Ts) -> DbResult<()> {
    tx.exec(
        Query::new(
            "insert into settings (key, value, updated_at) values ($1, '1', $2) \
             on conflict (key) do update set value = cast(cast(settings.value as integer) + 1 as text), updated_at = $2",
        )
        .bind(VERSION_KEY)
        .bind(now),
    )
    .await?;
    Ok(())
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
type Stamp = (Option<String>, i64);

/// The node's copy of the active units, in tree order.
#[derive(Default)]
pub struct Directory(Mutex<Option<(Stamp, Arc<Vec<Entry>>)>>);

impl Directory {
    /// The active units in tree order, reloaded when the table has changed.
    pub async fn units(&self, db: &Db) -> DbResult<Arc<Vec<Entry>>> {
        let stamp: Stamp = db
            .one(
                Query::new("select (select value from settings where key = $1), count(*) from units")
                    .bind(VERSION_KEY),
            )
            .await?;
        if let Some((held, units)) = self.0.lock().unwrap_or_else(|e| e.into_inner()).as_ref()
            && *held == stamp
        {
            return Ok(units.clone());
        }
        let rows: Vec<(i64, String, i64, String, String, Option<i64>)> = db
            .all(Query::new(
                "select id, name, depth, kind, path, created_by from units where status = 'active' order by path",
            ))
            .await?;
        let units = Arc::new(
            rows.into_iter()
                .map(|(id, name, depth, kind, path, created_by)| Entry {
                    id,
                    name,
                    depth,
                    kind,
                    path,
                    created_by,
                })
                .collect::<Vec<_>>(),
        );
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some((stamp, units.clone()));
        Ok(units)
    }

    /// The choice list `store::options` gives (indented names in tree order,
    /// within `scope`), leaving out units of the given kinds.
    pub async fn options(&self, db: &Db, scope: &Scope, skip_kinds: &[&str]) -> DbResult<Vec<(i64, String)>> {
        let units = self.units(db).await?;
        Ok(units
            .iter()
            .filter(|u| !skip_kinds.contains(&u.kind.as_str()))
            .filter(|u| scope.allows(Target { unit_id: u.id, unit_path: &u.path, owner_id: u.created_by }))
            .map(|u| (u.id, format!("{}{}", "　".repeat(u.depth.max(0) as usize), u.name)))
            .collect())
    }
}
