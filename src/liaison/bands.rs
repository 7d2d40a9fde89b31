//! The near-duplicate band keys on SQLite: the newest cases' keys held in
//! memory, the rest in `liaison_bands`, folded in from memory in sorted runs.
//!
//! Every case has sixteen band keys ([`neardup::bands`]), hashes that fall on
//! sixteen random leaves of a table of millions of keys. Written with each
//! group of submissions they were most of the pages the one writer of SQLite
//! wrote to the log per commit. Here a node keeps the keys of the cases
//! written since the last fold in memory (from the signature stored with each
//! case) and, once there are [`FOLD_AT`] of them, the writer inserts them
//! into the table sorted, one slice of the key range per transaction between
//! groups: each leaf is then written once for many keys.
//!
//! The setting [`FOLDED_KEY`] says up to which case every case's keys are in
//! the table; when it is absent, every case's are (a database from before,
//! or from PostgreSQL, which writes the keys with each case). A lookup reads
//! memory first and the table after, and memory forgets a fold's cases only
//! once it is committed, so a case is always in one or the other. Memory is
//! a cache of the table's signatures: what a node misses (a restart, an
//! import, another process) it reads from the cases after what it holds.
//!
//! One mechanism in one file; what takes it past 400 lines is its tests.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use super::analysis;
use super::neardup::{self, Signature};
use crate::clock::Ts;
use crate::db::{Db, DbResult, Query, Source, Sql, Tx};

/// Up to which case every case's band keys are in `liaison_bands`.
pub const FOLDED_KEY: &str = "liaison.bands.folded";

/// Cases held in memory before the writer folds them into the table.
pub const FOLD_AT: usize = 50_000;

/// Slices of the key range a fold writes, one transaction each, a group of
/// submissions written between two. (256 smaller slices took more writer
/// time in all, 6–10 s a fold against about 4 s at scale 1: each rewrites
/// the branch pages above its leaves.)
const SLICES: u32 = 32;

/// Entries of each band a lookup reads at most, the newest first (as
/// `submit::matches` ranks the table's): a band common to many texts (a
/// stock phrase, a template) costs no more than a rare one.
pub const PER_BAND: usize = 64;

/// Candidates a lookup compares at most: of those read, the ones sharing the
/// most bands with the text, then the newest. An edited repeat shares several
/// bands with its original, a text that only shares a stock phrase one, so a
/// crowded band cannot push the original out.
pub const RANKED: usize = 64;

/// Keys per insert statement of a fold (two values a row).
const INSERT_ROWS: usize = 4_000;

/// One node's band keys of the cases after the fold.
#[derive(Default)]
pub struct Recent {
    inner: RwLock<Held>,
}

#[derive(Default)]
struct Held {
    /// Whether the fold point was read from the database.
    started: bool,
    /// Whether the database is known to hold a fold point (it is never removed).
    recorded: bool,
    /// Cases after this one are held here (up to `loaded`); those up to it
    /// are in the table.
    floor: i64,
    /// The newest case held.
    loaded: i64,
    /// The cases after the fold under way (all of them when none is).
    live: Generation,
    /// The cases a fold under way writes to the table, and the last of them:
    /// dropped whole once the fold commits, not key by key under the lock.
    sealed: Option<(Generation, i64)>,
}

/// Held cases' signatures and band keys.
#[derive(Default)]
struct Generation {
    signatures: BTreeMap<i64, Signature>,
    /// (band key, case id).
    keys: BTreeSet<(i64, i64)>,
}

impl Held {
    fn add(&mut self, id: i64, sig: Signature) {
        for b in neardup::bands(&sig) {
            self.live.keys.insert((b, id));
        }
        self.live.signatures.insert(id, sig);
    }

    fn generations(&self) -> impl Iterator<Item = &Generation> {
        std::iter::once(&self.live).chain(self.sealed.as_ref().map(|s| &s.0))
    }

    fn signature(&self, id: i64) -> Option<&Signature> {
        self.generations().find_map(|g| g.signatures.get(&id))
    }
}

/// Reads the fold point and the newest case in one snapshot; absent means
/// every case up to the newest has its keys in the table.
fn start_query() -> Query {
    Query::new(
        "select (select value from settings where key = $1), (select coalesce(max(id), 0) from liaison_cases)",
    )
    .bind(FOLDED_KEY)
}

