//! Grassroots-loop benchmarks on the release build: `cargo bench --bench liaison`.
//! Figures are recorded in docs/PERFORMANCE.md.
//!
//! - segmentation of submissions (precise mode, the domain dictionary, one thread)
//! - the full analysis of one submission (keywords, rule suggestion, risk words, signature)
//! - the near-duplicate check against the history of a scale-1 dataset: needs
//!   `bench-data/zhengyan.db` from `zhengyan gen --scale 1` (1,000,000
//!   submissions) and stops with that message when it is missing. 2,000 checks
//!   in one transaction, as a submission makes it: half lightly edited repeats
//!   of stored submissions, half fresh ones from the generator's phrase banks;
//!   prints p50/p95/p99 (all, and the reader's and the writer's part) and how
//!   many of each were flagged. The band index and the cases' rows are read
//!   once first, as a serving node has them in the file cache.
//!   `ZHENGYAN_BENCH_DB=FILE` measures another copy (one after an ingest run).
//!   Run only under `cargo bench` (test runs do not need the dataset).

#![expect(clippy::expect_used, reason = "a benchmark stops at its first failure")]

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use zhengyan::db::{Db, Query};
use zhengyan::demo::bulk_liaison::{complaint, repeat};
use zhengyan::liaison::analysis::Analyzer;
use zhengyan::liaison::bands::Recent;
use zhengyan::liaison::neardup;
use zhengyan::liaison::signatures::Signatures;
use zhengyan::liaison::submit::{find_duplicate, look_ahead};
use zhengyan::liaison::words::{History, Lexicon, Risk};
use zhengyan::text::Segmenter;

const PLACES: &[&str] =
    &["城关街道东门社区", "河西镇李家村", "高新区创业园", "滨江实验学校", "临江区人民医院"];

