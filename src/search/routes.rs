//! The search page and its JSON twin.

use axum::Json;
use axum::extract::Query;
use axum::response::Response;
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::Kind;
use super::query::{self, Filter, PAGE_SIZE, Results, SearchQuery};
use crate::api::ApiUser;
use crate::app::AppState;
use crate::authz::{Action, Module, Principal};
use crate::db::Query as Q;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::web::Ui;

/// Longest query accepted, in characters.
const MAX_QUERY: usize = 100;

/// Checks the filter; a field that does not parse is named in the errors.
async fn filter_of(db: &crate::db::Db, q: &SearchQuery) -> AppResult<(Filter, FieldErrors)> {
    let mut errors = FieldErrors::default();
    let mut f = Filter { page: 1, ..Filter::default() };
    if q.q.chars().count() > MAX_QUERY {
        errors.add("q", Msg::new("检索词不能超过{n}个字").arg("n", MAX_QUERY));
    }
    if !q.kind.trim().is_empty() {
        match Kind::parse(q.kind.trim()) {
            Some(k) => f.kind = Some(k),
            None => errors.add("kind", Msg::new("没有这种检索范围")),
        }
    }
    if !q.unit.trim().is_empty() {
        let path: Option<String> = match q.unit.trim().parse::<i64>() {
            Ok(id) => db
                .opt::<(String,)>(Q::new("select path from units where id = $1").bind(id))
                .await?
                .map(|(p,)| p),
            Err(_) => None,
        };
        match path {
            Some(p) => f.unit_path = Some(p),
            None => errors.add("unit", Msg::new("单位不存在")),
        }
    }
    if !q.year.trim().is_empty() {
        match q.year.trim().parse::<i64>() {
            Ok(y) if (2000..=2100).contains(&y) => f.year = Some(y),
            _ => errors.add("year", Msg::new("年度应为2000到2100之间的数字")),
        }
    }
    if !q.page.trim().is_empty() {
        match q.page.trim().parse::<i64>() {
            Ok(p) if (1..=500).contains(&p) => f.page = p,
            _ => errors.add("page", Msg::new("页码无效")),
        }
    }
    Ok((f, errors))
}

async fn run(state: &AppState, who: &Principal, q: &SearchQuery, f: &Filter) -> AppResult<Results> {
    let seg = crate::text::segmenter(&state.db).await?;
    Ok(query::search(&state.db, &seg, who, q.q.trim(), f).await?)
}

#[derive(Serialize)]
struct Page {
    q: SearchQuery,
    results: Results,
    kinds: Vec<(&'static str, &'static str)>,
    units: Vec<(i64, String)>,
    errors: std::collections::BTreeMap<String, String>,
    pages: i64,
    searched: bool,
}

/// `GET /search`
pub async fn page(ui: Ui, Query(q): Query<SearchQuery>) -> AppResult<Response> {
    ui.require(Module::Search, Action::Read)?;
    let (f, errors) = filter_of(&ui.state.db, &q).await?;
    let searched = !q.q.trim().is_empty() && errors.is_empty();
    let results = if searched { run(&ui.state, &ui.user, &q, &f).await? } else { Results::default() };
    let org = ui.user.scope(Module::Org, Action::Read);
    let units = crate::org::units::store::options(&ui.state.db, &org).await?;
    let page = Page {
        pages: (results.total + PAGE_SIZE - 1) / PAGE_SIZE,
        kinds: Kind::ALL.iter().map(|k| (k.code(), k.label())).collect(),
        errors: ui.field_errors(&errors),
        q,
        results,
        units,
        searched,
    };
    ui.render("search/page.html", page)
}

/// Searches every text the caller may see.
#[utoipa::path(get, path = "/search", tag = "search", params(SearchQuery),
    responses((status = 200, body = Results), (status = 400), (status = 403)))]
pub async fn api_search(api: ApiUser, Query(q): Query<SearchQuery>) -> AppResult<Json<Results>> {
    api.who.require(Module::Search, Action::Read)?;
    let (f, errors) = filter_of(&api.state.db, &q).await?;
    if !errors.is_empty() {
        return Err(errors.into());
    }
    if q.q.trim().is_empty() {
        let mut e = FieldErrors::default();
        e.add("q", Msg::new("请输入检索词"));
        return Err(AppError::from(e));
    }
    Ok(Json(run(&api.state, &api.who, &q, &f).await?))
}

/// The API routes.
pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(api_search))
}
