//! The assessment (scheme, ranking, breakdown, entries) and the evaluations
//! (star criteria, unit scores, task ratings).

use axum::extract::{Form, Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};

use crate::authz::{Action, Module, Target};
use crate::db::{Query as Sql, Sql as SqlBuilder};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::export::Cell;
use crate::i18n::Msg;
use crate::reform::assessment::{self, Indicator, IndicatorInput, KINDS, METRICS, RULES, Ranked, Scheme};
use crate::reform::evaluation::{self, Criterion, CriterionInput, RatingInput, SCORE_KINDS, UnitScoreInput};
use crate::web::Ui;

/// `?year=&date=`
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct YearQuery {
    /// Year (default this year).
    pub year: String,
    /// As of (default today, within the year).
    pub date: String,
}

fn year_of(ui: &Ui, raw: &str) -> i64 {
    assessment::year(raw).unwrap_or_else(|_| i64::from(ui.state.clock.today().year()))
}

async fn ranked(
    ui: &Ui,
    q: &YearQuery,
    action: Action,
) -> AppResult<(i64, Option<(Scheme, Vec<Indicator>, Vec<Ranked>)>)> {
    let scope = ui.require(Module::Reform, action)?;
    let year = year_of(ui, &q.year);
    let as_of = crate::validate::date(&q.date).unwrap_or_else(|_| ui.state.clock.today());
    Ok((year, assessment::ranking(&ui.state.db, &scope, year, as_of).await?))
}

#[derive(Serialize)]
struct RankingPage {
    year: i64,
    scheme: Option<Scheme>,
    indicators: Vec<Indicator>,
    rows: Vec<Ranked>,
    can_manage: bool,
}

/// `GET /reform/assessment`
pub async fn ranking(ui: Ui, Query(q): Query<YearQuery>) -> AppResult<Response> {
    let (year, r) = ranked(&ui, &q, Action::Read).await?;
    let (scheme, indicators, rows) = match r {
        Some((s, i, r)) => (Some(s), i, r),
        None => (None, Vec::new(), Vec::new()),
    };
    let can_manage = ui.user.can(Module::Reform, Action::Approve);
    ui.render("reform/assessment.html", RankingPage { year, scheme, indicators, rows, can_manage })
}

/// `GET /reform/assessment/export`: ranking with every indicator's points and why.
pub async fn export(ui: Ui, Query(q): Query<YearQuery>) -> AppResult<Response> {
    let (year, r) = ranked(&ui, &q, Action::Export).await?;
    let (_, indicators, rows) = r.ok_or(AppError::NotFound)?;
    let mut headers: Vec<String> = vec!["名次".into(), "单位".into(), "总分".into()];
    for i in &indicators {
        headers.push(format!("{}（{}分）", i.name, i.weight));
        headers.push(format!("{}说明", i.name));
    }
    let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    let cells: Vec<Vec<Cell>> = rows
        .iter()
        .map(|r| {
            let mut row = vec![Cell::Num(r.rank as f64), r.unit_name.as_str().into(), Cell::Num(r.total)];
            for p in &r.parts {
                row.push(Cell::Num(p.score));
                row.push(p.text.as_str().into());
            }
            row
        })
        .collect();
    let bytes = crate::export::workbook("考核排名", &header_refs, &cells)?;
    Ok(crate::export::download(&format!("{year}年度改革考核排名"), bytes))
}

#[derive(Serialize)]
struct UnitPage {
    year: i64,
    row: Ranked,
    of: usize,
}

