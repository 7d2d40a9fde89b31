//! The research office's grassroots pages: the contact-point registry with
//! its import and export, the import of earlier submissions, the figures, the
//! risk lexicon and retraining.

use std::collections::BTreeMap;

use axum::Form;
use axum::extract::{Multipart, Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};

use super::{figures, points};
use crate::authz::{Action, Module};
use crate::db::Query as Q;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::web::Ui;

type Errors = BTreeMap<String, String>;
type Pairs = &'static [(&'static str, &'static str)];

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
        rows: points::list(
            &ui.state.db,
            &ui.user.scope(Module::Liaison, Action::Read),
            &f,
            ninety_days_ago(ui),
        )
        .await?,
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

#[derive(Serialize)]
struct PointPage {
    id: i64,
    name: String,
    form: points::PointInput,
    errors: Errors,
    kinds: Pairs,
    statuses: Pairs,
}

fn point_page(
    ui: &Ui,
    id: i64,
    name: String,
    form: points::PointInput,
    errors: &FieldErrors,
    status: StatusCode,
) -> AppResult<Response> {
    let page = PointPage {
        id,
        name,
        form,
        errors: ui.field_errors(errors),
        kinds: points::KINDS,
        statuses: points::STATUSES,
    };
    ui.render_status(status, "liaison/point.html", page)
}

/// `GET /liaison/points/{id}`: one registry entry's form.
pub async fn point_form(ui: Ui, Path(id): Path<i64>) -> AppResult<Response> {
    let (name, input) = points::entry(&ui.caller(), id).await?;
    point_page(&ui, id, name, input, &FieldErrors::default(), StatusCode::OK)
}

/// `POST /liaison/points/{id}`
pub async fn point_save(
    ui: Ui,
    Path(id): Path<i64>,
    Form(f): Form<points::PointInput>,
) -> AppResult<Response> {
    match points::update(&ui.caller(), id, &f).await {
        Ok(()) => Ok(ui.done("/liaison/points", Msg::new("已保存联系点登记信息"))),
        Err(AppError::Invalid(e)) => {
            let (name, _) = points::entry(&ui.caller(), id).await?;
            point_page(&ui, id, name, f, &e, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => Err(e),
    }
}

/// `GET /liaison/points/export`
pub async fn points_export(ui: Ui) -> AppResult<Response> {
    let bytes = super::ledger::points(&ui.caller()).await?;
    Ok(crate::export::download("基层联系点名录.xlsx", bytes))
}

#[derive(Serialize)]
struct ImportPage {
    errors: Vec<crate::reform::ledger::RowError>,
    max_rows: usize,
    categories: Vec<(String, String)>,
}

async fn import_page(
    ui: &Ui,
    errors: Vec<crate::reform::ledger::RowError>,
    status: StatusCode,
) -> AppResult<Response> {
    ui.require(Module::Liaison, Action::Approve)?;
    let categories = crate::dicts::store::options(&ui.state.db, "submission_category").await?;
    ui.render_status(
        status,
        "liaison/import.html",
        ImportPage { errors, max_rows: super::import::MAX_ROWS, categories },
    )
}

/// `GET /liaison/import`
pub async fn history_form(ui: Ui) -> AppResult<Response> {
    import_page(&ui, Vec::new(), StatusCode::OK).await
}

/// `POST /liaison/import` (multipart `file`: xlsx or csv).
pub async fn history_import(ui: Ui, m: Multipart) -> AppResult<Response> {
    let form = crate::attachments::read_form(m, 1).await?;
    let bytes = form.files.into_iter().next().map(|f| f.1).unwrap_or_default();
    match super::import::import(&ui.caller(), &bytes).await? {
        Ok(done) => Ok(ui.done(
            "/liaison?state=archived",
            Msg::new("已导入历史问题{n}条，其中可能重复{d}条").arg("n", done.rows).arg("d", done.duplicates),
        )),
        Err(errors) => import_page(&ui, errors, StatusCode::UNPROCESSABLE_ENTITY).await,
    }
}

#[derive(Serialize)]
struct FiguresPage {
    fig: figures::Figures,
    years: Vec<i64>,
    can_export: bool,
    /// The last whole month, `2026-10`.
    report_month: String,
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
    let fig = figures::compute(&ui.state, &ui.user, year, None, today).await?;
    let this = i64::from(today.year());
    let last = today.replace_day(1).unwrap_or(today) - time::Duration::days(1);
    ui.render(
        "liaison/figures.html",
        FiguresPage {
            fig,
            years: ((this - 9)..=this).rev().collect(),
            can_export: ui.user.can(Module::Liaison, Action::Export),
            report_month: format!("{}-{:02}", last.year(), u8::from(last.month())),
        },
    )
}

/// `?month=2026-10`
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MonthQuery {
    /// Month.
    pub month: String,
}

/// `GET /liaison/report?month=2026-10`: the monthly analysis report (docx).
pub async fn report(ui: Ui, Query(q): Query<MonthQuery>) -> AppResult<Response> {
    let parsed = q
        .month
        .trim()
        .split_once('-')
        .and_then(|(y, m)| Some((y.parse::<i32>().ok()?, m.parse::<u8>().ok()?)));
    let Some((year, month)) = parsed.filter(|(y, _)| (2000..=2100).contains(y)) else {
        return Err(AppError::BadRequest(Msg::new("请选择月份")));
    };
    let (name, bytes) = super::report::monthly(&ui.caller(), year, month).await?;
    Ok(crate::export::download_docx(name.trim_end_matches(".docx"), bytes))
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
