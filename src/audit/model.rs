//! The SM3 hash chain, as pure functions.
//!
//! Record `n` stores `hash_n = SM3(tag ‖ hash_{n-1} ‖ canonical(record_n))`, with
//! 32 zero bytes before the first record. Every field is length-prefixed, so no
//! two different records encode the same bytes. Sequence numbers run 1, 2, 3 …
//! without gaps and the head row remembers the last one, so an edited record
//! breaks its own hash, a deleted one leaves a gap (or a short chain), an
//! inserted or reordered one breaks the hash of the record that follows it.

use serde::Serialize;
use sm3::{Digest, Sm3};

use crate::clock::Ts;

/// The hash before the first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Domain tag, so a chain hash can never be confused with another SM3 use.
const TAG: &[u8] = b"zhengyan-audit-v1";

/// The fields of one audit record that the hash covers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Record {
    /// Position in the chain, from 1.
    pub seq: i64,
    /// When it happened.
    pub at: Ts,
    /// The account that acted, if any (none for failed sign-ins of unknown names, jobs).
    pub actor_id: Option<i64>,
    /// The account's name at the time, or what was typed at sign-in.
    pub actor_name: String,
    /// Where the request came from.
    pub ip: String,
    /// What was done (`unit.create`, `auth.login_failed` …).
    pub action: String,
    /// The kind of thing acted on.
    pub object_type: String,
    /// Which one.
    pub object_id: String,
    /// A sentence for people.
    pub summary: String,
    /// State before the change (JSON).
    pub before_data: Option<String>,
    /// State after the change (JSON).
    pub after_data: Option<String>,
    /// Chain hash of this record (hex).
    pub hash: String,
}

fn put_str(h: &mut Sm3, s: &str) {
    h.update((s.len() as u64).to_be_bytes());
    h.update(s.as_bytes());
}

fn put_opt(h: &mut Sm3, s: Option<&str>) {
    match s {
        None => h.update([0u8]),
        Some(s) => {
            h.update([1u8]);
            put_str(h, s);
        }
    }
}

/// The chain hash of `r` given the previous record's hash (both hex).
pub fn chain_hash(prev_hex: &str, r: &Record) -> String {
    let mut h = Sm3::new();
    h.update(TAG);
    put_str(&mut h, prev_hex);
    h.update(r.seq.to_be_bytes());
    h.update(r.at.0.to_be_bytes());
    match r.actor_id {
        None => h.update([0u8]),
        Some(id) => {
            h.update([1u8]);
            h.update(id.to_be_bytes());
        }
    }
    for s in [&r.actor_name, &r.ip, &r.action, &r.object_type, &r.object_id, &r.summary] {
        put_str(&mut h, s);
    }
    put_opt(&mut h, r.before_data.as_deref());
    put_opt(&mut h, r.after_data.as_deref());
    hex::encode(h.finalize())
}

/// Why verification stopped.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Break {
    /// A sequence number is missing: records were deleted (or inserted with a wrong number).
    Gap {
        /// The number expected.
        expected: i64,
        /// The number found.
        found: i64,
    },
    /// The stored hash does not match the record: it was edited, inserted or moved.
    Hash {
        /// The record whose hash fails.
        seq: i64,
    },
    /// The chain ends before or after the head says it does.
    Head {
        /// Last sequence number the head records.
        head_seq: i64,
        /// Last sequence number found in the chain.
        last_seq: i64,
    },
}

impl Break {
    /// The first broken record's sequence number.
    pub fn seq(&self) -> i64 {
        match self {
            Break::Gap { expected, .. } => *expected,
            Break::Hash { seq } => *seq,
            Break::Head { last_seq, .. } => *last_seq + 1,
        }
    }

    /// A sentence naming the first broken record, for the page and the command line.
    pub fn describe(&self) -> String {
        match self {
            Break::Gap { expected, found } => {
                format!("第 {expected} 条记录缺失（下一条为第 {found} 条）：记录被删除或序号被改动")
            }
            Break::Hash { seq } => format!("第 {seq} 条记录的哈希不符：记录被修改、插入或调换了顺序"),
            Break::Head { head_seq, last_seq } => {
                format!("链头记录共 {head_seq} 条，实际链尾为第 {last_seq} 条：末尾记录被删除或追加")
            }
        }
    }
}

/// Walks the chain in order, one record at a time.
#[derive(Debug)]
pub struct Verifier {
    expected: i64,
    prev: String,
    checked: u64,
}

impl Default for Verifier {
    fn default() -> Self {
        Self { expected: 1, prev: GENESIS.to_string(), checked: 0 }
    }
}

