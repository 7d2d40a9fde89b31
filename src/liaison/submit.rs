//! Submission (L2–L3): the checks, then one transaction that numbers the
//! case, looks for near-duplicates among all history, stores the case with
//! its analysis, band keys, first history row, search entry and audit record,
//! its photos and files, and tells the office of a risk.
//!
//! Submissions from several nodes at once: each takes the year's counter row
//! first (a row lock on PostgreSQL, the write lock on SQLite), which numbers
//! it and orders the near-duplicate checks, so two copies of one complaint
//! sent at the same moment still find each other.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use time::Date;

use super::analysis::{self, Analysis, Analyzer};
use super::cases::{URGENCY, office_accounts, risk_label};
use super::flow::State;
use super::neardup::{self, Signature};
use crate::app::{AppState, Caller};
use crate::attachments::actions::{self as files, Checked, Owner};
use crate::audit::{self, Actor, Event};
use crate::authz::{Action, Module, Principal, Target};
use crate::clock::Ts;
use crate::db::{Db, DbResult, Dialect, Query, Sql, Tx};
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::notify::{self, Outgoing};
use crate::search::Kind as DocKind;
use crate::search::index::Doc;
use crate::text::Segmenter;
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

/// What a reader found before the write: the best earlier match among the
/// cases up to `upto`; the transaction then looks only at cases after it.
#[derive(Clone, Copy, Debug, Default)]
pub struct Seen {
    best: Option<(i64, f32)>,
    upto: i64,
}

/// The candidates sharing a band with `sig`, with ids in `(after, upto]`.
fn candidates(sig: &neardup::Signature, after: i64, upto: Option<i64>) -> Sql {
    let mut sql = Sql::new(
        "select c.id, c.signature, c.merged_into from liaison_cases c where c.id in \
         (select b.case_id from liaison_bands b where b.band in ",
    );
    sql.bind_list(neardup::bands(sig).iter().copied()).push(" and b.case_id > ").bind(after);
    if let Some(upto) = upto {
        sql.push(" and b.case_id <= ").bind(upto);
    }
    sql.push(" order by b.case_id desc limit 200)");
    sql
}

/// The best match among candidate rows (a merged match stands for the case it
/// was merged into); the higher similarity wins, then the earlier case.
fn best_of(
    sig: &neardup::Signature,
    rows: Vec<(i64, Option<Vec<u8>>, Option<i64>)>,
    seen: Option<(i64, f32)>,
) -> Option<(i64, f32)> {
    rows.into_iter()
        .filter_map(|(id, bytes, merged)| {
            let s = neardup::similarity(sig, &analysis::signature_of(bytes.as_deref()?)?);
            (s >= neardup::THRESHOLD).then_some((merged.unwrap_or(id), s))
        })
        .chain(seen)
        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
}

/// Looks for earlier matches on a reader, before the write transaction, so
/// the one writer of SQLite does not spend its turn reading hundreds of
/// candidates. On SQLite ids are handed out by that one writer in commit
/// order, so every case after `upto` is one the transaction will see.
pub async fn look_ahead(db: &Db, sig: &neardup::Signature) -> DbResult<Seen> {
    if db.dialect() != Dialect::Sqlite {
        // dialect: PostgreSQL's ids are not in commit order; its transaction looks at all history.
        return Ok(Seen::default());
    }
    let upto: Option<i64> = db.scalar(Query::new("select max(id) from liaison_cases")).await?;
    let Some(upto) = upto else { return Ok(Seen::default()) };
    let rows = db.all(candidates(sig, 0, Some(upto)).build()).await?;
    Ok(Seen { best: best_of(sig, rows, None), upto })
}