fn texts(n: usize) -> Vec<(String, String)> {
    let mut rng = StdRng::seed_from_u64(5);
    (0..n)
        .map(|i| {
            let (_, t, c) = complaint(&mut rng, PLACES[i % PLACES.len()]);
            (t, c)
        })
        .collect()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn near_duplicates() {
    // Another copy of the dataset (one after an ingest run, say) by `ZHENGYAN_BENCH_DB`.
    let path = std::env::var_os("ZHENGYAN_BENCH_DB").map_or_else(
        || std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("bench-data/zhengyan.db"),
        std::path::PathBuf::from,
    );
    assert!(
        path.exists(),
        "{} is missing: run `ZHENGYAN_DATA_DIR=bench-data target/release/zhengyan gen --scale 1 --seed 1 --audit 100000` first",
        path.display()
    );
    let rt =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    rt.block_on(async {
        let db = Db::connect(&format!("sqlite://{}", path.display()), 4).await.expect("db");
        let total: i64 = db.scalar(Query::new("select count(*) from liaison_cases")).await.expect("count");
        // A node that has been serving has the band index and the cases' rows in the
        // file cache; a copy just made or an ingest run just ended may not (cold, the
        // p99 is the disk's: 10-20 ms). Read both once, as a running node would have.
        let warming = Instant::now();
        let _: (i64, Option<i64>) = db
            .one(Query::new(
                "select (select count(*) from liaison_bands), (select sum(length(signature)) from liaison_cases)",
            ))
            .await
            .expect("warm the file cache");
        println!("file cache warmed in {:.1} s", warming.elapsed().as_secs_f64());
        // As a node starts: the cases after the fold point (an earlier ingest's) read into memory at first use.
        let recent = Recent::default();
        // The node's memory of signatures starts empty, as after a restart.
        let memory = Signatures::default();
        let stored: Vec<(i64, String, String, Option<i64>)> = db
            .all(Query::new(
                "select id, title, content, dup_of from liaison_cases where id % 997 = 3 and dup_of is null \
                 order by id limit 1000",
            ))
            .await
            .expect("sample");
        let mut rng = StdRng::seed_from_u64(9);
        let mut probes: Vec<(String, Option<i64>)> = stored
            .iter()
            .map(|(id, t, c, _)| (format!("{t}\n{}", repeat(&mut rng, c)), Some(*id)))
            .collect();
        for (t, c) in texts(1000) {
            probes.push((format!("{t}\n{c}"), None));
        }
        let mut times = Vec::with_capacity(probes.len());
        // The two parts: the reader's look and the writer's.
        let mut parts = (Vec::with_capacity(probes.len()), Vec::with_capacity(probes.len()));
        // (flagged as a repeat of anything, of exactly the original).
        let mut found = (0, 0);
        let mut flagged = 0;
        let mut tx = db.begin().await.expect("tx");
        for (text, original) in &probes {
            let sig = neardup::signature(text);
            let started = Instant::now();
            // As a submission does it: a reader's look, then the writer's for what came since.
            let seen = look_ahead(&db, (&recent, &memory), &sig, 0).await.expect("look ahead");
            let looked = started.elapsed();
            let hit = find_duplicate(&mut tx, (&recent, &memory), &sig, seen).await.expect("lookup");
            times.push(started.elapsed());
            parts.0.push(looked);
            parts.1.push(started.elapsed() - looked);
            match original {
                Some(id) => {
                    found.0 += usize::from(hit.is_some());
                    found.1 += usize::from(hit.is_some_and(|(h, _)| h == *id));
                }
                None => flagged += usize::from(hit.is_some()),
            }
        }
        // Dropped without commit: rolled back, nothing written.
        drop(tx);
        times.sort_unstable();
        parts.0.sort_unstable();
        parts.1.sort_unstable();
        println!(
            "near-duplicate check against {total} submissions, {} lookups: p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            times.len(),
            percentile(&times, 0.5).as_secs_f64() * 1e3,
            percentile(&times, 0.95).as_secs_f64() * 1e3,
            percentile(&times, 0.99).as_secs_f64() * 1e3,
            times.last().expect("times").as_secs_f64() * 1e3,
        );
        for (name, t) in [("the reader's look", &parts.0), ("the writer's look", &parts.1)] {
            println!(
                "  {name}: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
                percentile(t, 0.5).as_secs_f64() * 1e3,
                percentile(t, 0.99).as_secs_f64() * 1e3,
                t.last().expect("times").as_secs_f64() * 1e3,
            );
        }
        println!(
            "  edited repeats flagged: {}/{n} (naming exactly the original: {}/{n}); fresh texts from the same \
             phrase banks flagged: {flagged}/1000",
            found.0,
            found.1,
            n = stored.len()
        );
    });
}

fn bench(c: &mut Criterion) {
    let sample = texts(2_000);
    let bytes: usize = sample.iter().map(|(t, c)| t.len() + c.len() + 1).sum();
    let joined: Vec<String> = sample.iter().map(|(t, c)| format!("{t}\n{c}")).collect();
    let seg = Arc::new(Segmenter::with_words(PLACES.iter().copied()));
    let mut g = c.benchmark_group("submissions");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("segmentation, 2,000 submissions", |b| {
        b.iter(|| joined.iter().map(|t| seg.words(t).len()).sum::<usize>())
    });
    let mut history = History::default();
    for t in &joined {
        history.add(&seg.words(t));
    }
    let lexicon = Lexicon::new([("集体上访".to_string(), Risk::High), ("拉横幅".to_string(), Risk::High)]);
    let analyzer = Analyzer::new(seg, None, history, lexicon);
    g.bench_function("full analysis, 2,000 submissions", |b| {
        b.iter(|| sample.iter().map(|(t, c)| analyzer.analyse(t, c).keywords.len()).sum::<usize>())
    });
    g.finish();
    let mut rng = StdRng::seed_from_u64(1);
    let one = &sample[rng.random_range(0..sample.len())];
    c.bench_function("signature of one submission", |b| b.iter(|| neardup::signature(&one.1)));
    // Only under `cargo bench` (which passes --bench): test runs and listings do not need the dataset.
    if std::env::args().any(|a| a == "--bench") {
        near_duplicates();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
