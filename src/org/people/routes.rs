//! People pages.

use axum::extract::{Form, Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;

use super::actions;
use super::model::{MentoringInput, PersonInput, PostingInput};
use super::store::{self, Pair, Person, PersonFilter, Posting};
use crate::authz::{Action, Module};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::web::Ui;
use crate::web::list::Pager;

#[derive(Serialize)]
struct ListPage {
    rows: Vec<Person>,
    pager: Pager,
    filter: PersonFilter,
    levels: Vec<(String, String)>,
    can_write: bool,
    can_export: bool,
}

/// `GET /org/people`
pub async fn list(ui: Ui, Query(f): Query<PersonFilter>) -> AppResult<Response> {
    let scope = ui.require(Module::People, Action::Read)?;
    let (rows, total) = store::list(&ui.state.db, &scope, &f).await?;
    let page = ListPage {
        pager: Pager::new(&f.paging, total, rows.len()),
        rows,
        levels: crate::dicts::store::options(&ui.state.db, "cadre_level").await?,
        filter: f,
        can_write: ui.user.can(Module::People, Action::Write),
        can_export: ui.user.can(Module::People, Action::Export),
    };
    ui.render("org/people.html", page)
}

#[derive(Serialize)]
struct FormPage {
    form: PersonInput,
    errors: std::collections::BTreeMap<String, String>,
    units: Vec<(i64, String)>,
    levels: Vec<(String, String)>,
    branches: Vec<(i64, String)>,
    person: Option<Person>,
}

async fn form_page(
    ui: &Ui,
    form: PersonInput,
    person: Option<Person>,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<Response> {
    let scope = ui.require(Module::People, Action::Write)?;
    let page = FormPage {
        form,
        errors: ui.field_errors(&errors),
        units: crate::org::units::store::options(&ui.state.db, &scope).await?,
        levels: crate::dicts::store::options(&ui.state.db, "cadre_level").await?,
        branches: store::branch_options(&ui.state.db).await?,
        person,
    };
    ui.render_status(status, "org/person_form.html", page)
}

/// `GET /org/people/new`
pub async fn new(ui: Ui) -> AppResult<Response> {
    let form = PersonInput { unit_id: ui.user.unit_id.to_string(), ..PersonInput::default() };
    form_page(&ui, form, None, FieldErrors::default(), StatusCode::OK).await
}

/// `POST /org/people`
pub async fn create(ui: Ui, Form(form): Form<PersonInput>) -> AppResult<Response> {
    match actions::create(&ui.caller(), &form).await {
        Ok(id) => Ok(ui.done(&format!("/org/people/{id}"), Msg::new("人员已新增"))),
        Err(AppError::Invalid(e)) => form_page(&ui, form, None, e, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(e),
    }
}

fn input_of(p: &Person) -> PersonInput {
    let on = |b: bool| b.then(|| "on".to_string());
    PersonInput {
        name: p.name.clone(),
        gender: p.gender.clone(),
        birth_date: p.birth_date.map(|d| d.to_string()).unwrap_or_default(),
        unit_id: p.unit_id.to_string(),
        position: p.position.clone(),
        cadre_level: p.cadre_level.clone(),
        reserve_cadre: on(p.reserve_cadre),
        party_member: on(p.party_member),
        branch_id: p.branch_id.map(|b| b.to_string()).unwrap_or_default(),
        status: p.status.clone(),
        note: p.note.clone(),
    }
}

/// `GET /org/people/{id}/edit`
pub async fn edit(ui: Ui, Path(id): Path<i64>) -> AppResult<Response> {
    let p = actions::reachable(&ui.caller(), id, Action::Write).await?;
    form_page(&ui, input_of(&p), Some(p), FieldErrors::default(), StatusCode::OK).await
}

/// `POST /org/people/{id}`
pub async fn update(ui: Ui, Path(id): Path<i64>, Form(form): Form<PersonInput>) -> AppResult<Response> {
    match actions::update(&ui.caller(), id, &form).await {
        Ok(()) => Ok(ui.done(&format!("/org/people/{id}"), Msg::new("已保存"))),
        Err(AppError::Invalid(e)) => {
            let p = store::get(&ui.state.db, id).await?;
            form_page(&ui, form, p, e, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Serialize)]
struct DetailPage {
    person: Person,
    pairs: Vec<Pair>,
    postings: Vec<Posting>,
    can_write: bool,
    mentees: Vec<(i64, String)>,
    units: Vec<(i64, String)>,
    kinds: Vec<(String, String)>,
    mentoring: MentoringInput,
    posting: PostingInput,
    errors: std::collections::BTreeMap<String, String>,
    today: String,
}

async fn detail_page(
    ui: &Ui,
    id: i64,
    mentoring: MentoringInput,
    posting: PostingInput,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<Response> {
    let person = actions::reachable(&ui.caller(), id, Action::Read).await?;
    let can_write = actions::reachable(&ui.caller(), id, Action::Write).await.is_ok();
    let (mentees, units) = if can_write {
        let scope = ui.user.scope(Module::People, Action::Write);
        let org = ui.user.scope(Module::Org, Action::Read);
        (
            store::options(&ui.state.db, &scope, 500).await?,
            crate::org::units::store::options(&ui.state.db, &org).await?,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let page = DetailPage {
        pairs: store::pairs(&ui.state.db, id).await?,
        postings: store::postings(&ui.state.db, id).await?,
        person,
        can_write,
        mentees,
        units,
        kinds: crate::dicts::store::options(&ui.state.db, "posting_kind").await?,
        mentoring,
        posting,
        errors: ui.field_errors(&errors),
        today: ui.state.clock.today().to_string(),
    };
    ui.render_status(status, "org/person.html", page)
}

/// `GET /org/people/{id}`
pub async fn detail(ui: Ui, Path(id): Path<i64>) -> AppResult<Response> {
    detail_page(
        &ui,
        id,
        MentoringInput::default(),
        PostingInput::default(),
        FieldErrors::default(),
        StatusCode::OK,
    )
    .await
}

/// `POST /org/people/{id}/mentoring`
pub async fn add_pair(ui: Ui, Path(id): Path<i64>, Form(f): Form<MentoringInput>) -> AppResult<Response> {
    match actions::add_pair(&ui.caller(), id, &f).await {
        Ok(_) => Ok(ui.done(&format!("/org/people/{id}"), Msg::new("已登记结对帮带"))),
        Err(AppError::Invalid(e)) => {
            detail_page(&ui, id, f, PostingInput::default(), e, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e),
    }
}

/// `POST /org/people/{id}/mentoring/{pair}/end`
pub async fn end_pair(ui: Ui, Path((id, pair)): Path<(i64, i64)>) -> AppResult<Response> {
    match actions::end_pair(&ui.caller(), id, pair).await {
        Ok(()) => Ok(ui.done(&format!("/org/people/{id}"), Msg::new("结对已结束"))),
        Err(e) => ui.refused_or(&format!("/org/people/{id}"), e),
    }
}

/// `POST /org/people/{id}/postings`
pub async fn add_posting(ui: Ui, Path(id): Path<i64>, Form(f): Form<PostingInput>) -> AppResult<Response> {
    match actions::add_posting(&ui.caller(), id, &f).await {
        Ok(_) => Ok(ui.done(&format!("/org/people/{id}"), Msg::new("已登记交流任职"))),
        Err(AppError::Invalid(e)) => {
            detail_page(&ui, id, MentoringInput::default(), f, e, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e),
    }
}

/// `GET /org/people/export`
pub async fn export(ui: Ui, Query(f): Query<PersonFilter>) -> AppResult<Response> {
    let (name, bytes) = actions::export(&ui.caller(), &f).await?;
    Ok(crate::export::download(&name, bytes))
}
