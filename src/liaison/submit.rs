//! Submission (L2–L3): the checks, then one transaction that numbers the
//! case, looks for near-duplicates among all history, stores the case with
//! its analysis, band keys, first history row, search entry and audit record,
//! its photos and files, and tells the office of a risk.
//!
//! Submissions from several nodes at once: each takes the year's counter row
//! first (a row lock on PostgreSQL, the write lock on SQLite), which numbers
//! it and orders the near-duplicate checks, so two copies of one complaint
//! sent at the same moment still find each other.

use serde::{Deserialize, Serialize};
use time::Date;

use super::analysis::{self, Analysis, Analyzer};
use super::cases::{URGENCY, event, office_accounts, risk_label};
use super::flow::State;
use super::neardup;
use crate::app::Caller;
use crate::attachments::actions::{self as files, Checked, Owner};
use crate::audit::{self, Event};
use crate::authz::{Action, Module, Target};
use crate::clock::Ts;
use crate::db::{DbResult, Query, Sql, Tx};
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::notify::{self, Outgoing};
use crate::search::Kind as DocKind;
use crate::validate::{Check, optional, required};

/// A submission as typed (page form, API, import row).
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct SubmitInput {
    /// Title.
    pub title: String,
    /// What happened, where, since when, what is asked.
    pub content: String,
    /// Place.
    pub place: String,
    /// Category code (optional; the office sets it at dispatch otherwise).
    pub category: String,
    /// `normal` or `urgent`.
    pub urgency: String,
    /// The contact point, when the office or a channel submits for one (default: the person's own unit).
    pub point_id: String,
}

/// A submission that passed its checks, before the store.
pub struct Submission {
    pub(super) title: String,
    pub(super) content: String,
    pub(super) place: String,
    pub(super) category: String,
    pub(super) urgency: String,
    /// The contact point's unit id and path.
    pub(super) point: (i64, String),
}

/// Checks a submission: fields, the contact point and the person's right to submit for it.
pub async fn check_submission(c: &Caller<'_>, input: &SubmitInput) -> AppResult<Submission> {
    let db = &c.state.db;
    let write = c.who.require(Module::Liaison, Action::Write)?;
    let mut check = Check::default();
    let title = check.take("title", required(&input.title, 100));
    let content = check.take("content", required(&input.content, 5000));
    if content.as_ref().is_some_and(|t| t.chars().count() < 5) {
        check.fail("content", Msg::new("请把问题写具体一些（至少5个字）"));
    }
    let place = check.take("place", optional(&input.place, 200));
    let urgency =
        if input.urgency.trim().is_empty() { "normal".to_string() } else { input.urgency.trim().to_string() };
    if !URGENCY.iter().any(|(k, _)| *k == urgency) {
        check.fail("urgency", Msg::new("请选择紧急程度"));
    }
    let category = input.category.trim().to_string();
    if !category.is_empty() && !crate::dicts::store::is_enabled(db, "submission_category", &category).await? {
        check.fail("category", Msg::new("类别不存在或已停用"));
    }
    let point_id = match input.point_id.trim() {
        "" => Some(c.who.unit_id),
        raw => match raw.parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => {
                check.fail("point_id", Msg::new("请选择联系点"));
                None
            }
        },
    };
    let mut point = None;
    if let Some(id) = point_id {
        let row: Option<(String, String)> = db
            .opt(
                Query::new(
                    "select u.path, p.status from units u join liaison_points p on p.unit_id = u.id \
                     where u.id = $1 and u.status = 'active'",
                )
                .bind(id),
            )
            .await?;
        match row {
            None => check.fail("point_id", Msg::new("只有登记在册的联系点才能报送问题")),
            Some((_, status)) if status != "active" => check.fail("point_id", Msg::new("该联系点已暂停报送")),
            Some((path, _)) => {
                if !write.allows(Target { unit_id: id, unit_path: &path, owner_id: None }) {
                    return Err(AppError::Forbidden);
                }
                point = Some((id, path));
            }
        }
    }
    let (title, content, place, point) = check.finish(|| Some((title?, content?, place?, point?)))?;
    Ok(Submission { title, content, place, category, urgency, point })
}

/// A case's area: the county or department it sits under (the second level of the tree).
pub fn area_of(point_id: i64, path: &str) -> i64 {
    path.split('/').filter(|s| !s.is_empty()).nth(1).and_then(|s| s.parse().ok()).unwrap_or(point_id)
}

/// ISO week code (2026 * 100 + week) and month code of a day.
pub fn week_and_month(d: Date) -> (i64, i64) {
    let (y, w, _) = d.to_iso_week_date();
    (i64::from(y) * 100 + i64::from(w), i64::from(d.year()) * 100 + i64::from(u8::from(d.month())))
}

/// The best earlier match of a signature among the cases sharing a band with it.
pub async fn find_duplicate(tx: &mut Tx, sig: &neardup::Signature) -> DbResult<Option<(i64, f32)>> {
    let bands = neardup::bands(sig);
    let mut sql = Sql::new(
        "select c.id, c.signature, c.merged_into from liaison_cases c where c.id in \
         (select b.case_id from liaison_bands b where b.band in ",
    );
    sql.bind_list(bands.iter().copied()).push(" order by b.case_id desc limit 200)");
    let rows: Vec<(i64, Option<Vec<u8>>, Option<i64>)> = tx.all(sql.build()).await?;
    let best = rows
        .into_iter()
        .filter_map(|(id, bytes, merged)| {
            let s = neardup::similarity(sig, &analysis::signature_of(bytes.as_deref()?)?);
            // A match that was merged points at the case that carries on.
            (s >= neardup::THRESHOLD).then_some((merged.unwrap_or(id), s))
        })
        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
    Ok(best)
}

