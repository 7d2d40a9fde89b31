//! The suggested category of a grassroots submission, learned from the
//! office's own labelled history (L3).
//!
//! Features: the words of title and content (jieba, the platform's dictionary)
//! and the character bigrams of the same text, title words counted twice; TF-IDF
//! with sublinear term frequency, each vector scaled to unit length. Model: one
//! linear SVM per category against the rest (L2-regularised hinge loss), trained
//! by dual coordinate descent — the algorithm of LIBLINEAR, written here in
//! ~40 lines because it is small, deterministic and needs no native library.
//! The suggestion is the category with the highest score; its confidence is a
//! softmax of the scores (an ordering of trust, not a calibrated probability).
//!
//! Why not an ML crate: linfa-svm trains kernel SVMs with SMO (slow on sparse
//! text and a heavy dependency tree); smartcore has no sparse input. A linear
//! model on sparse TF-IDF is what text classification wants, and it is the
//! baseline the issue names, so it is written here and tested against it.

use std::collections::HashMap;

use crate::text::Segmenter;

/// One labelled example.
#[derive(Clone, Debug)]
pub struct Example {
    /// Title.
    pub title: String,
    /// Content.
    pub content: String,
    /// Category.
    pub label: String,
}

/// Which features to use (the product's, or the word-only baseline).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Features {
    /// Words, title words twice, and character bigrams.
    Product,
    /// Words of title and content only (what an office's IT staff would build first).
    WordsOnly,
}

/// A sparse vector: (feature index, value), sorted by index.
type Sparse = Vec<(u32, f32)>;

/// Turns texts into feature counts, before any vocabulary.
fn tokens(seg: &Segmenter, features: Features, title: &str, content: &str) -> Vec<String> {
    let mut out = Vec::new();
    match features {
        Features::WordsOnly => {
            out.extend(seg.words(title));
            out.extend(seg.words(content));
        }
        Features::Product => {
            for w in seg.words(title) {
                out.push(format!("t:{w}"));
                out.push(w);
            }
            out.extend(seg.words(content));
            for text in [title, content] {
                let chars: Vec<char> =
                    text.chars().filter(|c| !c.is_whitespace() && !c.is_ascii_punctuation()).collect();
                for pair in chars.windows(2) {
                    out.push(format!("b:{}{}", pair[0], pair[1]));
                }
            }
        }
    }
    out
}

/// Vocabulary and inverse document frequencies, fitted on training texts only.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
struct Vocabulary {
    index: HashMap<String, u32>,
    idf: Vec<f32>,
}

impl Vocabulary {
    /// Words seen in at least `min_df` training texts.
    fn fit(docs: &[Vec<String>], min_df: usize) -> Vocabulary {
        let mut df: HashMap<&str, usize> = HashMap::new();
        for d in docs {
            let mut seen: Vec<&str> = d.iter().map(String::as_str).collect();
            seen.sort_unstable();
            seen.dedup();
            for t in seen {
                *df.entry(t).or_default() += 1;
            }
        }
        let mut kept: Vec<(&str, usize)> = df.into_iter().filter(|(_, n)| *n >= min_df).collect();
        kept.sort_unstable();
        let n = docs.len() as f32;
        let mut index = HashMap::with_capacity(kept.len());
        let mut idf = Vec::with_capacity(kept.len());
        for (i, (t, d)) in kept.into_iter().enumerate() {
            index.insert(t.to_string(), i as u32);
            idf.push(((1.0 + n) / (1.0 + d as f32)).ln() + 1.0);
        }
        Vocabulary { index, idf }
    }

    /// The unit-length TF-IDF vector of one text's tokens (unknown tokens dropped).
    fn vector(&self, tokens: &[String]) -> Sparse {
        let mut counts: HashMap<u32, f32> = HashMap::new();
        for t in tokens {
            if let Some(i) = self.index.get(t) {
                *counts.entry(*i).or_default() += 1.0;
            }
        }
        let mut v: Sparse =
            counts.into_iter().map(|(i, tf)| (i, (1.0 + tf.ln()) * self.idf[i as usize])).collect();
        v.sort_unstable_by_key(|(i, _)| *i);
        let norm = v.iter().map(|(_, x)| x * x).sum::<f32>().sqrt();
        if norm > 0.0 {
            for (_, x) in &mut v {
                *x /= norm;
            }
        }
        v
    }
}

fn dot(w: &[f32], x: &Sparse) -> f32 {
    x.iter().map(|(i, v)| w[*i as usize] * v).sum()
}

