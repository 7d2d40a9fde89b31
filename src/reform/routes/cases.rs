//! Typical cases with their submissions, and pilots.

use std::collections::HashMap;

use axum::extract::{Form, Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};

use crate::authz::{Action, Module};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::reform::cases::{
    self, ACCEPTANCE, Case, CaseInput, LEVELS, OUTCOMES, Pilot, PilotEvaluation, PilotInput, STAGES,
    Submission, SubmissionInput,
};
use crate::web::Ui;

/// `?year=&stage=` or `?level=`
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct CaseQuery {
    /// Year.
    pub year: String,
    /// Case stage.
    pub stage: String,
    /// Pilot level.
    pub level: String,
}

#[derive(Serialize)]
struct CaseRow {
    #[serde(flatten)]
    case: Case,
    list: Vec<Submission>,
    can_submit: bool,
}

#[derive(Serialize)]
struct CasesPage {
    year: i64,
    stage: String,
    rows: Vec<CaseRow>,
    counts: Vec<(String, i64, i64)>,
    stages: &'static [(&'static str, &'static str)],
    outcomes: &'static [(&'static str, &'static str)],
    outlets: Vec<(String, String)>,
    can_propose: bool,
    form: CaseInput,
    errors: std::collections::BTreeMap<String, String>,
    units: Vec<(i64, String)>,
    today: String,
}

