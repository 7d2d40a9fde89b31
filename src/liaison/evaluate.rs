//! `zhengyan liaison evaluate --labelled FILE.csv [--folds 5]`: how far an
//! office can trust the suggested category. Stratified k-fold cross-validation
//! of exactly the product's learning code ([`super::classify`]): for each fold
//! the vocabulary, the IDF weights and the model are fitted on the other folds
//! only, so nothing of the test fold reaches training. Reports accuracy and
//! macro-F1, per category, and the same figures for the word-only TF-IDF +
//! linear SVM baseline on the same split.

use std::collections::BTreeMap;

use anyhow::{Context, anyhow, bail};

use super::classify::{Example, Features, Model};
use super::import;
use crate::text::Segmenter;

/// Reads labelled examples from a csv file (UTF-8 with or without BOM, or
/// GBK as Excel saves it), with the import's tolerant header matching: a
/// header row within the first ten naming 内容 and 类别 (标题 optional). Rows
/// without a category are left out and counted.
pub fn read_csv(bytes: &[u8]) -> anyhow::Result<(Vec<Example>, usize)> {
    let sheet = import::read_csv(bytes).map_err(|e| match e.row {
        Some(row) => anyhow!("第{row}行：{}", e.message),
        None => anyhow!("{}", e.message),
    })?;
    let found = import::header(&sheet).filter(|(_, cols)| cols.contains_key("类别"));
    let Some((header_at, cols)) = found else {
        let first = sheet.first().map(|(_, cells)| cells.join("，")).unwrap_or_default();
        bail!("表头应包含“标题”“内容”“类别”列（标题可缺），第一行为：{first}");
    };
    let mut out = Vec::new();
    let mut unlabelled = 0;
    for (_, cells) in sheet.iter().skip(header_at + 1) {
        let get = |name: &str| cols.get(name).and_then(|j| cells.get(*j)).cloned().unwrap_or_default();
        let label = get("类别");
        if label.is_empty() {
            unlabelled += 1;
            continue;
        }
        out.push(Example { title: get("标题"), content: get("内容"), label });
    }
    Ok((out, unlabelled))
}

/// Figures of one evaluation.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    /// Share of texts whose suggestion was right.
    pub accuracy: f64,
    /// Mean over categories of F1.
    pub macro_f1: f64,
    /// Per category: (label, support, precision, recall, F1).
    pub per_label: Vec<(String, usize, f64, f64, f64)>,
}

/// Stratified fold of each example: within each category, examples are dealt
/// round-robin in a fixed shuffled order, so every fold has its share of each.
pub fn folds(examples: &[Example], k: usize, seed: u64) -> Vec<usize> {
    let mut by_label: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, e) in examples.iter().enumerate() {
        by_label.entry(e.label.as_str()).or_default().push(i);
    }
    let mut fold = vec![0; examples.len()];
    let mut next = 0usize;
    for idx in by_label.values_mut() {
        idx.sort_unstable_by_key(|i| (*i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ seed);
        for i in idx.iter() {
            fold[*i] = next % k;
            next += 1;
        }
    }
    fold
}

/// Cross-validates one feature set.
pub fn cross_validate(
    seg: &Segmenter,
    features: Features,
    examples: &[Example],
    k: usize,
) -> anyhow::Result<Report> {
    let fold = folds(examples, k, 2026);
    let mut pairs: Vec<(&str, String)> = Vec::with_capacity(examples.len());
    for f in 0..k {
        let train: Vec<Example> =
            examples.iter().zip(&fold).filter(|(_, g)| **g != f).map(|(e, _)| e.clone()).collect();
        let model = Model::train(seg, features, &train).context("训练数据至少要有两个类别")?;
        for (e, _) in examples.iter().zip(&fold).filter(|(_, g)| **g == f) {
            pairs.push((e.label.as_str(), model.suggest(seg, &e.title, &e.content).label));
        }
    }
    Ok(score(&pairs))
}

/// Accuracy and macro-F1 of (truth, prediction) pairs.
pub fn score(pairs: &[(&str, String)]) -> Report {
    let mut labels: Vec<&str> = pairs.iter().map(|(t, _)| *t).collect();
    labels.sort_unstable();
    labels.dedup();
    let right = pairs.iter().filter(|(t, p)| t == p).count();
    let mut per_label = Vec::new();
    for l in &labels {
        let tp = pairs.iter().filter(|(t, p)| t == l && p == l).count() as f64;
        let predicted = pairs.iter().filter(|(_, p)| p == l).count() as f64;
        let support = pairs.iter().filter(|(t, _)| t == l).count();
        let precision = if predicted > 0.0 { tp / predicted } else { 0.0 };
        let recall = if support > 0 { tp / support as f64 } else { 0.0 };
        let f1 = if precision + recall > 0.0 { 2.0 * precision * recall / (precision + recall) } else { 0.0 };
        per_label.push(((*l).to_string(), support, precision, recall, f1));
    }
    let macro_f1 = per_label.iter().map(|r| r.4).sum::<f64>() / per_label.len().max(1) as f64;
    Report { accuracy: right as f64 / pairs.len().max(1) as f64, macro_f1, per_label }
}

