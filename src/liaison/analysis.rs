//! Everything the platform works out from a submission's words, in process:
//! keywords, the suggested category (the learned model once the office has
//! enough labelled history, keyword rules before that), risk words, and the
//! near-duplicate signature. [`Analyzer`] is one node's copy of what that
//! needs (segmenter, model, history, lexicon), rebuilt when any of them
//! changed on any node; [`Analyzer::analyse`] is pure.

use std::sync::{Arc, LazyLock};

use super::classify::{Example, Features, Model};
use super::neardup::{self, Signature};
use super::words::{self, History, Lexicon, Risk};
use crate::app::AppState;
use crate::clock::Ts;
use crate::db::memo::Memo;
use crate::db::{Db, DbResult, Query, Tx};
use crate::text::Segmenter;

/// Counter moved by every lexicon change.
pub const LEXICON_KEY: &str = "liaison.lexicon.version";

/// Keyword rules per category code, used while the labelled history is thin.
pub const RULES: &[(&str, &[&str])] = &[
    ("economy", &["企业", "融资", "贷款", "营商", "招商", "产业", "经营", "个体户", "市场主体", "项目"]),
    (
        "livelihood",
        &[
            "低保", "养老", "医保", "看病", "就医", "上学", "学校", "住房", "工资", "拖欠", "社保", "救助",
            "就业", "补贴",
        ],
    ),
    (
        "urban",
        &["路灯", "道路", "停车", "物业", "小区", "占道", "井盖", "排水", "公交", "电梯", "供水", "燃气"],
    ),
    (
        "rural",
        &["农田", "种植", "养殖", "村道", "灌溉", "农户", "土地", "宅基地", "合作社", "农机", "村集体"],
    ),
    ("environment", &["污染", "噪音", "扬尘", "废水", "废气", "油烟", "河道", "异味", "垃圾", "排污"]),
    ("safety", &["安全", "隐患", "消防", "诈骗", "纠纷", "上访", "聚集", "治安", "危房", "塌"]),
    ("service", &["办事", "审批", "窗口", "材料", "跑腿", "证明", "手续", "办证", "热线", "网上办"]),
];

/// What the analysis says about one submission.
#[derive(Clone, Debug)]
pub struct Analysis {
    /// The most telling words, best first.
    pub keywords: Vec<String>,
    /// Suggested category code, when there is one.
    pub suggested: Option<String>,
    /// How much to trust it (0–1).
    pub confidence: Option<f32>,
    /// `model` or `rules`.
    pub suggested_by: &'static str,
    /// Risk words found, in text order.
    pub risk_words: Vec<String>,
    /// The highest risk level found.
    pub risk: Option<Risk>,
    /// Near-duplicate signature.
    pub signature: Signature,
}

/// One node's copy of what analysis needs.
pub struct Analyzer {
    seg: Arc<Segmenter>,
    model: Option<Model>,
    history: History,
    lexicon: Lexicon,
}

/// What the copy was built from: the segmenter, the latest model, the lexicon counter.
type Stamp = (usize, Option<i64>, Option<String>);

static CURRENT: LazyLock<Memo<Stamp, Analyzer>> = LazyLock::new(Memo::default);

impl Analyzer {
    /// The current analyzer (rebuilt when the dictionary, the model or the lexicon changed).
    pub async fn current(state: &AppState) -> DbResult<Arc<Analyzer>> {
        let db = &state.db;
        // Every counter the copy depends on, in one query.
        let (text, units, model_id, lexicon): (Option<String>, Option<String>, Option<i64>, Option<String>) = db
            .one(
                Query::new(
                    "select (select value from settings where key = $1), (select value from settings where key = $2), \
                     (select max(id) from liaison_models), (select value from settings where key = $3)",
                )
                .bind(crate::text::VERSION_KEY)
                .bind(crate::org::units::directory::VERSION_KEY)
                .bind(LEXICON_KEY),
            )
            .await?;
        let seg = crate::text::segmenter_at(db, (text, units)).await?;
        let stamp = (Arc::as_ptr(&seg) as usize, model_id, lexicon);
        CURRENT
            .get_or_build(stamp, async || {
                let (model, history) = match model_id {
                    Some(id) => load_model(db, id).await?,
                    None => (None, History::default()),
                };
                let rows: Vec<(String, i64)> =
                    db.all(Query::new("select word, level from liaison_lexicon")).await?;
                let lexicon =
                    Lexicon::new(rows.into_iter().filter_map(|(w, l)| Some((w, Risk::from_level(l)?))));
                Ok(Analyzer { seg, model, history, lexicon })
            })
            .await
    }

