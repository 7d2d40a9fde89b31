//! Evaluations (R6): star ratings of tasks by evaluators against the year's
//! criteria, and the performance-review (绩效考评) and public-evaluation
//! (群众评议) scores of units. Evaluators are those who may review the task
//! (reform Approve: the reform office and the leaders).

use serde::{Deserialize, Serialize};

use crate::app::Caller;
use crate::audit::{self, Event};
use crate::authz::{Action, Module, Target};
use crate::db::{Db, DbResult, Query};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::validate::{Check, optional, required};

/// Kinds of unit score.
pub const SCORE_KINDS: &[(&str, &str)] = &[("review", "绩效考评"), ("public", "群众评议")];

/// A star criterion.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Criterion {
    /// Id.
    pub id: i64,
    /// Year.
    pub year: i64,
    /// Name (“改革成效”).
    pub name: String,
    /// Most stars.
    pub max_stars: i64,
    /// Order.
    pub sort_order: i64,
}

/// The year's criteria, in order.
pub async fn criteria(db: &Db, year: i64) -> DbResult<Vec<Criterion>> {
    db.all(
        Query::new(
            "select id, year, name, max_stars, sort_order from reform_star_criteria where year = $1 and enabled = true order by sort_order, id",
        )
        .bind(year),
    )
    .await
}

/// A criterion as typed.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct CriterionInput {
    /// Year.
    pub year: String,
    /// Name.
    pub name: String,
    /// Most stars (1–10, default 5).
    pub max_stars: String,
}

/// Adds a criterion to a year.
pub async fn add_criterion(c: &Caller<'_>, input: &CriterionInput) -> AppResult<i64> {
    c.who.require(Module::Reform, Action::Approve)?;
    let mut check = Check::default();
    let year = check.take("year", super::assessment::year(&input.year));
    let name = check.take("name", required(&input.name, 40));
    let max = check.take(
        "max_stars",
        match input.max_stars.trim() {
            "" => Ok(5),
            v => v
                .parse::<i64>()
                .ok()
                .filter(|m| (1..=10).contains(m))
                .ok_or_else(|| Msg::new("请填写1到10之间的整数")),
        },
    );
    let (year, name, max) = check.finish(|| Some((year?, name?, max?)))?;
    let mut tx = c.state.db.begin().await?;
    let order: i64 = tx
        .scalar(
            Query::new("select coalesce(max(sort_order), 0) + 10 from reform_star_criteria where year = $1")
                .bind(year),
        )
        .await?;
    let id: i64 = tx
        .scalar(
            Query::new("insert into reform_star_criteria (year, name, max_stars, sort_order) values ($1, $2, $3, $4) returning id")
                .bind(year)
                .bind(name.clone())
                .bind(max)
                .bind(order),
        )
        .await?;
    let ev = Event::new("reform.criterion_add", "reform_star_criterion", id)
        .summary(format!("{year}年星级评价增加标准“{name}”（{max}星）"));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(id)
}

/// One evaluator's stars on a task.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Rating {
    /// Criterion.
    pub criterion_id: i64,
    /// Its name.
    pub criterion: String,
    /// Most stars.
    pub max_stars: i64,
    /// Evaluator.
    pub evaluator_id: i64,
    /// Their name.
    pub evaluator: String,
    /// Stars given.
    pub stars: i64,
    /// Comment.
    pub comment: String,
}

/// A task's ratings.
pub async fn ratings(db: &Db, task_id: i64) -> DbResult<Vec<Rating>> {
    db.all(
        Query::new(
            "select s.criterion_id, c.name as criterion, c.max_stars, s.evaluator_id, a.display_name as evaluator, s.stars, s.comment \
             from reform_star_ratings s join reform_star_criteria c on c.id = s.criterion_id join accounts a on a.id = s.evaluator_id \
             where s.task_id = $1 order by c.sort_order, c.id, a.display_name",
        )
        .bind(task_id),
    )
    .await
}

/// Stars for each criterion, as typed: (criterion id, stars).
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct RatingInput {
    /// (criterion id, stars) pairs.
    pub stars: Vec<(String, String)>,
    /// Comment.
    pub comment: String,
}

