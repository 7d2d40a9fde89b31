//! Chinese text: word segmentation with the office's own dictionary.
//!
//! One [`Segmenter`] per process (jieba-rs with its built-in dictionary, about
//! 200 ms to build): the policy terms compiled in below, the unit names of the
//! org tree and the words administrators add (`text_words`). It is rebuilt when
//! the counter `text.version` or the unit counter moves, so every node follows
//! another node's edit at its next use ([`segmenter`]).
//!
//! [`Segmenter::terms`] gives the words a text is indexed under (search mode:
//! a long word and its parts), [`Segmenter::query`] the words of a query, each
//! with the parts it may be found under. Tokens are normalised the same way on
//! both sides: lower-case, punctuation dropped, and a run of Latin letters or
//! digits cut from the Chinese beside it ("2026年" → "2026", "年"), so the two
//! databases' full-text tokenisers see identical words.

pub mod words;

use std::sync::Arc;

use jieba_rs::Jieba;

use crate::db::memo::Memo;
use crate::db::{Db, DbResult, Query};

/// Terms of the work that the general dictionary cuts apart.
pub const POLICY_TERMS: &[&str] = &[
    "政研室",
    "政研系统",
    "改革办",
    "深化改革",
    "全面深化改革",
    "决策参考",
    "调查研究",
    "以文辅政",
    "基层联系点",
    "双过半",
    "营商环境",
    "乡村振兴",
    "共同富裕",
    "高质量发展",
    "新质生产力",
    "放管服",
    "一网通办",
    "最多跑一次",
    "河湖长制",
    "林长制",
    "网格化",
    "接诉即办",
    "领导批示",
    "督查督办",
    "四色督办",
    "典型案例",
    "改革试点",
    "容缺受理",
    "政务服务",
    "数字政府",
    "民营经济",
    "招商引资",
    "城乡融合",
    "三农",
    "集体经济",
    "老旧小区",
    "物业管理",
    "养老服务",
    "托育服务",
    "医保报销",
    "义务教育",
    "课后服务",
    "安全生产",
    "生态环境",
    "碳达峰",
    "碳中和",
];

/// A query word and the parts it may be indexed under.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryWord {
    /// The word as cut from the query.
    pub word: String,
    /// Its parts (search mode), when it has any; a text holding all of them also matches.
    pub parts: Vec<String>,
}

/// The segmenter with the dictionary it was built from.
pub struct Segmenter {
    jieba: Jieba,
}

impl std::fmt::Debug for Segmenter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Segmenter").finish_non_exhaustive()
    }
}

impl Segmenter {
    /// The built-in dictionary plus the policy terms and `extra` words.
    pub fn with_words<'a>(extra: impl IntoIterator<Item = &'a str>) -> Segmenter {
        let mut jieba = Jieba::new();
        for w in POLICY_TERMS.iter().copied().chain(extra) {
            let w = w.trim();
            if w.chars().count() >= 2 && !w.chars().any(char::is_whitespace) {
                // A frequency above the common words' keeps the term whole.
                jieba.add_word(w, Some(50_000), None);
            }
        }
        Segmenter { jieba }
    }

    /// Words of `text` in order, normalised, punctuation dropped (precise mode).
    pub fn words(&self, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        for t in self.jieba.cut(text, true) {
            normalise_into(t.word, &mut out);
        }
        out
    }

    /// Words a text is indexed under, space-separated: every word and, for a
    /// long word, its dictionary parts (search mode).
    pub fn terms(&self, text: &str) -> String {
        let mut out = Vec::new();
        for t in self.jieba.cut_for_search(text, true) {
            normalise_into(t.word, &mut out);
        }
        out.join(" ")
    }

    /// The words of a query, without repeats, each with its parts.
    pub fn query(&self, text: &str) -> Vec<QueryWord> {
        let mut out: Vec<QueryWord> = Vec::new();
        for word in self.words(text) {
            if out.iter().any(|q| q.word == word) || is_stop(&word) {
                continue;
            }
            // A dictionary word is a token wherever a text holds it (the index
            // is cut in search mode with the same dictionary), so it is looked
            // up as itself. A word the segmenter only guessed (HMM) may be cut
            // differently inside a text; it is also found as its parts.
            let parts = if self.knows(&word) { Vec::new() } else { self.covering_parts(&word) };
            out.push(QueryWord { word, parts });
        }
        if out.is_empty() {
            // A query of stop words only still searches for them.
            out = self.words(text).into_iter().map(|word| QueryWord { word, parts: Vec::new() }).collect();
            out.dedup();
        }
        out
    }

    /// The shorter dictionary words (search mode) that together cover `word`, or none.
    pub fn covering_parts(&self, word: &str) -> Vec<String> {
        let mut parts = Vec::new();
        for t in self.jieba.cut_for_search(word, true) {
            normalise_into(t.word, &mut parts);
        }
        parts.retain(|p| p != word && p.chars().count() < word.chars().count());
        parts.dedup();
        // Only parts that cover the word are a fair stand-in for it.
        let covered: usize = parts
            .iter()
            .filter(|p| !parts.iter().any(|q| q != *p && q.contains(p.as_str())))
            .map(|p| p.chars().count())
            .sum();
        if covered < word.chars().count() {
            parts.clear();
        }
        parts
    }

    /// True when the word is in the dictionary.
    pub fn knows(&self, word: &str) -> bool {
        self.jieba.has_word(word)
    }
}