    /// An analyzer from parts (tests, the generator).
    pub fn new(seg: Arc<Segmenter>, model: Option<Model>, history: History, lexicon: Lexicon) -> Analyzer {
        Analyzer { seg, model, history, lexicon }
    }

    /// The segmenter.
    pub fn segmenter(&self) -> &Segmenter {
        &self.seg
    }

    /// Does a learned model suggest categories (rather than the keyword rules)?
    pub fn learned(&self) -> bool {
        self.model.is_some()
    }

    /// Analyses a submission.
    pub fn analyse(&self, title: &str, content: &str) -> Analysis {
        let text = format!("{title}\n{content}");
        let keywords = words::keywords(&self.seg, &self.history, &text, 8);
        let (suggested, confidence, suggested_by) = match &self.model {
            Some(m) => {
                let s = m.suggest(&self.seg, title, content);
                (Some(s.label), Some(s.confidence), "model")
            }
            None => match by_rules(&text) {
                Some((code, conf)) => (Some(code.to_string()), Some(conf), "rules"),
                None => (None, None, "rules"),
            },
        };
        let (found, risk) = self.lexicon.scan(&text);
        Analysis {
            keywords,
            suggested,
            confidence,
            suggested_by,
            risk_words: found.into_iter().map(|(w, _)| w).collect(),
            risk,
            signature: neardup::signature(&text),
        }
    }
}

/// The category whose rule words the text uses most, with the share of matches.
pub fn by_rules(text: &str) -> Option<(&'static str, f32)> {
    let counts: Vec<(&str, usize)> =
        RULES.iter().map(|(code, ws)| (*code, ws.iter().filter(|w| text.contains(*w)).count())).collect();
    let total: usize = counts.iter().map(|(_, n)| n).sum();
    // The first category wins a tie (the list's order is the rules' priority).
    let (code, n) = counts.iter().copied().fold(None, |best: Option<(&str, usize)>, c| match best {
        Some(b) if b.1 >= c.1 => Some(b),
        _ => Some(c),
    })?;
    (n > 0).then(|| (code, n as f32 / total as f32))
}

async fn load_model(db: &Db, id: i64) -> DbResult<(Option<Model>, History)> {
    let (model, history): (String, String) =
        db.one(Query::new("select model, history from liaison_models where id = $1").bind(id)).await?;
    // A model that no longer reads (an older format) is as good as none: the rules take over.
    Ok((serde_json::from_str(&model).ok(), serde_json::from_str(&history).unwrap_or_default()))
}

/// A signature as stored (64 little-endian u32).
pub fn signature_bytes(sig: &Signature) -> Vec<u8> {
    sig.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// A stored signature.
pub fn signature_of(bytes: &[u8]) -> Option<Signature> {
    if bytes.len() != neardup::HASHES * 4 {
        return None;
    }
    let mut sig = [0u32; neardup::HASHES];
    for (i, c) in bytes.chunks_exact(4).enumerate() {
        sig[i] = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
    }
    Some(sig)
}

/// What a training run did.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Trained {
    /// Labelled submissions learned from.
    pub examples: usize,
    /// Categories seen.
    pub labels: Vec<String>,
    /// False when the history was too thin and the keyword rules stay in use.
    pub learned: bool,
}

/// Most recent labelled submissions a training run reads.
const TRAIN_LIMIT: i64 = 30_000;