/// One binary linear SVM by dual coordinate descent (hinge loss, L2, bias as a
/// constant feature). `y` is +1 or -1.
fn train_binary(xs: &[Sparse], y: &[f32], dims: usize, c: f32, epochs: usize) -> (Vec<f32>, f32) {
    let mut w = vec![0.0f32; dims];
    let mut b = 0.0f32;
    let mut alpha = vec![0.0f32; xs.len()];
    // Each vector has unit length; the bias feature adds 1.
    let qii: Vec<f32> = xs.iter().map(|x| x.iter().map(|(_, v)| v * v).sum::<f32>() + 1.0).collect();
    // A fixed visiting order that changes each epoch, for determinism.
    let mut order: Vec<usize> = (0..xs.len()).collect();
    for epoch in 0..epochs {
        order.sort_unstable_by_key(|i| {
            (i.wrapping_mul(2_654_435_761) ^ epoch.wrapping_mul(40_503)) % 1_000_003
        });
        let mut moved = 0.0f32;
        for &i in &order {
            let g = y[i] * (dot(&w, &xs[i]) + b) - 1.0;
            let pg = if alpha[i] <= 0.0 {
                g.min(0.0)
            } else if alpha[i] >= c {
                g.max(0.0)
            } else {
                g
            };
            if pg.abs() > 1e-6 {
                let old = alpha[i];
                alpha[i] = (old - g / qii[i]).clamp(0.0, c);
                let d = (alpha[i] - old) * y[i];
                for (j, v) in &xs[i] {
                    w[*j as usize] += d * v;
                }
                b += d;
                moved = moved.max(pg.abs());
            }
        }
        if moved < 1e-3 {
            break;
        }
    }
    (w, b)
}

/// A trained model (kept in the store as JSON, so every node suggests alike).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Model {
    features: Features,
    vocabulary: Vocabulary,
    labels: Vec<String>,
    weights: Vec<(Vec<f32>, f32)>,
}

/// A suggestion with its confidence (0–1).
#[derive(Clone, Debug, PartialEq)]
pub struct Suggestion {
    /// Category.
    pub label: String,
    /// Softmax of the scores.
    pub confidence: f32,
}

impl Model {
    /// Trains on labelled examples (at least two categories).
    pub fn train(seg: &Segmenter, features: Features, examples: &[Example]) -> Option<Model> {
        let mut labels: Vec<String> = examples.iter().map(|e| e.label.clone()).collect();
        labels.sort();
        labels.dedup();
        if labels.len() < 2 {
            return None;
        }
        let docs: Vec<Vec<String>> =
            examples.iter().map(|e| tokens(seg, features, &e.title, &e.content)).collect();
        let min_df = if examples.len() >= 1000 { 2 } else { 1 };
        let vocabulary = Vocabulary::fit(&docs, min_df);
        let xs: Vec<Sparse> = docs.iter().map(|d| vocabulary.vector(d)).collect();
        let dims = vocabulary.idf.len();
        let weights = labels
            .iter()
            .map(|l| {
                let y: Vec<f32> = examples.iter().map(|e| if &e.label == l { 1.0 } else { -1.0 }).collect();
                train_binary(&xs, &y, dims, 1.0, 30)
            })
            .collect();
        Some(Model { features, vocabulary, labels, weights })
    }