/// The command: prints the product's figures and the baseline's.
pub fn run(path: &std::path::Path, k: usize) -> anyhow::Result<()> {
    if !(2..=20).contains(&k) {
        bail!("折数应在2到20之间");
    }
    let bytes = std::fs::read(path).with_context(|| format!("读不到文件 {}", path.display()))?;
    let (examples, unlabelled) = read_csv(&bytes)?;
    if examples.len() < k * 2 {
        bail!("有类别的样本只有{}条，不足以做{}折交叉验证", examples.len(), k);
    }
    let seg = Segmenter::with_words([]);
    println!("样本 {} 条（另有 {} 条没有类别，未使用），{} 折分层交叉验证", examples.len(), unlabelled, k);
    let started = std::time::Instant::now();
    let product = cross_validate(&seg, Features::Product, &examples, k)?;
    let baseline = cross_validate(&seg, Features::WordsOnly, &examples, k)?;
    println!("{:<24}{:>10}{:>10}", "", "准确率", "宏F1");
    println!("{:<20}{:>10.4}{:>10.4}", "本系统（词＋字二元组）", product.accuracy, product.macro_f1);
    println!("{:<20}{:>10.4}{:>10.4}", "基线（词 TF-IDF＋线性SVM）", baseline.accuracy, baseline.macro_f1);
    println!();
    println!("{:<16}{:>8}{:>10}{:>10}{:>10}", "类别", "样本数", "精确率", "召回率", "F1");
    for (l, n, p, r, f) in &product.per_label {
        println!("{l:<16}{n:>8}{p:>10.3}{r:>10.3}{f:>10.3}");
    }
    println!("用时 {:.1} 秒", started.elapsed().as_secs_f64());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::liaison::classify::tests::corpus;

    #[test]
    fn headers_are_matched_tolerantly_and_unlabelled_rows_counted() {
        let csv =
            "\u{feff}序号,Title,问题描述,分类\n1,路灯不亮,村口路灯坏了,基础设施\n2,噪音,工地夜间施工,\n";
        let (rows, unlabelled) = read_csv(csv.as_bytes()).unwrap();
        assert_eq!((rows.len(), unlabelled), (1, 1));
        assert_eq!(rows[0].content, "村口路灯坏了");
        assert!(read_csv("a,b\n1,2\n".as_bytes()).unwrap_err().to_string().contains("标题"));
        // As Excel saves it on Chinese Windows: GBK, a note above the header.
        let (gbk, _, _) =
            encoding_rs::GBK.encode("2024年诉求台账\n类别（必填）,内容,标题\n环保,河道有异味,河道\n");
        let (rows, unlabelled) = read_csv(&gbk).unwrap();
        assert_eq!((rows.len(), unlabelled), (1, 0));
        assert_eq!((rows[0].label.as_str(), rows[0].title.as_str()), ("环保", "河道"));
    }

    #[test]
    fn folds_are_stratified() {
        let data = corpus();
        let fold = folds(&data, 7, 1);
        for f in 0..7 {
            let labels: Vec<&str> =
                data.iter().zip(&fold).filter(|(_, g)| **g == f).map(|(e, _)| e.label.as_str()).collect();
            assert_eq!(labels.len(), 4, "fold {f}: {labels:?}");
            let mut distinct = labels.clone();
            distinct.sort_unstable();
            distinct.dedup();
            assert_eq!(distinct.len(), 4, "each fold holds one of each category");
        }
    }

    #[test]
    fn scores_follow_their_definitions() {
        let pairs = vec![
            ("甲", "甲".to_string()),
            ("甲", "乙".to_string()),
            ("乙", "乙".to_string()),
            ("乙", "乙".to_string()),
        ];
        let r = score(&pairs);
        assert!((r.accuracy - 0.75).abs() < 1e-9);
        // 甲: P 1, R 0.5, F1 2/3; 乙: P 2/3, R 1, F1 0.8.
        assert!((r.macro_f1 - (2.0 / 3.0 + 0.8) / 2.0).abs() < 1e-9, "{r:?}");
    }

    #[test]
    fn cross_validation_on_our_corpus_is_well_above_chance() {
        let seg = Segmenter::with_words([]);
        let r = cross_validate(&seg, Features::Product, &corpus(), 7).unwrap();
        assert!(r.macro_f1 >= 0.6, "{r:?}");
    }

    #[test]
    fn a_test_fold_never_reaches_training() {
        // Each category's texts share no word with any other text, so a model
        // that saw the test fold would be perfect; an honest one cannot be.
        let seg = Segmenter::with_words([]);
        let words = ["苹果", "香蕉", "葡萄", "西瓜", "菠萝", "芒果", "樱桃", "柠檬"];
        let data: Vec<Example> = words
            .iter()
            .enumerate()
            .map(|(i, w)| Example {
                title: (*w).into(),
                content: (*w).into(),
                label: ["甲", "乙"][i % 2].into(),
            })
            .collect();
        let r = cross_validate(&seg, Features::WordsOnly, &data, 4).unwrap();
        assert!(r.accuracy < 1.0, "{r:?}");
    }
}
