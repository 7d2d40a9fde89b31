//! A node's memory of earlier cases' signatures, so a near-duplicate check
//! compares the candidates the band index offers without reading their rows.
//!
//! A check ranks candidates from the band index alone (a few index pages)
//! and then needs each candidate's signature, which lives in the wide case
//! row: one random row read per candidate, up to [`super::bands::RANKED`] a
//! check. On SQLite every commit empties each reader's page cache, so under
//! a steady intake those reads went to the operating system every time and
//! were most of a reader's work. The candidates of the bands many texts
//! share (a stock phrase, a template, a wave of the same complaint) are the
//! same few cases for many checks in a row, so a bounded memory of
//! signatures answers most of them. A signature never changes once its case
//! is written and cases are never deleted, so what is held is never stale;
//! the oldest entries make room for new ones.

use std::collections::{HashMap, VecDeque};
use std::sync::{PoisonError, RwLock};

use super::neardup::{self, Signature};

/// Signatures held at most (about 300 bytes each with their bookkeeping).
pub const CAPACITY: usize = 131_072;

/// Earlier cases' signatures, the most recently learnt kept.
#[derive(Default)]
pub struct Signatures {
    inner: RwLock<Held>,
}

#[derive(Default)]
struct Held {
    by_id: HashMap<i64, Signature>,
    /// Ids in the order they were learnt, the oldest first.
    order: VecDeque<i64>,
}

/// What the memory makes of a list of candidates.
#[derive(Debug, Default)]
pub struct Compared {
    /// Candidates held whose similarity reaches the threshold, with it.
    pub matches: Vec<(i64, f32)>,
    /// Candidates not held: their signatures must be read.
    pub missing: Vec<i64>,
}

impl Signatures {
    /// Compares `sig` with each candidate held; lists those not held.
    pub fn compare(&self, sig: &Signature, candidates: &[i64]) -> Compared {
        let h = self.inner.read().unwrap_or_else(PoisonError::into_inner);
        let mut out = Compared::default();
        for id in candidates {
            match h.by_id.get(id) {
                Some(other) => {
                    let s = neardup::similarity(sig, other);
                    if s >= neardup::THRESHOLD {
                        out.matches.push((*id, s));
                    }
                }
                None => out.missing.push(*id),
            }
        }
        out
    }

    /// Remembers signatures read from the table, forgetting the oldest held beyond [`CAPACITY`].
    pub fn learn(&self, read: impl IntoIterator<Item = (i64, Signature)>) {
        let mut h = self.inner.write().unwrap_or_else(PoisonError::into_inner);
        for (id, sig) in read {
            if h.by_id.insert(id, sig).is_none() {
                h.order.push_back(id);
            }
        }
        while h.order.len() > CAPACITY {
            if let Some(old) = h.order.pop_front() {
                h.by_id.remove(&old);
            }
        }
    }

    /// Signatures held.
    pub fn len(&self) -> usize {
        self.inner.read().unwrap_or_else(PoisonError::into_inner).by_id.len()
    }

    /// Whether none is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "小区东门外的路灯坏了半个多月，晚上居民出行很不方便，希望尽快派人维修。";

    #[test]
    fn held_candidates_are_compared_and_the_rest_listed_for_reading() {
        let memory = Signatures::default();
        let original = neardup::signature(TEXT);
        let other = neardup::signature("学校门口上下学时段车辆太多，建议增设红绿灯和减速带。");
        memory.learn([(7, original), (8, other)]);
        let edited = neardup::signature(&TEXT.replace("半个多月", "二十多天"));
        let got = memory.compare(&edited, &[9, 8, 7]);
        assert_eq!(got.missing, vec![9]);
        assert_eq!(got.matches.len(), 1, "only the original reaches the threshold: {got:?}");
        assert_eq!(got.matches[0].0, 7);
        assert_eq!(got.matches[0].1, neardup::similarity(&edited, &original));
    }

    #[test]
    fn the_oldest_learnt_make_room_and_learning_again_changes_nothing() {
        let memory = Signatures::default();
        let sig = neardup::signature(TEXT);
        let n = CAPACITY as i64 + 10;
        memory.learn((1..=n).map(|id| (id, sig)));
        // Learnt twice: still one entry, still in its first place.
        memory.learn([(n, sig)]);
        assert_eq!(memory.len(), CAPACITY);
        let got = memory.compare(&sig, &[1, 10, 11, n]);
        assert_eq!(got.missing, vec![1, 10], "the ten oldest went first");
        assert_eq!(got.matches, vec![(11, 1.0), (n, 1.0)]);
    }
}