/// `GET /reform/assessment/units/{id}`
pub async fn unit(ui: Ui, Path(id): Path<i64>, Query(q): Query<YearQuery>) -> AppResult<Response> {
    let scope = ui.require(Module::Reform, Action::Read)?;
    let year = year_of(&ui, &q.year);
    let as_of = crate::validate::date(&q.date).unwrap_or_else(|_| ui.state.clock.today());
    let (_, _, all) = assessment::ranking(&ui.state.db, &crate::authz::Scope::everything(), year, as_of)
        .await?
        .ok_or(AppError::NotFound)?;
    let of = all.len();
    let row = all.into_iter().find(|r| r.unit_id == id).ok_or(AppError::NotFound)?;
    if !scope.allows(Target { unit_id: row.unit_id, unit_path: &row.unit_path, owner_id: None }) {
        return Err(AppError::Forbidden);
    }
    ui.render("reform/assessment_unit.html", UnitPage { year, row, of })
}

#[derive(Serialize)]
struct SchemePage {
    year: i64,
    scheme: Option<Scheme>,
    indicators: Vec<Indicator>,
    total_weight: f64,
    kinds: &'static [(&'static str, &'static str)],
    metrics: &'static [(&'static str, &'static str)],
    rules: &'static [(&'static str, &'static str)],
    form: IndicatorInput,
    errors: std::collections::BTreeMap<String, String>,
}

async fn scheme_page(
    ui: &Ui,
    year: i64,
    form: IndicatorInput,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<Response> {
    ui.require(Module::Reform, Action::Approve)?;
    let found = assessment::scheme(&ui.state.db, year).await?;
    let (scheme, indicators) = match found {
        Some((s, i)) => (Some(s), i),
        None => (None, Vec::new()),
    };
    let total_weight = indicators.iter().map(|i| i.weight).sum();
    let page = SchemePage {
        year,
        scheme,
        indicators,
        total_weight,
        kinds: KINDS,
        metrics: METRICS,
        rules: RULES,
        form,
        errors: ui.field_errors(&errors),
    };
    ui.render_status(status, "reform/scheme.html", page)
}

/// `GET /reform/assessment/scheme`
pub async fn scheme(ui: Ui, Query(q): Query<YearQuery>) -> AppResult<Response> {
    let year = year_of(&ui, &q.year);
    let form = IndicatorInput {
        kind: "entered".into(),
        rule: "linear".into(),
        target: "1".into(),
        ..IndicatorInput::default()
    };
    scheme_page(&ui, year, form, FieldErrors::default(), StatusCode::OK).await
}

/// The year form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct YearForm {
    year: String,
}

/// `POST /reform/assessment/scheme`
pub async fn create_scheme(ui: Ui, Form(f): Form<YearForm>) -> AppResult<Response> {
    let to = format!("/reform/assessment/scheme?year={}", f.year.trim());
    match assessment::create_scheme(&ui.caller(), &f.year).await {
        Ok(_) => Ok(ui.done(&to, Msg::new("考核方案已建立"))),
        Err(e) => ui.refused_or(&to, e),
    }
}

