//! Submission (L2–L3): the checks, the analysis, and the near-duplicate look
//! on a reader before the write; then the submission joins this node's queue
//! ([`super::intake`]) and is written with whatever else arrived meanwhile
//! ([`super::write`]): numbered, linked to what it repeats, stored with its
//! analysis, band keys, first step, search entry and audit record, its photos
//! and files, and a risk notice to the office.
//!
//! Submissions from several nodes at once: each group takes the year's
//! counter row first (a row lock on PostgreSQL, the write lock on SQLite),
//! which numbers it and orders the near-duplicate checks, so two copies of one
//! complaint sent at the same moment still find each other.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use time::Date;

use super::analysis::{self, Analyzer};
use super::bands::{self, Recent};
use super::cases::URGENCY;
use super::flow::State;
use super::neardup;
use super::signatures::Signatures;
use super::write::Ready;
use crate::app::Caller;
use crate::attachments::actions::Checked;
use crate::authz::{Action, Module, Target};
use crate::clock::Ts;
use crate::db::{Db, DbResult, Dialect, Query, Source, Sql, Tx};
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
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
    pub(super) best: Option<(i64, f32)>,
    pub(super) upto: i64,
}

/// The band index's candidates for `sig` with ids in `(after, upto]`: of the
/// newest [`bands::PER_BAND`] of each of its bands, the [`bands::RANKED`]
/// sharing the most bands with it, then the newest. Reads index pages only.
fn ranked(sig: &neardup::Signature, after: i64, upto: Option<i64>) -> Query {
    let mut sql = Sql::new("select case_id from (");
    for (i, band) in neardup::bands(sig).into_iter().enumerate() {
        sql.push(if i == 0 { "" } else { " union all " })
            .push("select case_id from (select b.case_id from liaison_bands b where b.band = ")
            .bind(band)
            .push(" and b.case_id > ")
            .bind(after);
        if let Some(upto) = upto {
            sql.push(" and b.case_id <= ").bind(upto);
        }
        sql.push(" order by b.case_id desc limit ").int(bands::PER_BAND as i64).push(") as one_band");
    }
    sql.push(") as per_band group by case_id order by count(*) desc, case_id desc limit ")
        .int(bands::RANKED as i64);
    sql.build()
}

/// The earlier cases with ids in `(after, upto]` that reach the
/// near-duplicate threshold with `sig`, with their similarity: the band
/// index's candidates, compared with the signatures `memory` holds or, for
/// the rest, read from their cases (and then held); and the cases `held` in
/// memory that reached it ([`super::bands`], SQLite).
pub(super) async fn matches(
    src: &mut Source<'_>,
    memory: &Signatures,
    sig: &neardup::Signature,
    (after, upto): (i64, Option<i64>),
    held: &[(i64, f32)],
) -> DbResult<Vec<(i64, f32)>> {
    let ids: Vec<(i64,)> = src.all(ranked(sig, after, upto)).await?;
    let ids: Vec<i64> = ids.into_iter().map(|r| r.0).collect();
    let mut out = memory.compare(sig, &ids);
    if !out.missing.is_empty() {
        let mut sql = Sql::new("select id, signature from liaison_cases where id in ");
        sql.bind_list(std::mem::take(&mut out.missing));
        let rows: Vec<(i64, Option<Vec<u8>>)> = src.all(sql.build()).await?;
        let read: Vec<(i64, neardup::Signature)> = rows
            .into_iter()
            .filter_map(|(id, bytes)| Some((id, analysis::signature_of(bytes.as_deref()?)?)))
            .collect();
        out.matches.extend(read.iter().filter_map(|(id, other)| {
            let s = neardup::similarity(sig, other);
            (s >= neardup::THRESHOLD).then_some((*id, s))
        }));
        memory.learn(read);
    }
    out.matches.extend_from_slice(held);
    Ok(out.matches)
}

