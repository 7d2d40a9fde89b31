//! Audit-trail and sign-in benchmarks on the release build:
//! `cargo bench --bench audit`. Figures are recorded in docs/PERFORMANCE.md.
//!
//! - append, one record per transaction (what every audited action does)
//! - append in batches of 1,000 (what `zhengyan gen` and imports do)
//! - the SM3 chain hash of one record
//! - verification throughput (records per second)
//! - one argon2id password hash (why sign-in is deliberately slow)

#![expect(clippy::expect_used, reason = "a benchmark stops at its first failure")]

use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use zhengyan::audit::model::{GENESIS, Record, chain_hash};
use zhengyan::audit::{Actor, Event, append};
use zhengyan::clock::Ts;
use zhengyan::db::Db;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime")
}

async fn fresh_db(dir: &std::path::Path) -> Db {
    let db = Db::connect(&format!("sqlite://{}", dir.join("bench.db").display()), 4).await.expect("db");
    db.migrate().await.expect("migrate");
    db
}

fn event(i: u64) -> (Ts, Actor, Event) {
    let ev = Event::new("unit.update", "unit", i % 5000)
        .summary("修改单位信息")
        .before(&serde_json::json!({ "name": "原名称", "sort_order": i % 10 }))
        .after(&serde_json::json!({ "name": "新名称", "sort_order": i % 10 + 1 }));
    (Ts(1_700_000_000_000 + i as i64), Actor { id: Some(7), name: "zys01".into(), ip: "10.1.2.3".into() }, ev)
}

fn appends(c: &mut Criterion) {
    let rt = runtime();
    let dir = tempfile::tempdir().expect("dir");
    let db = rt.block_on(fresh_db(dir.path()));
    let mut g = c.benchmark_group("audit_append_sqlite");
    g.throughput(Throughput::Elements(1));
    g.bench_function("one_record_per_transaction", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let start = Instant::now();
                for i in 0..iters {
                    let (at, actor, ev) = event(i);
                    let mut tx = db.begin().await.expect("tx");
                    append(&mut tx, at, &actor, &ev).await.expect("append");
                    tx.commit().await.expect("commit");
                }
                start.elapsed()
            })
        })
    });
    g.throughput(Throughput::Elements(1000));
    g.bench_function("batches_of_1000", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let mut total = Duration::ZERO;
                for k in 0..iters {
                    let events: Vec<_> = (0..1000).map(|i| event(k * 1000 + i)).collect();
                    let start = Instant::now();
                    let mut tx = db.begin().await.expect("tx");
                    zhengyan::audit::store::append_batch(&mut tx, &events).await.expect("batch");
                    tx.commit().await.expect("commit");
                    total += start.elapsed();
                }
                total
            })
        })
    });
    g.finish();

    let mut g = c.benchmark_group("audit_verify_sqlite");
    let n = rt.block_on(zhengyan::audit::store::head_seq(&db)).expect("head");
    g.throughput(Throughput::Elements(n as u64));
    g.sample_size(10);
    g.bench_function("whole_chain", |b| {
        b.iter(|| {
            let v = rt.block_on(zhengyan::audit::store::verify(&db, |_| {})).expect("verify");
            assert!(v.broken.is_none());
        })
    });
    g.finish();
}

fn hashing(c: &mut Criterion) {
    let mut r = Record {
        seq: 1,
        at: Ts(1_700_000_000_000),
        actor_id: Some(7),
        actor_name: "zys01".into(),
        ip: "10.1.2.3".into(),
        action: "unit.update".into(),
        object_type: "unit".into(),
        object_id: "42".into(),
        summary: "修改单位信息".into(),
        before_data: Some("{\"name\":\"原名称\"}".into()),
        after_data: Some("{\"name\":\"新名称\"}".into()),
        hash: String::new(),
    };
    let mut g = c.benchmark_group("hashing");
    g.throughput(Throughput::Elements(1));
    g.bench_function("sm3_chain_hash_of_one_record", |b| {
        b.iter(|| {
            r.hash = chain_hash(GENESIS, &r);
        })
    });
    g.sample_size(10);
    g.bench_function("argon2id_password_hash", |b| {
        b.iter(|| zhengyan::auth::password::hash_now("Demo@2026").expect("hash"))
    });
    g.finish();
}

criterion_group!(benches, appends, hashing);
criterion_main!(benches);
