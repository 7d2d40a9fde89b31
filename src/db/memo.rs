//! Node-local copies of small, rarely written tables (the unit tree, choice
//! lists), checked against change counters kept in `settings`.
//!
//! A writer counts its change with [`bump`] inside the transaction that makes
//! it; a reader reads the counters (one cheap statement, often shared with
//! other counters) and uses its [`Memo`] only while they are what they were
//! when the copy was made. Every node sees every change at its next read.

use std::sync::{Arc, Mutex};

use super::{DbResult, Query, Tx};
use crate::clock::Ts;

/// Counts a change under `key`, inside the transaction that makes it.
pub async fn bump(tx: &mut Tx, key: &'static str, now: Ts) -> DbResult<()> {
    tx.exec(
        Query::new(
            "insert into settings (key, value, updated_at) values ($1, '1', $2) \
             on conflict (key) do update set value = cast(cast(settings.value as integer) + 1 as text), updated_at = $2",
        )
        .bind(key)
        .bind(now),
    )
    .await?;
    Ok(())
}

/// One copy of a value, tagged with the counters (`K`) it was read under.
pub struct Memo<K, V> {
    held: Mutex<Option<(K, Arc<V>)>>,
    /// Taken by whoever builds a new copy in [`Memo::get_or_build`].
    building: tokio::sync::Mutex<()>,
}

impl<K, V> Memo<K, V> {
    /// An empty memo (usable in a `static`).
    pub const fn new() -> Self {
        Memo { held: Mutex::new(None), building: tokio::sync::Mutex::const_new(()) }
    }
}

impl<K, V> Default for Memo<K, V> {
    fn default() -> Self {
        Memo::new()
    }
}

impl<K: PartialEq, V> Memo<K, V> {
    /// The copy, when it was read under `stamp`.
    pub fn get(&self, stamp: &K) -> Option<Arc<V>> {
        let held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        held.as_ref().filter(|(k, _)| k == stamp).map(|(_, v)| v.clone())
    }

    /// Keeps `value` as read under `stamp`, and gives it back shared.
    pub fn put(&self, stamp: K, value: V) -> Arc<V> {
        let value = Arc::new(value);
        *self.held.lock().unwrap_or_else(|e| e.into_inner()) = Some((stamp, value.clone()));
        value
    }

    /// The copy read under `stamp`, built by `build` when there is none. One
    /// caller builds at a time and the others wait for its copy: a costly
    /// copy (a model, a dictionary) asked for by many requests at once, as
    /// when a node starts under load, is built once, not once per request.
    pub async fn get_or_build<E, F>(&self, stamp: K, build: F) -> Result<Arc<V>, E>
    where
        F: AsyncFnOnce() -> Result<V, E>,
    {
        if let Some(v) = self.get(&stamp) {
            return Ok(v);
        }
        let _turn = self.building.lock().await;
        // Built by whoever had the turn before.
        if let Some(v) = self.get(&stamp) {
            return Ok(v);
        }
        Ok(self.put(stamp, build().await?))
    }
}