impl Verifier {
    /// Checks the next record.
    pub fn check(&mut self, r: &Record) -> Result<(), Break> {
        if r.seq != self.expected {
            return Err(Break::Gap { expected: self.expected, found: r.seq });
        }
        if chain_hash(&self.prev, r) != r.hash {
            return Err(Break::Hash { seq: r.seq });
        }
        self.prev.clone_from(&r.hash);
        self.expected += 1;
        self.checked += 1;
        Ok(())
    }

    /// Compares the end of the chain with the head row.
    pub fn finish(&self, head_seq: i64, head_hash: &str) -> Result<u64, Break> {
        let last_seq = self.expected - 1;
        if head_seq != last_seq {
            return Err(Break::Head { head_seq, last_seq });
        }
        if head_hash != self.prev {
            // The last record was rewritten with a fresh hash the head never saw.
            return Err(Break::Hash { seq: last_seq });
        }
        Ok(self.checked)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(seq: i64, prev: &str, action: &str) -> Record {
        let mut r = Record {
            seq,
            at: Ts(1_700_000_000_000 + seq),
            actor_id: Some(3),
            actor_name: "wang".into(),
            ip: "10.0.0.8".into(),
            action: action.into(),
            object_type: "unit".into(),
            object_id: seq.to_string(),
            summary: "新增单位".into(),
            before_data: None,
            after_data: Some("{\"name\":\"综合科\"}".into()),
            hash: String::new(),
        };
        r.hash = chain_hash(prev, &r);
        r
    }

    fn chain(n: i64) -> Vec<Record> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|seq| {
                let r = record(seq, &prev, "unit.create");
                prev.clone_from(&r.hash);
                r
            })
            .collect()
    }

    fn verify(records: &[Record], head_seq: i64, head_hash: &str) -> Result<u64, Break> {
        let mut v = Verifier::default();
        for r in records {
            v.check(r)?;
        }
        v.finish(head_seq, head_hash)
    }

    #[test]
    fn an_intact_chain_verifies() {
        let c = chain(5);
        assert_eq!(verify(&c, 5, &c[4].hash), Ok(5));
        assert_eq!(verify(&[], 0, GENESIS), Ok(0));
    }

    #[test]
    fn the_hash_is_sm3_hex_and_covers_every_field() {
        let r = record(1, GENESIS, "unit.create");
        assert_eq!(r.hash.len(), 64);
        let mut edited = r.clone();
        edited.summary.push('。');
        assert_ne!(chain_hash(GENESIS, &edited), r.hash);
        let mut moved = r.clone();
        moved.before_data = moved.after_data.take();
        assert_ne!(chain_hash(GENESIS, &moved), r.hash, "before and after are told apart");
    }

    #[test]
    fn an_edited_record_is_named() {
        let mut c = chain(5);
        c[2].summary = "删除单位".into();
        assert_eq!(verify(&c, 5, &c[4].hash.clone()), Err(Break::Hash { seq: 3 }));
    }

    #[test]
    fn a_deleted_record_leaves_a_gap() {
        let mut c = chain(5);
        let head = c[4].hash.clone();
        c.remove(1);
        assert_eq!(verify(&c, 5, &head), Err(Break::Gap { expected: 2, found: 3 }));
    }

    #[test]
    fn a_deleted_last_record_disagrees_with_the_head() {
        let mut c = chain(5);
        let head = c[4].hash.clone();
        c.pop();
        assert_eq!(verify(&c, 5, &head), Err(Break::Head { head_seq: 5, last_seq: 4 }));
    }

    #[test]
    fn a_rehashed_last_record_disagrees_with_the_head_hash() {
        let mut c = chain(3);
        let head = c[2].hash.clone();
        c[2].summary = "改过".into();
        c[2].hash = chain_hash(&c[1].hash.clone(), &c[2]);
        assert_eq!(verify(&c, 3, &head), Err(Break::Hash { seq: 3 }));
    }

    #[test]
    fn an_inserted_record_breaks_the_chain_after_it() {
        let c = chain(4);
        let forged = record(3, &c[1].hash, "account.create");
        let mut tampered: Vec<Record> = c[..2].to_vec();
        tampered.push(forged);
        for old in &c[2..] {
            let mut shifted = old.clone();
            shifted.seq += 1;
            tampered.push(shifted);
        }
        assert_eq!(verify(&tampered, 5, &tampered[4].hash.clone()), Err(Break::Hash { seq: 4 }));
    }

    #[test]
    fn reordered_records_are_detected() {
        let mut c = chain(5);
        let head = c[4].hash.clone();
        c.swap(1, 2);
        let (a, b) = (c[1].seq, c[2].seq);
        c[1].seq = b;
        c[2].seq = a;
        assert_eq!(verify(&c, 5, &head), Err(Break::Hash { seq: 2 }));
    }

    #[test]
    fn sm3_matches_the_standard_vector() {
        // GB/T 32905-2016 example 1: SM3("abc").
        assert_eq!(
            hex::encode(Sm3::digest(b"abc")),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
    }
}
