//! The daily run: colours move with the calendar, so once a day every open
//! reform task and rectification item is reassessed, and report reminders go
//! out. Every app node runs the loop; the day is claimed in the database, so
//! only one node does the work (and a restart the same day does nothing).

use std::time::Duration;

use time::Date;

use crate::app::AppState;
use crate::audit::{self, Actor, Event};
use crate::db::{DbResult, Query};

/// What one run did.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct DailyRun {
    /// The day it ran for.
    pub day: String,
    /// Reform tasks whose colour changed.
    pub tasks_recoloured: usize,
    /// Rectification items whose colour changed.
    pub rectifications_recoloured: usize,
    /// Report reminders sent.
    pub reminders: usize,
    /// Research topics whose colour changed.
    pub topics_recoloured: usize,
    /// Instruction follow-ups whose colour changed.
    pub follow_ups_recoloured: usize,
    /// Grassroots cases whose colour changed.
    pub cases_recoloured: usize,
    /// Replied cases closed because nobody rated them in time.
    pub cases_lapsed: usize,
    /// Labelled submissions the category suggestion was retrained on (0: rules stay).
    pub trained_on: usize,
}

const CLAIM_KEY: &str = "jobs.daily";

/// Claims `day` for this node: true when no node has run it yet.
async fn claim(state: &AppState, day: Date) -> DbResult<bool> {
    let value = serde_json::Value::String(day.to_string()).to_string();
    let mut tx = state.db.begin().await?;
    let rows: Vec<(String,)> = tx
        .all(
            Query::new(
                "insert into settings (key, value, updated_at) values ($1, $2, $3) \
                 on conflict (key) do update set value = $2, updated_at = $3 where settings.value < $2 returning key",
            )
            .bind(CLAIM_KEY)
            .bind(value)
            .bind(state.clock.now()),
        )
        .await?;
    tx.commit().await?;
    Ok(!rows.is_empty())
}

/// Rows one transaction of the daily run touches. A run over a whole city
/// reassesses thousands of tasks and sends thousands of reminders; SQLite has
/// one writer, so the run commits slice by slice and people's own writes wait
/// for one slice at most, never for the whole run. Every slice is idempotent
/// (colours are recomputed, reminders claimed once), so a run cut short is
/// finished by the next.
const SLICE: usize = 500;

/// Runs the day's work now, whether or not it ran today (the command line).
pub async fn run_daily(state: &AppState) -> anyhow::Result<DailyRun> {
    let today = state.clock.today();
    let now = state.clock.now();
    let db = &state.db;
    let reform_rules = crate::deadline::settings::rules(db, "reform").await?;
    let rect_rules = crate::deadline::settings::rules(db, "rectification").await?;
    let mut run = DailyRun { day: today.to_string(), ..DailyRun::default() };
    let actor = Actor::system("daily");

    let tasks: Vec<(i64,)> =
        db.all(Query::new("select id from reform_tasks where status = 'active' order by id")).await?;
    let tasks: Vec<i64> = tasks.into_iter().map(|(id,)| id).collect();
    for slice in tasks.chunks(SLICE) {
        let mut tx = db.begin().await?;
        let changed = crate::reform::colour::refresh(&mut tx, Some(slice), &reform_rules, today, now).await?;
        if !changed.is_empty() {
            let ev = Event::new("jobs.daily.colours", "job", "daily")
                .summary(format!("每日督办：{}项改革任务颜色变化", changed.len()))
                .after(&changed.iter().map(|c| (c.task_id, c.to.code())).collect::<Vec<_>>());
            audit::append(&mut tx, now, &actor, &ev).await?;
        }
        tx.commit().await?;
        run.tasks_recoloured += changed.len();
    }

    let due = crate::reform::reminders::due_today(db, today).await?;
    let mut rest = due.as_slice();
    while !rest.is_empty() {
        // Whole units per slice, so a unit's notice and its claims commit together.
        let mut end = rest.len().min(SLICE);
        while end < rest.len() && rest[end].unit_id() == rest[end - 1].unit_id() {
            end += 1;
        }
        let (slice, more) = rest.split_at(end);
        let mut tx = db.begin().await?;
        let sent = crate::reform::reminders::send(&mut tx, slice, now).await?;
        if sent > 0 {
            let ev = Event::new("jobs.daily.reminders", "job", "daily")
                .summary(format!("每日督办：发送报送提醒{sent}条"));
            audit::append(&mut tx, now, &actor, &ev).await?;
        }
        tx.commit().await?;
        run.reminders += sent;
        rest = more;
    }

    let mut tx = db.begin().await?;
    run.rectifications_recoloured = crate::rectify::refresh(&mut tx, None, &rect_rules, today).await?;
    let topic_rules = crate::deadline::settings::rules(db, crate::research::topics::FEATURE).await?;
    run.topics_recoloured = crate::research::topics::refresh(&mut tx, None, &topic_rules, today).await?;
    let follow_rules = crate::deadline::settings::rules(db, crate::research::instructions::FEATURE).await?;
    run.follow_ups_recoloured =
        crate::research::instructions::refresh(&mut tx, None, &follow_rules, today).await?;
    let case_rules = crate::deadline::settings::rules(db, crate::liaison::cases::FEATURE).await?;
    run.cases_recoloured = crate::liaison::steps::refresh(&mut tx, None, &case_rules, today).await?;
    let ev = Event::new("jobs.daily", "job", "daily")
        .summary(format!(
            "每日督办：{}项改革任务、{}项整改事项、{}个调研课题、{}项批示落实、{}件基层问题颜色变化，发送报送提醒{}条",
            run.tasks_recoloured,
            run.rectifications_recoloured,
            run.topics_recoloured,
            run.follow_ups_recoloured,
            run.cases_recoloured,
            run.reminders
        ))
        .after(&run);
    audit::append(&mut tx, now, &actor, &ev).await?;
    tx.commit().await?;
    // After the colours: closing lapsed cases and retraining audit themselves.
    run.cases_lapsed = crate::liaison::steps::lapse(db, now, today).await?;
    let trained = crate::liaison::analysis::train(state, now, None).await?;
    run.trained_on = if trained.learned { trained.examples } else { 0 };
    Ok(run)
}

/// Runs the day's work when no node has yet (`None` when it already ran).
pub async fn run_if_due(state: &AppState) -> anyhow::Result<Option<DailyRun>> {
    if !claim(state, state.clock.today()).await? {
        return Ok(None);
    }
    Ok(Some(run_daily(state).await?))
}

/// Runs the day's work now, whether or not a node has, and marks today done
/// so served nodes do not repeat it (the `daily` command).
pub async fn run_now(state: &AppState) -> anyhow::Result<DailyRun> {
    claim(state, state.clock.today()).await?;
    run_daily(state).await
}

/// The loop every served node runs: check every ten minutes.
pub fn spawn(state: AppState) {
    tokio::spawn(async move {
        loop {
            match run_if_due(&state).await {
                Ok(Some(run)) => tracing::info!(?run, "daily run"),
                Ok(None) => {}
                Err(e) => tracing::error!(error = %e, "daily run failed"),
            }
            tokio::time::sleep(Duration::from_secs(600)).await;
        }
    });
}
