//! Keywords of a submission and its public-opinion risk words (舆情), pure.
//!
//! Keywords: the submission's words weighted by TF-IDF against the office's
//! history (document frequencies kept by the store as submissions arrive), so
//! words every submission uses (“反映”, “问题”) sink and the particular ones
//! (“路灯”, “拖欠”) rise. Single characters, numbers and stop words are left out.
//!
//! Risk words: an editable lexicon of words with a level (1 关注, 2 预警,
//! 3 高危); a submission's level is the highest it contains.

use std::collections::HashMap;

use crate::text::Segmenter;

/// Words too common in submissions to say anything about one.
const COMMON: &[&str] = &[
    "反映", "问题", "希望", "要求", "情况", "有关", "部门", "相关", "进行", "没有", "我们", "他们", "现在",
    "目前", "一直", "已经", "还是", "这个", "那个", "什么", "怎么", "可以", "不能", "请求", "尽快", "解决",
    "处理",
];

/// Document frequencies of words over the office's submissions.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct History {
    /// Submissions counted.
    pub docs: u64,
    /// Submissions holding each word.
    pub df: HashMap<String, u64>,
}

impl History {
    /// Counts one more submission's words.
    pub fn add(&mut self, words: &[String]) {
        self.docs += 1;
        let mut seen: Vec<&String> = words.iter().collect();
        seen.sort_unstable();
        seen.dedup();
        for w in seen {
            *self.df.entry(w.clone()).or_default() += 1;
        }
    }

    fn idf(&self, word: &str) -> f64 {
        let df = self.df.get(word).copied().unwrap_or(0);
        ((1.0 + self.docs as f64) / (1.0 + df as f64)).ln() + 1.0
    }
}

fn meaningful(word: &str) -> bool {
    word.chars().count() >= 2 && !word.chars().all(|c| c.is_ascii_digit()) && !COMMON.contains(&word)
}

/// The `n` most telling words of a text, best first (ties in order of first appearance).
pub fn keywords(seg: &Segmenter, history: &History, text: &str, n: usize) -> Vec<String> {
    let words: Vec<String> = seg.words(text).into_iter().filter(|w| meaningful(w)).collect();
    let mut tf: Vec<(String, f64, usize)> = Vec::new();
    for (pos, w) in words.iter().enumerate() {
        match tf.iter_mut().find(|(x, _, _)| x == w) {
            Some(e) => e.1 += 1.0,
            None => tf.push((w.clone(), 1.0, pos)),
        }
    }
    let mut scored: Vec<(String, f64, usize)> = tf
        .into_iter()
        .map(|(w, c, pos)| {
            let s = (1.0 + f64::ln(c)) * history.idf(&w);
            (w, s, pos)
        })
        .collect();
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.2.cmp(&b.2)));
    scored.into_iter().take(n).map(|(w, _, _)| w).collect()
}

/// Risk levels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Risk {
    /// 关注.
    Watch = 1,
    /// 预警.
    Warn = 2,
    /// 高危.
    High = 3,
}

impl Risk {
    /// Every level, lowest first.
    pub const ALL: &'static [Risk] = &[Risk::Watch, Risk::Warn, Risk::High];

    /// The level of a stored number.
    pub fn from_level(n: i64) -> Option<Risk> {
        Risk::ALL.iter().copied().find(|r| *r as i64 == n)
    }

    /// The Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            Risk::Watch => "关注",
            Risk::Warn => "预警",
            Risk::High => "高危",
        }
    }
}

/// The office's risk lexicon.
#[derive(Clone, Debug, Default)]
pub struct Lexicon {
    entries: Vec<(String, Risk)>,
}

impl Lexicon {
    /// A lexicon from (word, level) entries; blank words are ignored, a repeated word keeps its highest level.
    pub fn new(entries: impl IntoIterator<Item = (String, Risk)>) -> Lexicon {
        let mut out: Vec<(String, Risk)> = Vec::new();
        for (w, r) in entries {
            let w = w.trim().to_string();
            if w.is_empty() {
                continue;
            }
            match out.iter_mut().find(|(x, _)| *x == w) {
                Some(e) => e.1 = e.1.max(r),
                None => out.push((w, r)),
            }
        }
        // Longer words first, so “集体上访” is reported rather than its part “上访”.
        out.sort_by(|a, b| b.0.chars().count().cmp(&a.0.chars().count()).then(a.0.cmp(&b.0)));
        Lexicon { entries: out }
    }

    /// The risk words a text contains (by substring, as offices write them), and the highest level.
    pub fn scan(&self, text: &str) -> (Vec<(String, Risk)>, Option<Risk>) {
        let mut rest = text.to_string();
        let mut found = Vec::new();
        for (w, r) in &self.entries {
            if rest.contains(w.as_str()) {
                found.push((w.clone(), *r));
                rest = rest.replace(w.as_str(), "\u{0}");
            }
        }
        // In the order the text says them.
        found.sort_by_key(|(w, _)| text.find(w.as_str()).unwrap_or(usize::MAX));
        let top = found.iter().map(|(_, r)| *r).max();
        (found, top)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_rise_above_words_every_submission_uses() {
        let seg = Segmenter::with_words([]);
        let mut h = History::default();
        for t in ["反映小区停车难问题", "反映道路破损问题", "反映噪音扰民问题", "反映垃圾清运问题"]
        {
            h.add(&seg.words(t));
        }
        let k = keywords(&seg, &h, "反映村口的路灯坏了的问题，路灯半个月没人修，晚上出行不便", 3);
        assert_eq!(k.first().map(String::as_str), Some("路灯"), "{k:?}");
        assert!(!k.iter().any(|w| w == "反映" || w == "问题"), "{k:?}");
    }

    #[test]
    fn risk_words_give_the_highest_level_and_prefer_the_longer_word() {
        let lex = Lexicon::new([
            ("上访".to_string(), Risk::Watch),
            ("集体上访".to_string(), Risk::High),
            ("拖欠工资".to_string(), Risk::Warn),
            ("  ".to_string(), Risk::High),
            ("上访".to_string(), Risk::Warn),
        ]);
        let (found, top) = lex.scan("工地拖欠工资，工人准备集体上访");
        assert_eq!(top, Some(Risk::High));
        let words: Vec<&str> = found.iter().map(|(w, _)| w.as_str()).collect();
        assert_eq!(
            words,
            vec!["拖欠工资", "集体上访"],
            "in text order; the part inside a longer word is not counted again"
        );
        let (found, top) = lex.scan("多次到信访局上访");
        assert_eq!((found.len(), top), (1, Some(Risk::Warn)), "a repeated entry keeps its highest level");
        assert_eq!(lex.scan("路灯不亮").1, None);
        assert_eq!(Risk::High.label(), "高危");
    }
}
