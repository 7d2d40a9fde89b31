//! Grassroots pages: the case list, the phone-width submission form, a case
//! with the forms each party may use, the registry, the lexicon and the
//! figures. A form that fails its checks comes back with the message beside
//! the field.

use std::collections::BTreeMap;

use axum::Form;
use axum::extract::{Multipart, Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};

use super::cases::{self, Case, StepInput, SubmitInput};
use super::flow::{self, Rating, State};
use super::{figures, points};
use crate::authz::{Action, Module};
use crate::db::Query as Q;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::web::Ui;

type Errors = BTreeMap<String, String>;
type Pairs = &'static [(&'static str, &'static str)];

async fn categories(ui: &Ui) -> AppResult<Vec<(String, String)>> {
    Ok(crate::dicts::store::options(&ui.state.db, "submission_category").await?)
}

fn states() -> Vec<(&'static str, &'static str)> {
    let mut v = vec![("open", "未办结"), ("office", "待研究室处理")];
    v.extend(State::ALL.iter().map(|s| (s.code(), s.label())));
    v
}

#[derive(Serialize)]
struct ListPage {
    f: cases::Filter,
    rows: Vec<Case>,
    more: bool,
    page: i64,
    states: Vec<(&'static str, &'static str)>,
    categories: Vec<(String, String)>,
    can_submit: bool,
    office: bool,
}

/// `GET /liaison`
pub async fn list(ui: Ui, Query(f): Query<cases::Filter>) -> AppResult<Response> {
    ui.require(Module::Liaison, Action::Read)?;
    let (rows, more) = cases::list(&ui.state.db, &ui.user, &f).await?;
    let page = ListPage {
        page: f.page.trim().parse().unwrap_or(1),
        f,
        rows,
        more,
        states: states(),
        categories: categories(&ui).await?,
        can_submit: is_point(&ui).await?,
        office: ui.user.can(Module::Liaison, Action::Approve),
    };
    ui.render("liaison/list.html", page)
}

/// Is the person's unit a registered contact point?
async fn is_point(ui: &Ui) -> AppResult<bool> {
    if !ui.user.can(Module::Liaison, Action::Write) {
        return Ok(false);
    }
    let n: i64 = ui
        .state
        .db
        .scalar(Q::new("select count(*) from liaison_points where unit_id = $1").bind(ui.user.unit_id))
        .await?;
    Ok(n > 0)
}

#[derive(Serialize)]
struct NewPage {
    form: SubmitInput,
    errors: Errors,
    urgency: Pairs,
    categories: Vec<(String, String)>,
    points: Vec<(i64, String)>,
}

