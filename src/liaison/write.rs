//! Writing submissions: a group of checked, analysed submissions in one
//! transaction and a few statements — numbers from the year's counter row
//! taken once, near-duplicate links (what each reader saw, the cases written
//! since, and repeats inside the group), then the cases, band keys (on
//! PostgreSQL; SQLite folds them in later, see [`super::bands`]), first
//! steps, search entries, chained audit records, files and risk notices.
//! Used by the intake's group commit and by the import of earlier ledgers.

use std::collections::{BTreeMap, HashMap};

use time::Date;

use super::analysis::{self, Analysis, Analyzer};
use super::bands::{self, Recent};
use super::cases::{office_accounts, risk_label};
use super::flow::State;
use super::neardup;
use super::signatures::Signatures;
use super::submit::{Seen, Submission, Submitted, area_of, best_of, matches, merged_into, week_and_month};
use crate::app::{AppState, Caller};
use crate::attachments::actions::{self as files, Checked, Owner};
use crate::audit::{self, Actor, Event};
use crate::authz::Principal;
use crate::clock::Ts;
use crate::db::{DbResult, Dialect, Query, Source, Sql, Tx};
use crate::error::AppResult;
use crate::notify::{self, Outgoing};
use crate::search::Kind as DocKind;
use crate::search::index::Doc;
use crate::text::Segmenter;

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

/// An earlier case a new one repeats: stored before, or earlier in the same group.
#[derive(Clone, Copy, Debug)]
enum Dup {
    Stored(i64, f32),
    InGroup(usize, f32),
}

/// The earlier case each of `items` repeats, if any: what its reader saw
/// (followed in case it was merged since), the cases written since, and the
/// items before it in the group. The higher similarity wins, then the
/// earlier case.
async fn duplicates(
    tx: &mut Tx,
    (recent, memory): (&Recent, &Signatures),
    items: &[Ready],
) -> DbResult<Vec<Option<Dup>>> {
    // On SQLite the cases after the fold point are looked up in memory, each
    // item's from where its reader looked (all of them for an import); the
    // band table serves only what lies at or below the fold point.
    let sqlite = tx.dialect() == Dialect::Sqlite;
    let mut held: Vec<Vec<(i64, f32)>> = vec![Vec::new(); items.len()];
    let mut floor = 0;
    if sqlite {
        let newest: i64 = tx.scalar(Query::new("select coalesce(max(id), 0) from liaison_cases")).await?;
        recent.catch_up(&mut Source::Tx(tx), newest).await?;
        floor = recent.floor();
        for (h, r) in held.iter_mut().zip(items) {
            *h = recent.near(&r.analysis.signature, r.seen.upto, newest);
        }
    }
    // Every earlier match of each item: part of what came after the reader's
    // look is in the table (on PostgreSQL all of it: the reader did not look).
    let mut found: Vec<Vec<(i64, f32)>> = Vec::with_capacity(items.len());
    for (r, held) in items.iter().zip(held) {
        let mut f = if !sqlite || r.seen.upto < floor {
            let sig = &r.analysis.signature;
            matches(&mut Source::Tx(tx), memory, sig, (r.seen.upto, None), &held).await?
        } else {
            held
        };
        f.extend(r.seen.best);
        found.push(f);
    }
    let merged = merged_into(&mut Source::Tx(tx), found.iter().flatten().map(|f| f.0)).await?;
    // The group's own band keys, to find a repeat among the items before.
    let mut by_band: HashMap<i64, Vec<usize>> = HashMap::new();
    let mut out = Vec::with_capacity(items.len());
    for (j, (r, found)) in items.iter().zip(found).enumerate() {
        let sig = &r.analysis.signature;
        let bands = neardup::bands(sig);
        let stored = best_of(found, &merged);
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
    let recent = &state.intake.recent;
    let dups = duplicates(tx, (recent, &state.intake.signatures), items).await?;
    if tx.dialect() == Dialect::Sqlite && !recent.fold_point_recorded() {
        // dialect: SQLite's band keys wait in memory to be folded in; see `bands`.
        bands::record_fold_point(tx, items[0].now).await?;
    }

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
    // Repeats of an earlier item of the group: its id is known only now.
    let in_group: Vec<(i64, i64, f64)> = dups
        .iter()
        .enumerate()
        .filter_map(|(k, d)| match d {
            Some(Dup::InGroup(i, s)) => Some((id_of(k), id_of(*i), f64::from(*s))),
            _ => None,
        })
        .collect();
    for chunk in in_group.chunks(INSERT_ROWS) {
        let mut sql = Sql::new("with v (id, dup_of, dup_score) as (values ");
        for (i, (id, of, score)) in chunk.iter().enumerate() {
            sql.push(if i == 0 { "(" } else { ", (" }).bind(*id).push(", ").bind(*of).push(", ").bind(*score);
            sql.push(")");
        }
        sql.push(
            ") update liaison_cases set dup_of = v.dup_of, dup_score = v.dup_score from v \
             where liaison_cases.id = v.id",
        );
        tx.exec(sql.build()).await?;
    }
    let out: Vec<Submitted> = items
        .iter()
        .enumerate()
        .map(|(k, r)| Submitted {
            id: id_of(k),
            no: nos[k].clone(),
            dup_of: match dups[k] {
                Some(Dup::Stored(id, _)) => Some(id),
                Some(Dup::InGroup(i, _)) => Some(id_of(i)),
                None => None,
            },
            suggested: r.analysis.suggested.clone(),
            risk_level: r.analysis.risk.map_or(0, |x| x as i64),
        })
        .collect();

    let inline_bands = tx.dialect() == Dialect::Postgres;
    for (chunk, done) in items.chunks(INSERT_ROWS).zip(out.chunks(INSERT_ROWS)) {
        if inline_bands {
            let mut bands = Sql::new("insert into liaison_bands (band, case_id) values ");
            for (i, (r, s)) in chunk.iter().zip(done).enumerate() {
                for (j, b) in neardup::bands(&r.analysis.signature).iter().enumerate() {
                    bands.push(if i + j == 0 { "(" } else { ", (" }).bind(*b).push(", ").bind(s.id).push(")");
                }
            }
            bands.push(" on conflict do nothing");
            tx.exec(bands.build()).await?;
        }
        let mut steps = Sql::new(
            "insert into liaison_events (case_id, action, from_state, to_state, unit_id, reason, comment, by_id, at) values ",
        );
        for (i, (r, s)) in chunk.iter().zip(done).enumerate() {
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