/// Particles and function words a query does without.
fn is_stop(word: &str) -> bool {
    const STOP: &[&str] = &[
        "的", "了", "和", "与", "及", "或", "在", "是", "对", "把", "被", "从", "等", "之", "其", "为", "以",
        "于", "中", "上", "下", "有关", "关于", "进行", "一个", "一些", "这个", "那个", "我们", "你们",
        "the", "a", "of", "and",
    ];
    STOP.contains(&word)
}

/// Is `c` a Chinese (CJK) character?
fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Cjk,
    Alnum,
    Other,
}

fn class(c: char) -> Class {
    if is_cjk(c) {
        Class::Cjk
    } else if c.is_alphanumeric() {
        Class::Alnum
    } else {
        Class::Other
    }
}

/// Pushes the normalised pieces of one token.
fn normalise_into(token: &str, out: &mut Vec<String>) {
    let mut piece = String::new();
    let mut last = Class::Other;
    for c in token.chars() {
        let k = class(c);
        if k != last && !piece.is_empty() {
            out.push(std::mem::take(&mut piece));
        }
        if k != Class::Other {
            piece.extend(c.to_lowercase());
        }
        last = k;
    }
    if !piece.is_empty() {
        out.push(piece);
    }
}

/// The counter moved by every change to `text_words`.
pub const VERSION_KEY: &str = "text.version";

/// The process's segmenter and what it was built from; many requests that
/// find it stale at once (a node starting under load) build it once.
static CURRENT: Memo<Stamp, Segmenter> = Memo::new();

/// What the process's segmenter was built from: the dictionary's and the unit tree's change counters.
pub type Stamp = (Option<String>, Option<String>);

/// The process's segmenter, rebuilt when the domain dictionary or the unit tree
/// changed since it was built.
pub async fn segmenter(db: &Db) -> DbResult<Arc<Segmenter>> {
    let stamp: Stamp = db
        .one(
            Query::new("select (select value from settings where key = $1), (select value from settings where key = $2)")
                .bind(VERSION_KEY)
                .bind(crate::org::units::directory::VERSION_KEY),
        )
        .await?;
    segmenter_at(db, stamp).await
}

/// [`segmenter`] for a stamp the caller read itself (with other counters, in one query).
pub async fn segmenter_at(db: &Db, stamp: Stamp) -> DbResult<Arc<Segmenter>> {
    CURRENT
        .get_or_build(stamp, async || {
            let words = dictionary(db).await?;
            Ok(Segmenter::with_words(words.iter().map(String::as_str)))
        })
        .await
}

/// The words the office added and the names of its active units.
pub async fn dictionary(db: &Db) -> DbResult<Vec<String>> {
    let rows: Vec<(String,)> = db
        .all(Query::new(
            "select word from text_words union select name from units where status = 'active' order by 1",
        ))
        .await?;
    Ok(rows.into_iter().map(|(w,)| w).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_terms_and_added_words_stay_whole() {
        let plain = Segmenter::with_words([]);
        assert!(plain.words("推进全面深化改革走深走实").contains(&"全面深化改革".to_string()));
        assert!(!plain.words("开展清风课堂学习").contains(&"清风课堂".to_string()));
        let office = Segmenter::with_words(["清风课堂", "东湖区委政研室"]);
        assert!(office.words("开展清风课堂学习").contains(&"清风课堂".to_string()));
        assert!(office.words("东湖区委政研室召开会议").contains(&"东湖区委政研室".to_string()));
    }

    #[test]
    fn tokens_are_normalised_alike_for_both_databases() {
        let s = Segmenter::with_words([]);
        let w = s.words("2026年GDP增长，“营商环境”！");
        assert_eq!(w, vec!["2026", "年", "gdp", "增长", "营商环境"]);
        assert!(!s.terms("A-1，好。").contains('，'));
    }

    #[test]
    fn index_terms_hold_a_long_word_and_its_parts() {
        let s = Segmenter::with_words([]);
        let terms = s.terms("全面深化改革");
        let set: Vec<&str> = terms.split(' ').collect();
        assert!(set.contains(&"全面深化改革"), "{terms}");
        assert!(set.contains(&"改革"), "{terms}");
    }

    #[test]
    fn query_words_drop_particles_and_only_guessed_words_carry_parts() {
        let s = Segmenter::with_words([]);
        let q = s.query("营商环境的优化");
        let words: Vec<&str> = q.iter().map(|w| w.word.as_str()).collect();
        assert_eq!(words, vec!["营商环境", "优化"]);
        assert!(
            s.knows("营商环境") && q[0].parts.is_empty(),
            "a dictionary word is looked up as itself: {q:?}"
        );
        assert!(q[1].parts.is_empty());
        assert!(s.covering_parts("营商环境").contains(&"环境".to_string()));
        assert!(s.covering_parts("优化").is_empty());
        assert_eq!(s.query("的").len(), 1, "a query of a stop word alone still searches");
    }
}