/// The signatures of the cases in `(after, upto]`.
fn rows_query(after: i64, upto: i64) -> Query {
    Query::new("select id, signature from liaison_cases where id > $1 and id <= $2 order by id")
        .bind(after)
        .bind(upto)
}

type Rows = Vec<(i64, Option<Vec<u8>>)>;

impl Recent {
    fn read(&self) -> RwLockReadGuard<'_, Held> {
        // The maps stay whole if a holder panicked: every change is one insert or removal.
        self.inner.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, Held> {
        self.inner.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// What still needs reading to hold every case up to `upto`: `None`
    /// when nothing, else whether the fold point is known and from where.
    fn missing(&self, upto: i64) -> Option<(bool, i64)> {
        let h = self.read();
        (!h.started || h.loaded < upto).then_some((h.started, h.loaded))
    }

    fn start(&self, recorded: Option<String>, newest: i64) {
        let mut h = self.write();
        if h.started {
            return;
        }
        h.recorded = recorded.is_some();
        h.floor = recorded.as_deref().and_then(|v| v.parse().ok()).unwrap_or(newest);
        h.loaded = h.floor;
        h.started = true;
    }

    fn absorb(&self, rows: Rows) {
        let mut h = self.write();
        for (id, bytes) in rows {
            if id <= h.loaded {
                continue;
            }
            if let Some(sig) = bytes.as_deref().and_then(analysis::signature_of) {
                h.add(id, sig);
            }
            h.loaded = id;
        }
    }

    /// Holds every case up to `upto`, reading what is missing from `src`.
    pub async fn catch_up(&self, src: &mut Source<'_>, upto: i64) -> DbResult<()> {
        let Some((started, mut after)) = self.missing(upto) else { return Ok(()) };
        if !started {
            let (recorded, newest): (Option<String>, i64) = src.one(start_query()).await?;
            self.start(recorded, newest);
            after = self.read().loaded;
        }
        if after < upto {
            let rows: Rows = src.all(rows_query(after, upto)).await?;
            self.absorb(rows);
        }
        Ok(())
    }

    /// The held cases in `(after, upto]` that share a band with `sig` and
    /// reach the near-duplicate threshold, with their similarity: of the
    /// newest [`PER_BAND`] of each band, the [`RANKED`] sharing the most.
    pub fn near(&self, sig: &Signature, after: i64, upto: i64) -> Vec<(i64, f32)> {
        if after >= upto {
            return Vec::new();
        }
        let h = self.read();
        // Per band the newest first: the live generation's ids are all above the sealed one's.
        let mut ids: Vec<i64> = neardup::bands(sig)
            .iter()
            .flat_map(|b| {
                let range = (*b, after + 1)..=(*b, upto);
                h.generations()
                    .flat_map(move |g| g.keys.range(range.clone()).rev())
                    .take(PER_BAND)
                    .map(|(_, id)| *id)
            })
            .collect();
        ids.sort_unstable();
        let mut shared: Vec<(usize, i64)> =
            ids.chunk_by(|a, b| a == b).map(|run| (run.len(), run[0])).collect();
        shared.sort_unstable_by(|a, b| b.cmp(a));
        shared
            .iter()
            .take(RANKED)
            .filter_map(|(_, id)| {
                let s = neardup::similarity(sig, h.signature(*id)?);
                (s >= neardup::THRESHOLD).then_some((*id, s))
            })
            .collect()
    }

    /// Adds cases this node has just committed, in id order, in a
    /// transaction that recorded the fold point. A case that does not follow
    /// what is held (another writer's came between) and those after it are
    /// left for [`Self::catch_up`] to read.
    pub fn push(&self, cases: impl IntoIterator<Item = (i64, Signature)>) {
        let mut h = self.write();
        if !h.started {
            return;
        }
        h.recorded = true;
        for (id, sig) in cases {
            if id <= h.loaded {
                continue;
            }
            if id != h.loaded + 1 {
                break;
            }
            h.add(id, sig);
            h.loaded = id;
        }
    }

    /// Cases held.
    pub fn len(&self) -> usize {
        let h = self.read();
        h.generations().map(|g| g.signatures.len()).sum()
    }

    /// Whether no case is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the database is known to hold a fold point, so a transaction
    /// writing cases need not record one ([`record_fold_point`]).
    pub fn fold_point_recorded(&self) -> bool {
        self.read().recorded
    }

    /// Cases up to this one are looked up in the table, those after it here.
    pub fn floor(&self) -> i64 {
        self.read().floor
    }

    /// Starts a fold of every case held, which later cases do not join, and
    /// returns the last case it reaches; a fold that stopped part way (an
    /// error) starts again with the cases it had.
    pub fn seal(&self) -> i64 {
        let mut h = self.write();
        if let Some((_, upto)) = h.sealed {
            return upto;
        }
        let upto = h.loaded;
        let live = std::mem::take(&mut h.live);
        h.sealed = Some((live, upto));
        upto
    }

    /// Writes one slice of the key range of the fold under way ([`Self::seal`])
    /// into the table, in one transaction; the last slice also moves the
    /// fold point, and memory then forgets the fold's cases. Returns whether
    /// the fold is done (also when none is under way).
    pub async fn fold_slice(&self, db: &Db, slice: u32, now: Ts) -> DbResult<bool> {
        let (keys, upto) = {
            let h = self.read();
            let Some((sealed, upto)) = &h.sealed else { return Ok(true) };
            let (from, to) = slice_bounds(slice);
            let keys: Vec<(i64, i64)> =
                sealed.keys.range((from, i64::MIN)..=(to, i64::MAX)).copied().collect();
            (keys, *upto)
        };
        let last = slice + 1 == SLICES;
        let mut tx = db.begin().await?;
        insert_sorted(&mut tx, &keys).await?;
        if last {
            set_fold_point(&mut tx, upto, now).await?;
        }
        tx.commit().await?;
        if last {
            let gone = {
                let mut h = self.write();
                h.recorded = true;
                h.floor = h.floor.max(upto);
                h.sealed.take()
            };
            // Freed after the lock: the lookups do not wait for it.
            drop(gone);
        }
        Ok(last)
    }

    /// Folds every held case now, all slices at once: a fold under way, then
    /// the cases after it (tests; the writer folds a slice per turn).
    pub async fn fold(&self, db: &Db, now: Ts) -> DbResult<()> {
        for _ in 0..2 {
            self.seal();
            for slice in 0..SLICES {
                self.fold_slice(db, slice, now).await?;
            }
        }
        Ok(())
    }
}

/// Records the fold point, if the database has none yet, in a transaction
/// about to write cases without their keys (until then every case has them).
pub async fn record_fold_point(tx: &mut Tx, now: Ts) -> DbResult<()> {
    // `where true`: SQLite reads `on conflict` after a bare `from` as a join constraint.
    tx.exec(
        Query::new(
            "insert into settings (key, value, updated_at) \
             select $1, cast(coalesce(max(id), 0) as text), $2 from liaison_cases where true \
             on conflict (key) do nothing",
        )
        .bind(FOLDED_KEY)
        .bind(now),
    )
    .await?;
    Ok(())
}

/// The first and last key of a slice of the signed 64-bit key range.
fn slice_bounds(slice: u32) -> (i64, i64) {
    let width = (u64::MAX / u64::from(SLICES)) as i128 + 1;
    let from = i128::from(i64::MIN) + width * i128::from(slice);
    let to = if slice + 1 == SLICES { i128::from(i64::MAX) } else { from + width - 1 };
    (from as i64, to as i64)
}

async fn insert_sorted(tx: &mut Tx, keys: &[(i64, i64)]) -> DbResult<()> {
    for chunk in keys.chunks(INSERT_ROWS) {
        let mut sql = Sql::new("insert into liaison_bands (band, case_id) values ");
        for (i, (b, id)) in chunk.iter().enumerate() {
            sql.push(if i == 0 { "(" } else { ", (" }).bind(*b).push(", ").bind(*id).push(")");
        }
        sql.push(" on conflict do nothing");
        tx.exec(sql.build()).await?;
    }
    Ok(())
}

/// Moves the fold point to `upto` in the caller's transaction, which wrote
/// the keys of every case up to it (a fold; the generator), never back.
pub async fn set_fold_point(tx: &mut Tx, upto: i64, now: Ts) -> DbResult<()> {
    tx.exec(
        Query::new(
            "insert into settings (key, value, updated_at) values ($1, $2, $3) \
             on conflict (key) do update set value = excluded.value, updated_at = excluded.updated_at \
             where cast(settings.value as bigint) < cast(excluded.value as bigint)",
        )
        .bind(FOLDED_KEY)
        .bind(upto.to_string())
        .bind(now),
    )
    .await?;
    Ok(())
}

/// Folds every case after the fold point from the table's own signatures, in
/// one transaction, whatever any node holds (the generator, before it writes
/// keys with its cases and moves the fold point itself).
pub async fn fold_from_table(db: &Db, now: Ts) -> DbResult<i64> {
    let mut tx = db.begin().await?;
    let (recorded, newest): (Option<String>, i64) = tx.one(start_query()).await?;
    let Some(folded) = recorded.and_then(|v| v.parse::<i64>().ok()) else { return Ok(newest) };
    let rows: Rows = tx.all(rows_query(folded, newest)).await?;
    let mut keys: Vec<(i64, i64)> = rows
        .into_iter()
        .filter_map(|(id, bytes)| Some((id, analysis::signature_of(bytes.as_deref()?)?)))
        .flat_map(|(id, sig)| neardup::bands(&sig).map(|b| (b, id)))
        .collect();
    keys.sort_unstable();
    insert_sorted(&mut tx, &keys).await?;
    set_fold_point(&mut tx, newest, now).await?;
    tx.commit().await?;
    Ok(newest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_cover_the_key_range_without_gaps() {
        let mut next = i128::from(i64::MIN);
        for s in 0..SLICES {
            let (from, to) = slice_bounds(s);
            assert_eq!(i128::from(from), next, "slice {s} starts where the last ended");
            assert!(from < to);
            next = i128::from(to) + 1;
        }
        assert_eq!(next, i128::from(i64::MAX) + 1);
    }

    #[test]
    fn a_fold_under_way_still_finds_its_cases_and_later_ones_join_the_next() {
        let r = Recent::default();
        r.start(None, 0);
        let lamp = neardup::signature("菜场门口的路灯坏了半个多月，晚上买菜的老人看不清台阶，请尽快维修");
        r.push([(1, lamp)]);
        assert_eq!(r.seal(), 1);
        let again = neardup::signature("菜场门口的路灯坏了二十多天，晚上买菜的老人看不清台阶，请尽快维修");
        r.push([(2, again)]);
        assert_eq!(r.seal(), 1, "sealing again keeps the fold under way");
        assert_eq!(r.len(), 2);
        let ids = |sig: &Signature, after: i64| {
            let mut ids: Vec<i64> = r.near(sig, after, 2).iter().map(|h| h.0).collect();
            ids.sort_unstable();
            ids
        };
        assert_eq!(ids(&lamp, 0), vec![1, 2], "the sealed generation is looked at, and the live one");
        assert_eq!(ids(&again, 1), vec![2]);
    }

    #[test]
    fn a_band_crowded_with_newer_texts_does_not_hide_the_original() {
        // Made-up signatures: the original shares fifteen of the sixteen bands
        // with the new text; three hundred newer cases share only the first.
        let text: Signature = std::array::from_fn(|i| i as u32 * 7 + 1);
        let mut original = text;
        original[0] ^= 0xffff;
        let r = Recent::default();
        r.start(None, 0);
        let crowd = (0..300u32).map(|k| {
            let mut s: Signature = std::array::from_fn(|i| 1_000_000 + k * 100 + i as u32);
            s[..4].copy_from_slice(&text[..4]);
            (i64::from(k) + 2, s)
        });
        r.push(std::iter::once((1, original)).chain(crowd));
        assert_eq!(r.len(), 301);
        let hits = r.near(&text, 0, 301);
        assert_eq!(hits.iter().map(|h| h.0).collect::<Vec<_>>(), vec![1], "{hits:?}");
        assert!(hits[0].1 > 0.9);
    }

    #[test]
    fn held_cases_are_found_within_their_range_and_pushes_keep_order() {
        let r = Recent::default();
        r.start(None, 10);
        let a = neardup::signature("小区东门外的路灯坏了半个多月，晚上出行很不方便，请尽快维修");
        let b = neardup::signature("村里的灌溉水渠堵塞了，春耕用水困难，请镇里协调疏通");
        r.push([(11, a), (12, b)]);
        // A gap: case 14 is not held until read.
        r.push([(14, a)]);
        assert_eq!(r.len(), 2);
        let edited = neardup::signature("小区东门外的路灯坏了二十多天，晚上出行很不方便，请尽快维修");
        let hits = r.near(&edited, 0, 12);
        assert_eq!(hits.iter().map(|h| h.0).collect::<Vec<_>>(), vec![11]);
        assert!(r.near(&edited, 11, 12).is_empty(), "only cases after `after`");
        assert!(r.near(&edited, 0, 10).is_empty(), "only cases up to `upto`");
    }
}