/// The best earlier match of a signature: what the reader saw, and the cases
/// written since (all history when nothing was seen), in the transaction.
pub async fn find_duplicate(
    tx: &mut Tx,
    sig: &neardup::Signature,
    seen: Seen,
) -> DbResult<Option<(i64, f32)>> {
    let mut earlier = seen.best;
    if let Some((id, score)) = earlier {
        // Merged since the reader looked: the case it went into carries on.
        let into: Option<i64> =
            tx.scalar(Query::new("select merged_into from liaison_cases where id = $1").bind(id)).await?;
        earlier = Some((into.unwrap_or(id), score));
    }
    let rows = tx.all(candidates(sig, seen.upto, None).build()).await?;
    Ok(best_of(sig, rows, earlier))
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

/// A submission checked and analysed, ready to be written with others.
pub struct Ready {
    /// What was submitted.
    pub(super) input: Submission,
    /// Its analysis.
    pub(super) analysis: Analysis,
    /// Photos and files.
    pub(super) files: Vec<Checked>,
    /// `form`, `api` or `import`.
    pub(super) channel: &'static str,
    /// The state it starts in (submitted, or archived for a ledger row).
    pub(super) state: State,
    /// When it was submitted.
    pub(super) at: Ts,
    /// What a reader already found among earlier cases.
    pub(super) seen: Seen,
    /// Who submits, as the permission checks and the audit trail know them.
    pub(super) who: Principal,
    /// How they appear in the audit trail.
    pub(super) actor: Actor,
    /// The moment of the action.
    pub(super) now: Ts,
}

impl Ready {
    /// A checked submission, analysed now, from `c`.
    pub(super) fn new(
        c: &Caller<'_>,
        analyzer: &Analyzer,
        input: Submission,
        how: (&'static str, State),
        at: Ts,
    ) -> Ready {
        let analysis = analyzer.analyse(&input.title, &input.content);
        Ready {
            input,
            analysis,
            files: Vec::new(),
            channel: how.0,
            state: how.1,
            at,
            seen: Seen::default(),
            who: c.who.clone(),
            actor: c.actor.clone(),
            now: c.now,
        }
    }

    fn account(&self) -> Option<i64> {
        (self.who.account_id > 0).then_some(self.who.account_id)
    }
}

/// Records a checked submission with its analysis. Submissions arriving on
/// this node together are written together, one transaction for the group
/// ([`super::intake`]); each is whole or absent.
pub async fn submit(
    c: &Caller<'_>,
    input: Submission,
    files_in: Vec<Checked>,
    channel: &'static str,
    submitted_at: Option<Ts>,
) -> AppResult<Submitted> {
    let analyzer = Analyzer::current(c.state).await?;
    let mut ready =
        Ready::new(c, &analyzer, input, (channel, State::Submitted), submitted_at.unwrap_or(c.now));
    ready.files = files_in;
    ready.seen = look_ahead(&c.state.db, &ready.analysis.signature).await?;
    c.state.intake.write(c.state, analyzer, ready).await
}

/// An earlier case a new one repeats: stored before, or earlier in the same group.
#[derive(Clone, Copy, Debug)]
enum Dup {
    Stored(i64, f32),
    InGroup(usize, f32),
}

/// The earlier case each of `items` repeats, if any: what its reader saw
/// (re-read in case it was merged since), the cases written since, and the
/// items before it in the group. The higher similarity wins, then the
/// earlier case.
async fn duplicates(tx: &mut Tx, items: &[Ready]) -> DbResult<Vec<Option<Dup>>> {
    let seen_ids: Vec<i64> = items.iter().filter_map(|r| r.seen.best.map(|b| b.0)).collect();
    let mut merged: HashMap<i64, i64> = HashMap::new();
    if !seen_ids.is_empty() {
        let mut sql =
            Sql::new("select id, merged_into from liaison_cases where merged_into is not null and id in ");
        sql.bind_list(seen_ids.iter().copied());
        let rows: Vec<(i64, i64)> = tx.all(sql.build()).await?;
        merged.extend(rows);
    }
    // Cases written since the readers looked: few, read once for the group.
    let looked: Vec<&Ready> = items.iter().filter(|r| r.seen.upto > 0).collect();
    let mut since: Vec<(i64, Option<Vec<u8>>, Option<i64>)> = Vec::new();
    if let Some(from) = looked.iter().map(|r| r.seen.upto).min() {
        let mut sql = Sql::new(
            "select c.id, c.signature, c.merged_into from liaison_cases c where c.id in \
             (select b.case_id from liaison_bands b where b.band in ",
        );
        sql.bind_list(looked.iter().flat_map(|r| neardup::bands(&r.analysis.signature)));
        sql.push(" and b.case_id > ").bind(from).push(")");
        since = tx.all(sql.build()).await?;
    }
    let since: Vec<(i64, Signature, [i64; neardup::BANDS], Option<i64>)> = since
        .into_iter()
        .filter_map(|(id, bytes, merged)| {
            let sig = analysis::signature_of(bytes.as_deref()?)?;
            Some((id, sig, neardup::bands(&sig), merged))
        })
        .collect();
    // The group's own band keys, to find a repeat among the items before.
    let mut by_band: HashMap<i64, Vec<usize>> = HashMap::new();
    let mut out = Vec::with_capacity(items.len());
    for (j, r) in items.iter().enumerate() {
        let sig = &r.analysis.signature;
        let bands = neardup::bands(sig);
        let earlier = r.seen.best.map(|(id, s)| (merged.get(&id).copied().unwrap_or(id), s));
        let stored = if r.seen.upto > 0 {
            since
                .iter()
                .filter(|(id, _, theirs, _)| *id > r.seen.upto && theirs.iter().any(|b| bands.contains(b)))
                .map(|(id, other, _, merged)| (merged.unwrap_or(*id), neardup::similarity(sig, other)))
                .filter(|(_, s)| *s >= neardup::THRESHOLD)
                .chain(earlier)
                .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
        } else {
            // Nothing looked at before (an import, PostgreSQL): all history, here.
            let rows = tx.all(candidates(sig, 0, None).build()).await?;
            best_of(sig, rows, earlier)
        };
        let mut before: Vec<usize> = bands.iter().filter_map(|b| by_band.get(b)).flatten().copied().collect();
        before.sort_unstable();
        before.dedup();
        let in_group = before
            .into_iter()
            .map(|i| (i, neardup::similarity(sig, &items[i].analysis.signature)))
            .filter(|(_, s)| *s >= neardup::THRESHOLD)
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
        for b in bands {
            by_band.entry(b).or_default().push(j);
        }
        out.push(match (stored, in_group) {
            (Some((id, s)), Some((_, g))) if s >= g => Some(Dup::Stored(id, s)),
            (_, Some((i, g))) => Some(Dup::InGroup(i, g)),
            (Some((id, s)), None) => Some(Dup::Stored(id, s)),
            (None, None) => None,
        });
    }
    Ok(out)
}

/// Cases per multi-row insert (26 values a row, well under either database's limit).
const INSERT_ROWS: usize = 400;

/// Writes a group of submissions in the caller's transaction: numbers (in
/// the group's order, under the year's counter row), near-duplicate links,
/// the cases with their analysis, band keys, first steps, search entries,
/// audit records, files, and a risk notice to the office. A few statements
/// for the whole group.
pub(super) async fn insert_many(
    tx: &mut Tx,
    state: &AppState,
    seg: &Segmenter,
    items: &[Ready],
) -> AppResult<Vec<Submitted>> {
    let offset = state.clock.offset();
    let days: Vec<Date> = items.iter().map(|r| r.at.to_offset(offset).date()).collect();
    // Numbers: the counter row of each year moves once for the group.
    let mut per_year: BTreeMap<i64, i64> = BTreeMap::new();
    for d in &days {
        *per_year.entry(i64::from(d.year())).or_default() += 1;
    }
    let mut next: BTreeMap<i64, i64> = BTreeMap::new();
    for (year, k) in per_year {
        let last: i64 = tx
            .scalar(
                Query::new(
                    "insert into liaison_counters (year, n) values ($1, $2) \
                     on conflict (year) do update set n = liaison_counters.n + excluded.n returning n",
                )
                .bind(year)
                .bind(k),
            )
            .await?;
        next.insert(year, last - k + 1);
    }
    let nos: Vec<String> = days
        .iter()
        .map(|d| {
            let year = i64::from(d.year());
            let n = next.get_mut(&year).map_or(0, |n| std::mem::replace(n, *n + 1));
            format!("JC{year}{n:06}")
        })
        .collect();
    let dups = duplicates(tx, items).await?;

    let mut ids: HashMap<String, i64> = HashMap::new();
    let mut at = 0;
    for chunk in items.chunks(INSERT_ROWS) {
        let mut sql = Sql::new(
            "insert into liaison_cases (no, year, month, week, point_id, area_id, channel, title, content, place, \
             urgency, category, suggested, confidence, suggested_by, keywords, risk_level, risk_words, signature, \
             dup_of, dup_score, state, submitted_on, created_by, created_at, updated_at) values ",
        );
        for (i, r) in chunk.iter().enumerate() {
            let k = at + i;
            let (day, a) = (days[k], &r.analysis);
            let (week, month) = week_and_month(day);
            let stored = match dups[k] {
                Some(Dup::Stored(id, s)) => (Some(id), Some(f64::from(s))),
                _ => (None, None),
            };
            sql.push(if i == 0 { "(" } else { ", (" }).bind(nos[k].as_str()).push(", ");
            sql.bind(i64::from(day.year())).push(", ").bind(month).push(", ").bind(week).push(", ");
            sql.bind(r.input.point.0).push(", ").bind(area_of(r.input.point.0, &r.input.point.1)).push(", ");
            sql.bind(r.channel).push(", ").bind(r.input.title.as_str()).push(", ");
            sql.bind(r.input.content.as_str()).push(", ").bind(r.input.place.as_str()).push(", ");
            sql.bind(r.input.urgency.as_str()).push(", ").bind(r.input.category.as_str()).push(", ");
            sql.bind(a.suggested.clone().unwrap_or_default()).push(", ").bind(a.confidence.map(f64::from));
            sql.push(", ").bind(a.suggested_by).push(", ").bind(a.keywords.join(" ")).push(", ");
            sql.bind(a.risk.map_or(0, |x| x as i64)).push(", ").bind(a.risk_words.join(" ")).push(", ");
            sql.bind(analysis::signature_bytes(&a.signature)).push(", ").bind(stored.0).push(", ");
            sql.bind(stored.1).push(", ").bind(r.state.code()).push(", ").bind(day).push(", ");
            sql.bind(r.account()).push(", ").bind(r.at).push(", ").bind(r.at).push(")");
        }
        sql.push(" returning id, no");
        let rows: Vec<(i64, String)> = tx.all(sql.build()).await?;
        ids.extend(rows.into_iter().map(|(id, no)| (no, id)));
        at += chunk.len();
    }
    let id_of = |k: usize| ids.get(&nos[k]).copied().unwrap_or_default();
    let mut out = Vec::with_capacity(items.len());
    for (k, r) in items.iter().enumerate() {
        let dup_of = match dups[k] {
            Some(Dup::Stored(id, _)) => Some(id),
            Some(Dup::InGroup(i, s)) => {
                // Its earlier twin got its id in this same group.
                tx.exec(
                    Query::new("update liaison_cases set dup_of = $1, dup_score = $2 where id = $3")
                        .bind(id_of(i))
                        .bind(f64::from(s))
                        .bind(id_of(k)),
                )
                .await?;
                Some(id_of(i))
            }
            None => None,
        };
        let risk_level = r.analysis.risk.map_or(0, |x| x as i64);
        out.push(Submitted {
            id: id_of(k),
            no: nos[k].clone(),
            dup_of,
            suggested: r.analysis.suggested.clone(),
            risk_level,
        });
    }

    for (chunk, done) in items.chunks(INSERT_ROWS).zip(out.chunks(INSERT_ROWS)) {
        let mut bands = Sql::new("insert into liaison_bands (band, case_id) values ");
        let mut steps = Sql::new(
            "insert into liaison_events (case_id, action, from_state, to_state, unit_id, reason, comment, by_id, at) values ",
        );
        for (i, (r, s)) in chunk.iter().zip(done).enumerate() {
            for (j, b) in neardup::bands(&r.analysis.signature).iter().enumerate() {
                bands.push(if i + j == 0 { "(" } else { ", (" }).bind(*b).push(", ").bind(s.id).push(")");
            }
            steps
                .push(if i == 0 { "(" } else { ", (" })
                .bind(s.id)
                .push(", 'submit', '', ")
                .bind(r.state.code());
            steps
                .push(", null, '', ")
                .bind(r.channel)
                .push(", ")
                .bind(r.account())
                .push(", ")
                .bind(r.at)
                .push(")");
        }
        bands.push(" on conflict do nothing");
        tx.exec(bands.build()).await?;
        tx.exec(steps.build()).await?;
    }

    let docs: Vec<Doc> = items
        .iter()
        .zip(&out)
        .map(|(r, s)| Doc {
            kind: DocKind::Submission,
            ref_id: s.id,
            unit_id: r.input.point.0,
            owner_id: r.account(),
            year: i64::from(r.at.to_offset(offset).date().year()),
            title: r.input.title.clone(),
            // As the index reads it back from the case (no reply yet).
            body: format!("{} {} {} ", s.no, r.input.content, r.input.place),
        })
        .collect();
    crate::search::index::put_many(tx, seg, &docs, items[0].now).await?;

    let events: Vec<(Ts, Actor, Event)> = items
        .iter()
        .zip(&out)
        .map(|(r, s)| {
            let ev = Event::new("liaison.submit", "liaison_case", s.id)
                .summary(format!("联系点报送“{}”（{}）", r.input.title, s.no))
                .after(&serde_json::json!({ "point": r.input.point.0, "channel": r.channel, "dup_of": s.dup_of, "risk": s.risk_level }));
            (r.now, r.actor.clone(), ev)
        })
        .collect();
    audit::store::append_batch(tx, &events).await?;

    let mut notices: Vec<(i64, String, String, String)> = Vec::new();
    let mut office: Option<Vec<i64>> = None;
    for (r, s) in items.iter().zip(&out) {
        if !r.files.is_empty() {
            let c = Caller { state, who: &r.who, actor: r.actor.clone(), now: r.now };
            for f in &r.files {
                files::save(&c, tx, f, &Owner { kind: "liaison_case".into(), id: s.id.to_string() }).await?;
            }
        }
        if s.risk_level >= 2 && r.state == State::Submitted {
            let accounts = match &office {
                Some(a) => a.clone(),
                None => office.insert(office_accounts(tx).await?).clone(),
            };
            let title = format!("舆情风险提示：{}", r.input.title);
            let body = format!("{}（{}）", r.analysis.risk_words.join("、"), risk_label(s.risk_level));
            let link = format!("/liaison/cases/{}", s.id);
            notices.extend(accounts.into_iter().map(|a| (a, title.clone(), body.clone(), link.clone())));
        }
    }
    if !notices.is_empty() {
        let out: Vec<(i64, Outgoing<'_>)> = notices
            .iter()
            .map(|(a, title, body, link)| (*a, Outgoing { kind: "liaison_risk", title, body, link }))
            .collect();
        notify::send_many(tx, &out, items[0].now).await?;
    }
    Ok(out)
}
