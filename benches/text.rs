//! Text benchmarks on the release build: `cargo bench --bench text`.
//! Figures are recorded in docs/PERFORMANCE.md.
//!
//! - comparing two 20 KB Chinese texts (a light revision, and a heavy one)
//! - segmentation throughput (precise mode, one thread)
//! - index terms (search mode) throughput

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rand::SeedableRng;
use rand::rngs::StdRng;
use zhengyan::demo::prose;
use zhengyan::drafting::diff;
use zhengyan::text::Segmenter;

fn texts() -> (String, String, String) {
    let mut rng = StdRng::seed_from_u64(4);
    // About 20 KB of UTF-8: some 7,100 Chinese characters.
    let a = prose::document(&mut rng, "营商环境", 7_100);
    let light = prose::revise(&mut rng, &a, "营商环境");
    let heavy = prose::document(&mut rng, "营商环境", 7_100);
    (a, light, heavy)
}

fn bench(c: &mut Criterion) {
    let (a, light, heavy) = texts();
    eprintln!("text sizes: {} / {} / {} bytes", a.len(), light.len(), heavy.len());
    c.bench_function("diff 20 KB, light revision", |b| b.iter(|| diff::compare(&a, &light)));
    c.bench_function("diff 20 KB, rewritten", |b| b.iter(|| diff::compare(&a, &heavy)));
    let seg = Segmenter::with_words([]);
    let mut g = c.benchmark_group("segmentation");
    g.throughput(Throughput::Bytes(a.len() as u64));
    g.bench_function("words (precise)", |b| b.iter(|| seg.words(&a)));
    g.bench_function("index terms (search mode)", |b| b.iter(|| seg.terms(&a)));
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = bench
}
criterion_main!(benches);