/// Rates a task (replacing the evaluator's earlier stars).
pub async fn rate(c: &Caller<'_>, task_id: i64, input: &RatingInput) -> AppResult<()> {
    let t = super::actions::managed_task(c, task_id).await?;
    let list = criteria(&c.state.db, t.year).await?;
    if list.is_empty() {
        return Err(AppError::Conflict(Msg::new("本年度尚未设置星级评价标准")));
    }
    let comment = optional(&input.comment, 500).map_err(|m| FieldErrors::one("comment", m))?;
    let mut given = Vec::new();
    for cr in &list {
        let raw =
            input.stars.iter().find(|(k, _)| k.trim() == cr.id.to_string()).map_or("", |(_, v)| v.as_str());
        let field = format!("stars_{}", cr.id);
        let stars =
            raw.trim().parse::<i64>().ok().filter(|s| (1..=cr.max_stars).contains(s)).ok_or_else(|| {
                FieldErrors::one(
                    &field,
                    Msg::new("“{name}”请评1到{max}星").arg("name", &cr.name).arg("max", cr.max_stars),
                )
            })?;
        given.push((cr, stars));
    }
    let mut tx = c.state.db.begin().await?;
    for (cr, stars) in &given {
        tx.exec(
            Query::new(
                "insert into reform_star_ratings (task_id, criterion_id, evaluator_id, stars, comment, at) values ($1, $2, $3, $4, $5, $6) \
                 on conflict (task_id, criterion_id, evaluator_id) do update set stars = $4, comment = $5, at = $6",
            )
            .bind(task_id)
            .bind(cr.id)
            .bind(c.who.account_id)
            .bind(*stars)
            .bind(comment.clone())
            .bind(c.now),
        )
        .await?;
    }
    let text = given.iter().map(|(cr, s)| format!("{}{s}星", cr.name)).collect::<Vec<_>>().join("，");
    let ev = Event::new("reform.task_rate", "reform_task", task_id)
        .summary(format!("星级评价“{}”：{text}", t.title));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(())
}

/// A unit's review or public score.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct UnitScore {
    /// Unit.
    pub unit_id: i64,
    /// `review` or `public`.
    pub kind: String,
    /// 0–100.
    pub score: f64,
    /// Note.
    pub note: String,
}

/// Scores of a year.
pub async fn unit_scores(db: &Db, year: i64) -> DbResult<Vec<UnitScore>> {
    db.all(Query::new("select unit_id, kind, score, note from reform_unit_scores where year = $1").bind(year))
        .await
}

/// A unit score as typed.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct UnitScoreInput {
    /// Year.
    pub year: String,
    /// Unit.
    pub unit_id: String,
    /// `review` or `public`.
    pub kind: String,
    /// 0–100.
    pub score: String,
    /// Note.
    pub note: String,
}

/// Parses a score between 0 and `max`.
pub fn score(raw: &str, max: f64) -> Result<f64, Msg> {
    raw.trim()
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && (0.0..=max).contains(s))
        .ok_or_else(|| Msg::new("请填写0到{max}之间的分数").arg("max", max))
}

/// Sets a unit's review or public score for a year.
pub async fn set_unit_score(c: &Caller<'_>, input: &UnitScoreInput) -> AppResult<()> {
    let mut check = Check::default();
    let year = check.take("year", super::assessment::year(&input.year));
    let unit = check.take("unit_id", crate::validate::id(&input.unit_id));
    let kind = check.take(
        "kind",
        SCORE_KINDS
            .iter()
            .find(|(k, _)| *k == input.kind.trim())
            .map(|(k, _)| *k)
            .ok_or_else(|| Msg::new("请选择评分类型")),
    );
    let value = check.take("score", score(&input.score, 100.0));
    let note = check.take("note", optional(&input.note, 200));
    let (year, unit, kind, value, note) = check.finish(|| Some((year?, unit?, kind?, value?, note?)))?;
    let path: Option<(String, String)> =
        c.state.db.opt(Query::new("select path, name from units where id = $1").bind(unit)).await?;
    let (path, name) = path.ok_or_else(|| FieldErrors::one("unit_id", Msg::new("单位不存在")))?;
    c.who.require_on(
        Module::Reform,
        Action::Approve,
        Target { unit_id: unit, unit_path: &path, owner_id: None },
    )?;
    let mut tx = c.state.db.begin().await?;
    tx.exec(
        Query::new(
            "insert into reform_unit_scores (year, unit_id, kind, score, note, by_account, at) values ($1, $2, $3, $4, $5, $6, $7) \
             on conflict (year, unit_id, kind) do update set score = $4, note = $5, by_account = $6, at = $7",
        )
        .bind(year)
        .bind(unit)
        .bind(kind)
        .bind(value)
        .bind(note)
        .bind(c.who.account_id)
        .bind(c.now),
    )
    .await?;
    let label = SCORE_KINDS.iter().find(|(k, _)| *k == kind).map_or("", |(_, l)| l);
    let ev =
        Event::new("reform.unit_score", "unit", unit).summary(format!("{year}年{name}{label}得分{value}"));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(())
}