/// Trains the category model from the office's labelled history and stores it
/// (with the word frequencies keywords are weighed against). With fewer than
/// `min_history` labelled submissions nothing is stored: the rules stay.
pub async fn train(state: &AppState, now: Ts, by: Option<i64>) -> DbResult<Trained> {
    let db = &state.db;
    let limits = super::settings::Limits::load(db).await?;
    let rows: Vec<(String, String, String)> = db
        .all(
            Query::new(
                "select title, content, category from liaison_cases where category <> '' and state <> 'merged' \
                 order by id desc limit $1",
            )
            .bind(TRAIN_LIMIT),
        )
        .await?;
    let examples: Vec<Example> =
        rows.into_iter().map(|(title, content, label)| Example { title, content, label }).collect();
    let seg = crate::text::segmenter(db).await?;
    let n = examples.len();
    if (n as i64) < limits.min_history {
        return Ok(Trained { examples: n, labels: Vec::new(), learned: false });
    }
    let fitted = tokio::task::spawn_blocking(move || {
        let model = Model::train(&seg, Features::Product, &examples);
        let mut history = History::default();
        for e in &examples {
            history.add(&seg.words(&format!("{}\n{}", e.title, e.content)));
        }
        // Words seen once say little and make the document large.
        history.df.retain(|_, n| *n >= 2);
        model.map(|m| (m, history))
    })
    .await
    .map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
    let Some((model, history)) = fitted else {
        return Ok(Trained { examples: n, labels: Vec::new(), learned: false });
    };
    let labels = model.labels().to_vec();
    let mut tx: Tx = db.begin().await?;
    tx.exec(
        Query::new(
            "insert into liaison_models (trained_at, examples, labels, model, history, trained_by) \
             values ($1, $2, $3, $4, $5, $6)",
        )
        .bind(now)
        .bind(n as i64)
        .bind(labels.join(","))
        .bind(to_json(&model))
        .bind(to_json(&history))
        .bind(by),
    )
    .await?;
    // Keep the latest three models; the rest is history nobody reads.
    tx.exec(Query::new(
        "delete from liaison_models where id not in (select id from liaison_models order by id desc limit 3)",
    ))
    .await?;
    tx.commit().await?;
    Ok(Trained { examples: n, labels, learned: true })
}

/// JSON text of a model or history (both always serialise).
fn to_json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_suggest_while_history_is_thin() {
        assert_eq!(by_rules("小区路灯坏了，晚上停车看不清").map(|r| r.0), Some("urban"));
        assert_eq!(by_rules("工厂排放废水，河道发臭").map(|r| r.0), Some("environment"));
        assert_eq!(by_rules("今天天气不错"), None);
    }

    #[test]
    fn analysis_finds_keywords_risk_and_a_signature() {
        let seg = Arc::new(Segmenter::with_words(["城东街道"]));
        let lex = Lexicon::new([("集体上访".to_string(), Risk::High)]);
        let a = Analyzer::new(seg, None, History::default(), lex);
        let r = a.analyse("工地拖欠工资", "城东街道某工地拖欠工资三个月，工人商量集体上访");
        assert!(
            r.keywords.iter().any(|k| k == "城东街道"),
            "the dictionary word stays whole: {:?}",
            r.keywords
        );
        assert_eq!(r.suggested.as_deref(), Some("livelihood"));
        assert_eq!(r.suggested_by, "rules");
        assert_eq!(r.risk, Some(Risk::High));
        assert_eq!(r.risk_words, vec!["集体上访".to_string()]);
        assert_eq!(signature_of(&signature_bytes(&r.signature)), Some(r.signature));
    }

    #[test]
    fn a_learned_model_takes_over_from_the_rules() {
        let seg = Arc::new(Segmenter::with_words([]));
        let model = Model::train(&seg, Features::Product, &super::super::classify::tests::corpus());
        let a = Analyzer::new(seg, model, History::default(), Lexicon::default());
        let r = a.analyse("工资拖欠", "包工头拖欠我们三个月工资");
        assert_eq!((r.suggested.as_deref(), r.suggested_by), (Some("劳动就业"), "model"));
        assert!(a.learned());
    }
}