async fn new_page(
    ui: &Ui,
    form: SubmitInput,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<Response> {
    ui.require(Module::Liaison, Action::Write)?;
    // The office may submit for any point (a phone call noted down); a point submits for itself.
    let points = if ui.user.can(Module::Liaison, Action::Approve) {
        ui.state
            .db
            .all(Q::new(
                "select u.id, u.name from liaison_points p join units u on u.id = p.unit_id \
                 where p.status = 'active' and u.status = 'active' order by u.path",
            ))
            .await?
    } else {
        Vec::new()
    };
    let page = NewPage {
        form,
        errors: ui.field_errors(&errors),
        urgency: cases::URGENCY,
        categories: categories(ui).await?,
        points,
    };
    ui.render_status(status, "liaison/new.html", page)
}

/// `GET /liaison/new`
pub async fn new(ui: Ui) -> AppResult<Response> {
    new_page(&ui, SubmitInput::default(), FieldErrors::default(), StatusCode::OK).await
}

/// `POST /liaison/new` (multipart: the fields and up to six photos or files).
pub async fn submit(ui: Ui, m: Multipart) -> AppResult<Response> {
    let form = crate::attachments::read_form(m, cases::MAX_FILES).await?;
    let input = SubmitInput {
        title: form.text("title"),
        content: form.text("content"),
        place: form.text("place"),
        category: form.text("category"),
        urgency: form.text("urgency"),
        point_id: form.text("point_id"),
    };
    let c = ui.caller();
    let mut checked_files = Vec::new();
    for (name, bytes) in form.files {
        match crate::attachments::actions::check(&c, &name, bytes).await {
            Ok(f) => checked_files.push(f),
            Err(AppError::BadRequest(m)) => {
                return new_page(&ui, input, FieldErrors::one("files", m), StatusCode::UNPROCESSABLE_ENTITY)
                    .await;
            }
            Err(e) => return Err(e),
        }
    }
    let checked = match cases::check_submission(&c, &input).await {
        Ok(s) => s,
        Err(AppError::Invalid(e)) => return new_page(&ui, input, e, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => return Err(e),
    };
    let s = cases::submit(&c, checked, &checked_files, "form", None).await?;
    Ok(ui.done(&format!("/liaison/cases/{}", s.id), Msg::new("已受理，受理编号{no}").arg("no", s.no)))
}

#[derive(Serialize)]
struct CasePage {
    case: Case,
    state_label: &'static str,
    history: Vec<cases::HistoryRow>,
    duplicates: Vec<Case>,
    files: Vec<crate::attachments::store::Attachment>,
    office: bool,
    handler: bool,
    point: bool,
    categories: Vec<(String, String)>,
    units: Vec<(i64, String)>,
    return_reasons: Pairs,
    transfer_reasons: Pairs,
    solved: Pairs,
    ratings: Vec<(&'static str, &'static str)>,
    form: StepInput,
    errors: Errors,
    risk_label: &'static str,
}

async fn case_page(
    ui: &Ui,
    id: i64,
    form: StepInput,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<Response> {
    let c = ui.caller();
    let case = cases::visible(&c, id).await?;
    let parts = cases::parts(&c, &case);
    let db = &ui.state.db;
    let units = if parts.office {
        crate::org::units::store::options(db, &crate::authz::Scope::everything()).await?.into_iter().collect()
    } else {
        Vec::new()
    };
    let files = crate::attachments::store::for_owner(
        db,
        &crate::authz::Scope::everything(),
        "liaison_case",
        &id.to_string(),
    )
    .await?;
    let mut form = form;
    if form.category.is_empty() {
        form.category = if case.category.is_empty() { case.suggested.clone() } else { case.category.clone() };
    }
    if form.into.is_empty() {
        form.into = case.dup_of.map(|d| d.to_string()).unwrap_or_default();
    }
    let page = CasePage {
        state_label: case.state().label(),
        history: cases::history(db, id).await?,
        duplicates: cases::duplicates(db, &ui.user, &case).await?,
        files,
        office: parts.office,
        handler: parts.handler,
        point: parts.point,
        categories: categories(ui).await?,
        units,
        return_reasons: flow::RETURN_REASONS,
        transfer_reasons: flow::TRANSFER_REASONS,
        solved: flow::SOLVED,
        ratings: Rating::ALL.iter().map(|r| (r.code(), r.label())).collect(),
        form,
        errors: ui.field_errors(&errors),
        risk_label: cases::risk_label(case.risk_level),
        case,
    };
    ui.render_status(status, "liaison/case.html", page)
}

/// `GET /liaison/cases/{id}`
pub async fn case(ui: Ui, Path(id): Path<i64>) -> AppResult<Response> {
    case_page(&ui, id, StepInput::default(), FieldErrors::default(), StatusCode::OK).await
}

/// `POST /liaison/cases/{id}/step`
pub async fn step(ui: Ui, Path(id): Path<i64>, Form(f): Form<StepInput>) -> AppResult<Response> {
    match cases::step(&ui.caller(), id, &f).await {
        Ok(to) => {
            Ok(ui.done(&format!("/liaison/cases/{id}"), Msg::new("案件{state}").arg("state", to.label())))
        }
        Err(AppError::Invalid(e)) => case_page(&ui, id, f, e, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => ui.refused_or(&format!("/liaison/cases/{id}"), e),
    }
}

/// `GET /liaison/cases/{id}/files/{file}`: a case's photo or file, for whoever may see the case.
pub async fn file(ui: Ui, Path((id, file)): Path<(i64, i64)>) -> AppResult<Response> {
    cases::visible(&ui.caller(), id).await?;
    let a = crate::attachments::store::get(&ui.state.db, file).await?.ok_or(AppError::NotFound)?;
    if a.owner_type != "liaison_case" || a.owner_ref != id.to_string() {
        return Err(AppError::NotFound);
    }
    let bytes = tokio::fs::read(crate::attachments::store::blob_path(&ui.state.files_dir(), &a.sha))
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok(crate::attachments::file_response(&a, bytes))
}

/// `GET /liaison/export`: the case ledger as xlsx (the list's filter, at most 100,000 rows).
pub async fn export(ui: Ui, Query(f): Query<cases::Filter>) -> AppResult<Response> {
    ui.require(Module::Liaison, Action::Export)?;
    let rows = cases::all(&ui.state.db, &ui.user, &f, 100_000).await?;
    let cats: BTreeMap<String, String> = categories(&ui).await?.into_iter().collect();
    use crate::export::Cell;
    let offset = ui.state.clock.offset();
    let day = |t: Option<crate::clock::Ts>| t.map(|t| t.to_offset(offset).date().to_string());
    let data: Vec<Vec<Cell>> = rows
        .iter()
        .map(|c| {
            vec![
                Cell::from(c.no.as_str()),
                Cell::from(day(Some(c.created_at))),
                Cell::from(c.point_name.as_str()),
                Cell::from(c.title.as_str()),
                Cell::from(cats.get(&c.category).cloned().unwrap_or_default()),
                Cell::from(c.state().label()),
                Cell::from(c.handler_name.clone()),
                Cell::from(day(c.dispatched_at)),
                Cell::from(c.due_on.map(|d| d.to_string())),
                Cell::from(day(c.replied_at)),
                Cell::from(match c.on_time {
                    Some(true) => "是",
                    Some(false) => "否",
                    None => "",
                }),
                Cell::from(crate::research::label_of(flow::SOLVED, &c.solved)),
                Cell::from(Rating::parse(&c.rating).map_or("", |r| r.label())),
                Cell::from(c.colour_reason.as_str()),
            ]
        })
        .collect();
    let bytes = crate::export::workbook(
        "基层问题台账",
        &[
            "受理编号",
            "报送日期",
            "联系点",
            "标题",
            "类别",
            "状态",
            "承办单位",
            "交办日期",
            "办理时限",
            "答复日期",
            "按期答复",
            "办理结果",
            "评价",
            "督办提示",
        ],
        &data,
    )
    .map_err(AppError::Internal)?;
    let c = ui.caller();
    let mut tx = ui.state.db.begin().await?;
    let ev = crate::audit::Event::new("liaison.export", "liaison_cases", 0)
        .summary(format!("导出基层问题台账{}条", rows.len()));
    crate::audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(crate::export::download("基层问题台账.xlsx", bytes))
}

#[derive(Serialize)]
struct PointsPage {
    f: points::Filter,
    rows: Vec<points::Point>,
    kinds: Pairs,
    statuses: Pairs,
    office: bool,
    errors: Vec<crate::reform::ledger::RowError>,
}

fn ninety_days_ago(ui: &Ui) -> crate::clock::Ts {
    ui.state.clock.now().plus_minutes(-90 * 24 * 60)
}

async fn points_page(
    ui: &Ui,
    f: points::Filter,
    errors: Vec<crate::reform::ledger::RowError>,
    status: StatusCode,
) -> AppResult<Response> {
    ui.require(Module::Liaison, Action::Read)?;
    let page = PointsPage {
        rows: points::list(&ui.state.db, &ui.user, &f, ninety_days_ago(ui)).await?,
        f,
        kinds: points::KINDS,
        statuses: points::STATUSES,
        office: ui.user.can(Module::Liaison, Action::Approve),
        errors,
    };
    ui.render_status(status, "liaison/points.html", page)
}

/// `GET /liaison/points`
pub async fn points_list(ui: Ui, Query(f): Query<points::Filter>) -> AppResult<Response> {
    points_page(&ui, f, Vec::new(), StatusCode::OK).await
}

/// `POST /liaison/points/import` (multipart `file`: xlsx).
pub async fn points_import(ui: Ui, m: Multipart) -> AppResult<Response> {
    let form = crate::attachments::read_form(m, 1).await?;
    let bytes = form.files.into_iter().next().map(|f| f.1).unwrap_or_default();
    match points::import(&ui.caller(), &bytes).await? {
        Ok(done) => Ok(ui.done(
            "/liaison/points",
            Msg::new("已导入联系点{n}个（新增{a}，更新{b}）")
                .arg("n", done.rows)
                .arg("a", done.created)
                .arg("b", done.updated),
        )),
        Err(errors) => {
            points_page(&ui, points::Filter::default(), errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

/// `GET /liaison/points/export`
pub async fn points_export(ui: Ui) -> AppResult<Response> {
    ui.require(Module::Liaison, Action::Export)?;
    let bytes =
        points::export(&ui.state.db, &ui.user, ninety_days_ago(&ui)).await.map_err(AppError::Internal)?;
    Ok(crate::export::download("基层联系点名录.xlsx", bytes))
}

#[derive(Serialize)]
struct FiguresPage {
    fig: figures::Figures,
    years: Vec<i64>,
}

/// `?year=`
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct YearQuery {
    /// Year.
    pub year: String,
}

/// `GET /liaison/figures`
pub async fn figures_page(ui: Ui, Query(q): Query<YearQuery>) -> AppResult<Response> {
    ui.require(Module::Liaison, Action::Read)?;
    let year = ui.year_or_this(&q.year);
    let today = ui.state.clock.today();
    let fig = figures::compute(&ui.state, &ui.user, year, today).await?;
    let this = i64::from(today.year());
    ui.render("liaison/figures.html", FiguresPage { fig, years: ((this - 9)..=this).rev().collect() })
}

#[derive(Serialize)]
struct LexiconPage {
    words: Vec<(i64, String, i64, String)>,
    levels: Vec<(i64, &'static str)>,
    form: WordForm,
    errors: Errors,
    model: Option<(i64, i64, String)>,
}

/// A risk word as typed.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct WordForm {
    /// The word.
    pub word: String,
    /// 1–3.
    pub level: String,
    /// Note.
    pub note: String,
}

async fn lexicon_page(
    ui: &Ui,
    form: WordForm,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<Response> {
    ui.require(Module::Liaison, Action::Approve)?;
    let db = &ui.state.db;
    let page = LexiconPage {
        words: db
            .all(Q::new("select id, word, level, note from liaison_lexicon order by level desc, word"))
            .await?,
        levels: super::words::Risk::ALL.iter().map(|r| (*r as i64, r.label())).collect(),
        form,
        errors: ui.field_errors(&errors),
        model: db
            .opt(Q::new("select trained_at, examples, labels from liaison_models order by id desc limit 1"))
            .await?,
    };
    ui.render_status(status, "liaison/lexicon.html", page)
}

/// `GET /liaison/lexicon`
pub async fn lexicon(ui: Ui) -> AppResult<Response> {
    lexicon_page(
        &ui,
        WordForm { level: "2".into(), ..WordForm::default() },
        FieldErrors::default(),
        StatusCode::OK,
    )
    .await
}

/// `POST /liaison/lexicon`
pub async fn add_word(ui: Ui, Form(f): Form<WordForm>) -> AppResult<Response> {
    match super::lexicon::add(&ui.caller(), &f.word, &f.level, &f.note).await {
        Ok(()) => Ok(ui.done("/liaison/lexicon", Msg::new("已加入风险词库"))),
        Err(AppError::Invalid(e)) => lexicon_page(&ui, f, e, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => ui.refused_or("/liaison/lexicon", e),
    }
}

/// `POST /liaison/lexicon/{id}/delete`
pub async fn delete_word(ui: Ui, Path(id): Path<i64>) -> AppResult<Response> {
    super::lexicon::remove(&ui.caller(), id).await?;
    Ok(ui.done("/liaison/lexicon", Msg::new("已从风险词库删除")))
}

/// `POST /liaison/train`: retrains the category suggestion now.
pub async fn train(ui: Ui) -> AppResult<Response> {
    let c = ui.caller();
    let t = super::lexicon::retrain(&c).await?;
    let msg = if t.learned {
        Msg::new("已用{n}条已分类问题重新训练类别建议").arg("n", t.examples)
    } else {
        Msg::new("已分类问题只有{n}条，暂按关键词规则建议类别").arg("n", t.examples)
    };
    Ok(ui.done("/liaison/lexicon", msg))
}