/// `POST /reform/assessment/indicators?year=`
pub async fn add_indicator(
    ui: Ui,
    Query(q): Query<YearQuery>,
    Form(form): Form<IndicatorInput>,
) -> AppResult<Response> {
    let year = year_of(&ui, &q.year);
    match assessment::add_indicator(&ui.caller(), year, &form).await {
        Ok(_) => Ok(ui.done(&format!("/reform/assessment/scheme?year={year}"), Msg::new("指标已增加"))),
        Err(AppError::Invalid(e)) => scheme_page(&ui, year, form, e, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => ui.refused_or(&format!("/reform/assessment/scheme?year={year}"), e),
    }
}

async fn indicator_year(ui: &Ui, id: i64) -> AppResult<i64> {
    let y: Option<(i64,)> = ui
        .state
        .db
        .opt(Sql::new("select s.year from reform_indicators i join reform_schemes s on s.id = i.scheme_id where i.id = $1").bind(id))
        .await?;
    y.map(|(y,)| y).ok_or(AppError::NotFound)
}

/// `POST /reform/assessment/indicators/{id}`
pub async fn update_indicator(
    ui: Ui,
    Path(id): Path<i64>,
    Form(form): Form<IndicatorInput>,
) -> AppResult<Response> {
    let year = indicator_year(&ui, id).await?;
    let to = format!("/reform/assessment/scheme?year={year}");
    match assessment::update_indicator(&ui.caller(), id, &form).await {
        Ok(()) => Ok(ui.done(&to, Msg::new("已保存"))),
        Err(e) => ui.refused_or(&to, e),
    }
}

/// `POST /reform/assessment/indicators/{id}/delete`
pub async fn delete_indicator(ui: Ui, Path(id): Path<i64>) -> AppResult<Response> {
    let year = indicator_year(&ui, id).await?;
    let to = format!("/reform/assessment/scheme?year={year}");
    match assessment::delete_indicator(&ui.caller(), id).await {
        Ok(()) => Ok(ui.done(&to, Msg::new("指标已删除"))),
        Err(e) => ui.refused_or(&to, e),
    }
}

#[derive(Serialize)]
struct EntriesPage {
    year: i64,
    indicator: Indicator,
    rows: Vec<(i64, String, String)>,
    errors: std::collections::BTreeMap<String, String>,
}

async fn entries_page(
    ui: &Ui,
    id: i64,
    typed: Option<&[(String, String)]>,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<Response> {
    let scope = ui.require(Module::Reform, Action::Approve)?;
    let year = indicator_year(ui, id).await?;
    let (_, list) = assessment::scheme(&ui.state.db, year).await?.ok_or(AppError::NotFound)?;
    let indicator = list.into_iter().find(|i| i.id == id).ok_or(AppError::NotFound)?;
    let units: Vec<(i64, String, String, Option<f64>)> = ui
        .state
        .db
        .all(
            Sql::new(
                "select u.id, u.name, u.path, e.value from units u left join reform_indicator_entries e on e.unit_id = u.id and e.indicator_id = $1 \
                 where u.id in (select distinct lead_unit_id from reform_tasks where year = $2 and status <> 'cancelled') order by u.path",
            )
            .bind(id)
            .bind(year),
        )
        .await?;
    let rows = units
        .into_iter()
        .filter(|(u, _, p, _)| scope.allows(Target { unit_id: *u, unit_path: p, owner_id: None }))
        .map(|(u, name, _, v)| {
            let shown = typed
                .and_then(|t| t.iter().find(|(k, _)| *k == u.to_string()).map(|(_, v)| v.clone()))
                .unwrap_or_else(|| v.map(|v| v.to_string()).unwrap_or_default());
            (u, name, shown)
        })
        .collect();
    ui.render_status(
        status,
        "reform/entries.html",
        EntriesPage { year, indicator, rows, errors: ui.field_errors(&errors) },
    )
}

/// `GET /reform/assessment/indicators/{id}/entries`
pub async fn entries(ui: Ui, Path(id): Path<i64>) -> AppResult<Response> {
    entries_page(&ui, id, None, FieldErrors::default(), StatusCode::OK).await
}

/// `POST /reform/assessment/indicators/{id}/entries` (fields `value_<unit id>`).
pub async fn save_entries(
    ui: Ui,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let values: Vec<(String, String)> =
        pairs.into_iter().filter_map(|(k, v)| k.strip_prefix("value_").map(|u| (u.to_string(), v))).collect();
    match assessment::save_entries(&ui.caller(), id, &values).await {
        Ok(n) => Ok(ui.done(
            &format!("/reform/assessment/indicators/{id}/entries"),
            Msg::new("已保存{n}个单位的得分").arg("n", n),
        )),
        Err(AppError::Invalid(e)) => {
            entries_page(&ui, id, Some(&values), e, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => ui.refused_or(&format!("/reform/assessment/indicators/{id}/entries"), e),
    }
}

#[derive(Serialize)]
struct ScoreRow {
    unit_id: i64,
    name: String,
    review: Option<f64>,
    public: Option<f64>,
}

#[derive(Serialize)]
struct EvaluationsPage {
    year: i64,
    criteria: Vec<Criterion>,
    scores: Vec<ScoreRow>,
    kinds: &'static [(&'static str, &'static str)],
    can_manage: bool,
    form: CriterionInput,
    errors: std::collections::BTreeMap<String, String>,
}

async fn evaluations_page(
    ui: &Ui,
    year: i64,
    form: CriterionInput,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<Response> {
    let read = ui.require(Module::Reform, Action::Read)?;
    let db = &ui.state.db;
    let scores = evaluation::unit_scores(db, year).await?;
    let mut sql = SqlBuilder::new(
        "select u.id, u.name from units u where u.id in \
         (select distinct lead_unit_id from reform_tasks where year = ",
    );
    sql.bind(year).push(" and status <> 'cancelled') and ");
    read.filter(&mut sql, "u.id", None);
    sql.push(" order by u.path");
    let units: Vec<(i64, String)> = db.all(sql.build()).await?;
    let score =
        |u: i64, kind: &str| scores.iter().find(|s| s.unit_id == u && s.kind == kind).map(|s| s.score);
    let rows = units
        .into_iter()
        .map(|(u, name)| ScoreRow {
            unit_id: u,
            name,
            review: score(u, "review"),
            public: score(u, "public"),
        })
        .collect();
    let page = EvaluationsPage {
        year,
        criteria: evaluation::criteria(db, year).await?,
        scores: rows,
        kinds: SCORE_KINDS,
        can_manage: ui.user.can(Module::Reform, Action::Approve),
        form,
        errors: ui.field_errors(&errors),
    };
    ui.render_status(status, "reform/evaluations.html", page)
}

/// `GET /reform/evaluations`
pub async fn evaluations(ui: Ui, Query(q): Query<YearQuery>) -> AppResult<Response> {
    let year = year_of(&ui, &q.year);
    let form = CriterionInput { year: year.to_string(), max_stars: "5".into(), ..CriterionInput::default() };
    evaluations_page(&ui, year, form, FieldErrors::default(), StatusCode::OK).await
}

/// `POST /reform/evaluations/criteria`
pub async fn add_criterion(ui: Ui, Form(form): Form<CriterionInput>) -> AppResult<Response> {
    let year = year_of(&ui, &form.year);
    match evaluation::add_criterion(&ui.caller(), &form).await {
        Ok(_) => Ok(ui.done(&format!("/reform/evaluations?year={year}"), Msg::new("评价标准已增加"))),
        Err(AppError::Invalid(e)) => {
            evaluations_page(&ui, year, form, e, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => ui.refused_or(&format!("/reform/evaluations?year={year}"), e),
    }
}

/// `POST /reform/evaluations/scores`
pub async fn set_score(ui: Ui, Form(form): Form<UnitScoreInput>) -> AppResult<Response> {
    let to = format!("/reform/evaluations?year={}", year_of(&ui, &form.year));
    match evaluation::set_unit_score(&ui.caller(), &form).await {
        Ok(()) => Ok(ui.done(&to, Msg::new("已保存"))),
        Err(e) => ui.refused_or(&to, e),
    }
}

/// `POST /reform/tasks/{id}/rating` (fields `stars_<criterion id>` and `comment`).
pub async fn rate(
    ui: Ui,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let mut input = RatingInput::default();
    for (k, v) in pairs {
        if let Some(c) = k.strip_prefix("stars_") {
            input.stars.push((c.to_string(), v));
        } else if k == "comment" {
            input.comment = v;
        }
    }
    let to = format!("/reform/tasks/{id}#rating");
    match evaluation::rate(&ui.caller(), id, &input).await {
        Ok(()) => Ok(ui.done(&to, Msg::new("星级评价已保存"))),
        Err(e) => ui.refused_or(&to, e),
    }
}