/// Takes the next tracking number of a year; holds the counter row until commit.
async fn next_number(tx: &mut Tx, year: i64) -> DbResult<String> {
    tx.exec(
        Query::new("insert into liaison_counters (year, n) values ($1, 0) on conflict (year) do nothing")
            .bind(year),
    )
    .await?;
    let n: i64 = tx
        .scalar(Query::new("update liaison_counters set n = n + 1 where year = $1 returning n").bind(year))
        .await?;
    Ok(format!("JC{year}{n:06}"))
}

/// What a submission produced.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Submitted {
    /// Id.
    pub id: i64,
    /// Tracking number.
    pub no: String,
    /// The earlier case it looks like, if any.
    pub dup_of: Option<i64>,
    /// Suggested category.
    pub suggested: Option<String>,
    /// Risk level found (0 none).
    pub risk_level: i64,
}

/// Records a checked submission with its analysis, in one transaction.
pub async fn submit(
    c: &Caller<'_>,
    input: Submission,
    files_in: &[Checked],
    channel: &str,
    submitted_at: Option<Ts>,
) -> AppResult<Submitted> {
    let analyzer = Analyzer::current(c.state).await?;
    let a = analyzer.analyse(&input.title, &input.content);
    let at = submitted_at.unwrap_or(c.now);
    let mut tx = c.state.db.begin().await?;
    let s = insert(&mut tx, c, &analyzer, &input, &a, (channel, State::Submitted), at).await?;
    for f in files_in {
        files::save(c, &mut tx, f, &Owner { kind: "liaison_case".into(), id: s.id.to_string() }).await?;
    }
    if s.risk_level >= 2 {
        let office = office_accounts(&mut tx).await?;
        let title = format!("舆情风险提示：{}", input.title);
        let body = format!("{}（{}）", a.risk_words.join("、"), risk_label(s.risk_level));
        let link = format!("/liaison/cases/{}", s.id);
        let out: Vec<(i64, Outgoing<'_>)> = office
            .into_iter()
            .map(|a| (a, Outgoing { kind: "liaison_risk", title: &title, body: &body, link: &link }))
            .collect();
        notify::send_many(&mut tx, &out, c.now).await?;
    }
    tx.commit().await?;
    Ok(s)
}

/// Inserts a case with its analysis, bands, first step, search entry and audit
/// record; `how` is the channel and the state it starts in (submitted, or
/// archived for an imported ledger row).
pub(super) async fn insert(
    tx: &mut Tx,
    c: &Caller<'_>,
    analyzer: &Analyzer,
    input: &Submission,
    a: &Analysis,
    how: (&str, State),
    at: Ts,
) -> AppResult<Submitted> {
    let (channel, state) = how;
    let day = at.to_offset(c.state.clock.offset()).date();
    let year = i64::from(day.year());
    let no = next_number(tx, year).await?;
    let dup = find_duplicate(tx, &a.signature).await?;
    let (week, month) = week_and_month(day);
    let risk_level = a.risk.map_or(0, |r| r as i64);
    let id: i64 = tx
        .scalar(
            Query::new(
                "insert into liaison_cases (no, year, month, week, point_id, area_id, channel, title, content, place, \
                 urgency, category, suggested, confidence, suggested_by, keywords, risk_level, risk_words, signature, \
                 dup_of, dup_score, state, submitted_on, created_by, created_at, updated_at) values \
                 ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, \
                 $22, $23, $24, $25, $25) returning id",
            )
            .bind(no.as_str())
            .bind(year)
            .bind(month)
            .bind(week)
            .bind(input.point.0)
            .bind(area_of(input.point.0, &input.point.1))
            .bind(channel)
            .bind(input.title.as_str())
            .bind(input.content.as_str())
            .bind(input.place.as_str())
            .bind(input.urgency.as_str())
            .bind(input.category.as_str())
            .bind(a.suggested.clone().unwrap_or_default())
            .bind(a.confidence.map(f64::from))
            .bind(a.suggested_by)
            .bind(a.keywords.join(" "))
            .bind(risk_level)
            .bind(a.risk_words.join(" "))
            .bind(analysis::signature_bytes(&a.signature))
            .bind(dup.map(|d| d.0))
            .bind(dup.map(|d| f64::from(d.1)))
            .bind(state.code())
            .bind(day)
            .bind(c.account())
            .bind(at),
        )
        .await?;
    let mut bands = Sql::new("insert into liaison_bands (band, case_id) values ");
    for (i, b) in neardup::bands(&a.signature).iter().enumerate() {
        bands.push(if i == 0 { "(" } else { ", (" }).bind(*b).push(", ").bind(id).push(")");
    }
    bands.push(" on conflict do nothing");
    tx.exec(bands.build()).await?;
    event(tx, id, "submit", "", state, None, "", channel, c.account(), at).await?;
    crate::search::index::refresh(tx, analyzer.segmenter(), DocKind::Submission, &[id], c.now).await?;
    let ev = Event::new("liaison.submit", "liaison_case", id)
        .summary(format!("联系点报送“{}”（{no}）", input.title))
        .after(&serde_json::json!({ "point": input.point.0, "channel": channel, "dup_of": dup.map(|d| d.0), "risk": risk_level }));
    audit::append(tx, c.now, &c.actor, &ev).await?;
    Ok(Submitted { id, no, dup_of: dup.map(|d| d.0), suggested: a.suggested.clone(), risk_level })
}