    /// The categories it knows.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// The suggested category of a new text.
    pub fn suggest(&self, seg: &Segmenter, title: &str, content: &str) -> Suggestion {
        let x = self.vocabulary.vector(&tokens(seg, self.features, title, content));
        let scores: Vec<f32> = self.weights.iter().map(|(w, b)| dot(w, &x) + b).collect();
        let (best, top) = scores
            .iter()
            .enumerate()
            .fold((0, f32::MIN), |acc, (i, s)| if *s > acc.1 { (i, *s) } else { acc });
        let sum: f32 = scores.iter().map(|s| ((s - top) * 3.0).exp()).sum();
        Suggestion { label: self.labels[best].clone(), confidence: 1.0 / sum }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A small corpus of our own: four categories of grassroots issues.
    pub fn corpus() -> Vec<Example> {
        let rows: &[(&str, &str, &str)] = &[
            ("路灯不亮", "村口主干道路灯坏了半个月，晚上出行不安全", "基础设施"),
            ("道路坑洼", "通往镇上的水泥路破损严重，雨天积水车辆难行", "基础设施"),
            ("桥梁护栏损坏", "河上小桥护栏断裂，学生上学经过存在隐患", "基础设施"),
            ("自来水停水", "小区连续三天停水，没有提前通知居民", "基础设施"),
            ("排水沟堵塞", "街道排水沟堵塞，下雨后污水漫到路面", "基础设施"),
            ("道路照明不足", "新修的道路没有路灯，夜间骑车看不清路面", "基础设施"),
            ("公交站台破损", "公交站台顶棚漏雨，座椅损坏无人维修", "基础设施"),
            ("低保申请", "家中老人生病无收入，申请低保一直没有答复", "社会保障"),
            ("养老金发放", "退休人员养老金本月没有按时到账", "社会保障"),
            ("医保报销慢", "住院费用医保报销材料交了两个月还没办好", "社会保障"),
            ("残疾补贴", "残疾人两项补贴今年没有领到，询问无人答复", "社会保障"),
            ("困难救助", "因病致贫家庭申请临时救助，希望尽快审批", "社会保障"),
            ("高龄津贴", "八十岁以上老人高龄津贴停发了，不知道原因", "社会保障"),
            ("医保转移", "外地医保关系转不过来，看病不能报销", "社会保障"),
            ("噪音扰民", "工地夜间施工噪音很大，影响居民休息", "生态环境"),
            ("河道污染", "养殖场废水直排河道，河水发黑发臭", "生态环境"),
            ("垃圾焚烧", "有人在田边焚烧垃圾，烟雾呛人", "生态环境"),
            ("油烟污染", "楼下饭店油烟直排，居民家里不敢开窗", "生态环境"),
            ("扬尘严重", "搅拌站扬尘严重，周边菜地蒙上一层灰", "生态环境"),
            ("垃圾清运不及时", "村里垃圾桶满了好几天没人清运，气味难闻", "生态环境"),
            ("工厂排放废气", "化工厂晚上偷排废气，附近居民头晕", "生态环境"),
            ("拖欠工资", "在工地干了半年，老板拖欠工资不给", "劳动就业"),
            ("社保未缴", "公司没有给员工缴纳社会保险", "劳动就业"),
            ("加班无报酬", "工厂长期加班不给加班费", "劳动就业"),
            ("就业培训", "失业人员想参加技能培训，不知道去哪里报名", "劳动就业"),
            ("劳动合同", "单位不签劳动合同，辞退时不给补偿", "劳动就业"),
            ("农民工工资", "农民工工资被包工头拖欠，年底拿不到钱", "劳动就业"),
            ("招聘歧视", "招聘时限制年龄和户籍，求职很难", "劳动就业"),
        ];
        rows.iter()
            .map(|(t, c, l)| Example { title: (*t).into(), content: (*c).into(), label: (*l).into() })
            .collect()
    }

    #[test]
    fn it_learns_the_categories_of_a_small_corpus() {
        let seg = Segmenter::with_words([]);
        let model = Model::train(&seg, Features::Product, &corpus()).unwrap();
        assert_eq!(model.labels().len(), 4);
        let s = model.suggest(&seg, "工资拖欠", "包工头拖欠我们三个月工资");
        assert_eq!(s.label, "劳动就业");
        assert!(s.confidence > 0.25 && s.confidence <= 1.0, "{s:?}");
        assert_eq!(model.suggest(&seg, "污水直排", "河道里有工厂废水，发臭").label, "生态环境");
        assert_eq!(model.suggest(&seg, "路灯坏了", "小区路灯不亮").label, "基础设施");
        assert_eq!(model.suggest(&seg, "养老金", "养老金没有到账").label, "社会保障");
    }

    #[test]
    fn one_category_is_not_enough_to_learn() {
        let seg = Segmenter::with_words([]);
        let one: Vec<Example> = corpus().into_iter().filter(|e| e.label == "劳动就业").collect();
        assert!(Model::train(&seg, Features::Product, &one).is_none());
    }

    #[test]
    fn the_vocabulary_holds_only_what_training_saw() {
        let train = vec![vec!["工资".to_string(), "拖欠".to_string()], vec!["路灯".to_string()]];
        let v = Vocabulary::fit(&train, 1);
        assert_eq!(v.vector(&["外星人".to_string()]), Vec::<(u32, f32)>::new());
        let x = v.vector(&["工资".to_string(), "工资".to_string(), "路灯".to_string()]);
        let norm: f32 = x.iter().map(|(_, v)| v * v).sum();
        assert!((norm - 1.0).abs() < 1e-5);
    }
}