/// The case each merged one of `ids` stands for: the case it was merged
/// into, followed two merges deep. Nothing to read when `ids` is empty.
pub(super) async fn merged_into(
    src: &mut Source<'_>,
    ids: impl IntoIterator<Item = i64>,
) -> DbResult<HashMap<i64, i64>> {
    let ids: Vec<i64> = ids.into_iter().collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut sql = Sql::new(
        "select c.id, coalesce(m.merged_into, c.merged_into) from liaison_cases c \
         left join liaison_cases m on m.id = c.merged_into where c.merged_into is not null and c.id in ",
    );
    sql.bind_list(ids);
    let rows: Vec<(i64, i64)> = src.all(sql.build()).await?;
    Ok(rows.into_iter().collect())
}

/// The best of the matches `found`, each standing for the case it was
/// `merged` into: the higher similarity wins, then the earlier case.
pub(super) fn best_of(
    found: impl IntoIterator<Item = (i64, f32)>,
    merged: &HashMap<i64, i64>,
) -> Option<(i64, f32)> {
    found
        .into_iter()
        .map(|(id, s)| (merged.get(&id).copied().unwrap_or(id), s))
        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
}

/// Looks for earlier matches on a reader, before the write transaction, so
/// the one writer of SQLite does not spend its turn reading hundreds of
/// candidates. On SQLite ids are handed out by that one writer in commit
/// order, so every case after `upto` is one the transaction will see.
/// `committed` is the highest case id the caller knows committed (a node's
/// own groups' last, [`super::intake::Intake::committed`]), or 0 to read it
/// from the table; a value that lags (another process wrote since) only
/// leaves more for the writer to look at. The match found is as stored: the
/// writer follows it to the case it was merged into.
pub async fn look_ahead(
    db: &Db,
    (recent, memory): (&Recent, &Signatures),
    sig: &neardup::Signature,
    committed: i64,
) -> DbResult<Seen> {
    if db.dialect() != Dialect::Sqlite {
        // dialect: PostgreSQL's ids are not in commit order; its transaction looks at all history.
        return Ok(Seen::default());
    }
    let upto = match committed {
        0 => db.scalar::<Option<i64>>(Query::new("select max(id) from liaison_cases")).await?,
        known => Some(known),
    };
    let Some(upto) = upto else { return Ok(Seen::default()) };
    // Memory before the table: a fold forgets its cases only once they are in the table.
    let mut src = Source::Pool(db);
    recent.catch_up(&mut src, upto).await?;
    let held = recent.near(sig, 0, upto);
    let found = matches(&mut src, memory, sig, (0, Some(upto)), &held).await?;
    Ok(Seen { best: best_of(found, &HashMap::new()), upto })
}

/// The best earlier match of a signature: what the reader saw, and the cases
/// written since (all history when nothing was seen), in the transaction.
/// One submission's check, as the near-duplicate benchmark times it; a group
/// is checked at once by the writer (`write::duplicates`, same rules).
pub async fn find_duplicate(
    tx: &mut Tx,
    (recent, memory): (&Recent, &Signatures),
    sig: &neardup::Signature,
    seen: Seen,
) -> DbResult<Option<(i64, f32)>> {
    let mut held = Vec::new();
    if tx.dialect() == Dialect::Sqlite {
        // dialect: on SQLite the newest cases' band keys are in memory.
        let newest: i64 = tx.scalar(Query::new("select coalesce(max(id), 0) from liaison_cases")).await?;
        recent.catch_up(&mut Source::Tx(tx), newest).await?;
        held = recent.near(sig, seen.upto, newest);
    }
    let mut src = Source::Tx(tx);
    let mut found = matches(&mut src, memory, sig, (seen.upto, None), &held).await?;
    found.extend(seen.best);
    let merged = merged_into(&mut src, found.iter().map(|f| f.0)).await?;
    Ok(best_of(found, &merged))
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
    let intake = &c.state.intake;
    let memory = (&intake.recent, &intake.signatures);
    ready.seen = look_ahead(&c.state.db, memory, &ready.analysis.signature, intake.committed()).await?;
    intake.saw_committed(ready.seen.upto);
    intake.write(c.state, analyzer, ready).await
}