async fn cases_page(
    ui: &Ui,
    q: &CaseQuery,
    form: CaseInput,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<Response> {
    let scope = ui.require(Module::Reform, Action::Read)?;
    let year = q
        .year
        .trim()
        .parse()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
        .unwrap_or_else(|| i64::from(ui.state.clock.today().year()));
    let stage = if STAGES.iter().any(|(s, _)| *s == q.stage) { q.stage.clone() } else { String::new() };
    let db = &ui.state.db;
    let list = cases::list_cases(db, &scope, year, &stage).await?;
    let ids: Vec<i64> = list.iter().map(|c| c.id).collect();
    let mut subs: HashMap<i64, Vec<Submission>> = HashMap::new();
    for s in cases::submissions(db, &ids).await? {
        subs.entry(s.case_id).or_default().push(s);
    }
    let approve = ui.user.scope(Module::Reform, Action::Approve);
    let rows = list
        .into_iter()
        .map(|c| CaseRow {
            can_submit: approve.allows(crate::authz::Target {
                unit_id: c.unit_id,
                unit_path: &c.unit_path,
                owner_id: None,
            }),
            list: subs.remove(&c.id).unwrap_or_default(),
            case: c,
        })
        .collect();
    let write = ui.user.scope(Module::Reform, Action::Write);
    let page = CasesPage {
        year,
        stage,
        rows,
        counts: cases::outlet_counts(db, &scope, year).await?,
        stages: STAGES,
        outcomes: OUTCOMES,
        outlets: crate::dicts::store::options(db, "reform_outlet").await?,
        can_propose: !write.is_empty(),
        units: if write.is_empty() {
            Vec::new()
        } else {
            crate::org::units::store::options(db, &write).await?
        },
        form,
        errors: ui.field_errors(&errors),
        today: ui.state.clock.today().to_string(),
    };
    ui.render_status(status, "reform/cases.html", page)
}

/// `GET /reform/cases`
pub async fn list(ui: Ui, Query(q): Query<CaseQuery>) -> AppResult<Response> {
    let form = CaseInput {
        year: ui.state.clock.today().year().to_string(),
        unit_id: ui.user.unit_id.to_string(),
        ..CaseInput::default()
    };
    cases_page(&ui, &q, form, FieldErrors::default(), StatusCode::OK).await
}

/// `POST /reform/cases`
pub async fn create(ui: Ui, Form(form): Form<CaseInput>) -> AppResult<Response> {
    match cases::create_case(&ui.caller(), &form).await {
        Ok(_) => Ok(ui.done(&format!("/reform/cases?year={}", form.year.trim()), Msg::new("典型案例已登记"))),
        Err(AppError::Invalid(e)) => {
            let q = CaseQuery { year: form.year.clone(), ..CaseQuery::default() };
            cases_page(&ui, &q, form, e, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => ui.refused_or("/reform/cases", e),
    }
}

/// `POST /reform/cases/{id}/submissions`
pub async fn submit(ui: Ui, Path(id): Path<i64>, Form(form): Form<SubmissionInput>) -> AppResult<Response> {
    match cases::submit_case(&ui.caller(), id, &form).await {
        Ok(_) => Ok(ui.done("/reform/cases", Msg::new("报送已登记"))),
        Err(e) => ui.refused_or("/reform/cases", e),
    }
}

/// The outcome form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OutcomeForm {
    outcome: String,
    outcome_on: String,
}

/// `POST /reform/submissions/{id}/outcome`
pub async fn outcome(ui: Ui, Path(id): Path<i64>, Form(f): Form<OutcomeForm>) -> AppResult<Response> {
    match cases::record_outcome(&ui.caller(), id, &f.outcome, &f.outcome_on).await {
        Ok(()) => Ok(ui.done("/reform/cases", Msg::new("采用情况已登记"))),
        Err(e) => ui.refused_or("/reform/cases", e),
    }
}

#[derive(Serialize)]
struct PilotRow {
    #[serde(flatten)]
    pilot: Pilot,
    can_evaluate: bool,
}

#[derive(Serialize)]
struct PilotsPage {
    level: String,
    rows: Vec<PilotRow>,
    levels: &'static [(&'static str, &'static str)],
    acceptance: &'static [(&'static str, &'static str)],
    can_manage: bool,
    units: Vec<(i64, String)>,
    form: PilotInput,
    errors: std::collections::BTreeMap<String, String>,
    today: String,
}

async fn pilots_page(
    ui: &Ui,
    level: &str,
    form: PilotInput,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<Response> {
    let scope = ui.require(Module::Reform, Action::Read)?;
    let level = if LEVELS.iter().any(|(l, _)| *l == level) { level.to_string() } else { String::new() };
    let approve = ui.user.scope(Module::Reform, Action::Approve);
    let rows = cases::list_pilots(&ui.state.db, &scope, &level)
        .await?
        .into_iter()
        .map(|p| PilotRow {
            can_evaluate: approve.allows(crate::authz::Target {
                unit_id: p.host_unit_id,
                unit_path: &p.host_unit_path,
                owner_id: None,
            }),
            pilot: p,
        })
        .collect();
    let page = PilotsPage {
        level,
        rows,
        levels: LEVELS,
        acceptance: ACCEPTANCE,
        can_manage: !approve.is_empty(),
        units: if approve.is_empty() {
            Vec::new()
        } else {
            crate::org::units::store::options(&ui.state.db, &approve).await?
        },
        form,
        errors: ui.field_errors(&errors),
        today: ui.state.clock.today().to_string(),
    };
    ui.render_status(status, "reform/pilots.html", page)
}

/// `GET /reform/pilots`
pub async fn pilots(ui: Ui, Query(q): Query<CaseQuery>) -> AppResult<Response> {
    let form = PilotInput {
        level: "city".into(),
        start_on: ui.state.clock.today().to_string(),
        ..PilotInput::default()
    };
    pilots_page(&ui, &q.level, form, FieldErrors::default(), StatusCode::OK).await
}

/// `POST /reform/pilots`
pub async fn create_pilot(ui: Ui, Form(form): Form<PilotInput>) -> AppResult<Response> {
    match cases::create_pilot(&ui.caller(), &form).await {
        Ok(_) => Ok(ui.done("/reform/pilots", Msg::new("改革试点已登记"))),
        Err(AppError::Invalid(e)) => pilots_page(&ui, "", form, e, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => ui.refused_or("/reform/pilots", e),
    }
}

/// `POST /reform/pilots/{id}/evaluate`
pub async fn evaluate(ui: Ui, Path(id): Path<i64>, Form(form): Form<PilotEvaluation>) -> AppResult<Response> {
    match cases::evaluate_pilot(&ui.caller(), id, &form).await {
        Ok(()) => Ok(ui.done("/reform/pilots", Msg::new("评估结果已登记"))),
        Err(e) => ui.refused_or("/reform/pilots", e),
    }
}
