//! The JSON API under `/api/v1` (P10): the same operations as the pages, called
//! through the same action functions, so permissions, validation and audit
//! are identical. Machine clients send `Authorization: Bearer zyt_…` (tokens
//! are made on `/account/tokens`); a browser session works too, with the CSRF
//! header on writes. Errors are `{"error": {"code", "message", "fields"}}`.
//! The OpenAPI document is served at `/api/v1/openapi.json` and shown by the
//! offline viewer at `/api/v1/docs`.

pub mod extract;

use std::sync::{Arc, LazyLock};

use axum::Json;
use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa_axum::router::OpenApiRouter;

pub use extract::ApiUser;

use crate::app::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "政研工作平台 API", version = "1", description = "Zhengyan JSON API. 所有错误均返回 {\"error\": {\"code\", \"message\", \"fields\"}}。"),
    security(("token" = [])),
    tags(
        (name = "me", description = "当前用户"),
        (name = "org", description = "组织机构与人员"),
        (name = "accounts", description = "账户、角色与令牌"),
        (name = "dicts", description = "数据字典"),
        (name = "audit", description = "审计记录（仅审计管理员）"),
        (name = "attachments", description = "附件"),
        (name = "drafting", description = "以文辅政：起草任务、版本、审核把关链、刊发、统计"),
        (name = "research", description = "调查研究：课题、成果、《决策参考》、领导批示与落实、经费"),
        (name = "liaison", description = "基层联系点：问题报送（兼容Open311字段）、交办、办理、评价与统计"),
        (name = "search", description = "全文检索（按数据权限过滤）"),
        (name = "reform", description = "深化改革：改革任务、进展、双过半、督察整改、典型案例、试点、考核"),
    )
)]
struct ApiDoc;

fn all() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(extract::api())
        .merge(crate::org::api::api())
        .merge(crate::accounts::api::api())
        .merge(crate::dicts::api::api())
        .merge(crate::dicts::api::settings_api())
        .merge(crate::auth::api::api())
        .merge(crate::notify::api::api())
        .merge(crate::audit::api::api())
        .merge(crate::attachments::api::api())
        .merge(crate::reform::api::api())
        .merge(crate::search::routes::api())
        .merge(crate::drafting::api::api())
        .merge(crate::research::api::api())
        .merge(crate::liaison::api::api())
}

/// The OpenAPI document (built once).
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, mut doc) = all().split_for_parts();
    doc.servers = Some(vec![utoipa::openapi::Server::new("/api/v1")]);
    let scheme = SecurityScheme::Http(
        HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("zyt_…").build(),
    );
    doc.components.get_or_insert_with(Default::default).add_security_scheme("token", scheme);
    doc
}

static DOC_JSON: LazyLock<Arc<String>> =
    LazyLock::new(|| Arc::new(openapi().to_pretty_json().unwrap_or_else(|_| "{}".to_string())));

/// The routes, nested under `/api/v1` by the app.
pub fn routes() -> Router<AppState> {
    let (router, _) = all().split_for_parts();
    router.route("/openapi.json", get(openapi_json)).route("/docs", get(docs)).fallback(crate::web::not_found)
}

async fn openapi_json() -> Response {
    let mut res = DOC_JSON.as_str().to_string().into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    res
}

async fn docs(state: axum::extract::State<AppState>) -> Response {
    match state.templates.render("api/docs.html", minijinja::context! { lang => "zh-CN" }) {
        Ok(html) => Html(html).into_response(),
        Err(e) => crate::error::AppError::Internal(anyhow::anyhow!("api docs: {e}")).into_response(),
    }
}

/// A page of rows and the total, the shape of every list endpoint.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    /// Rows in this page.
    pub items: Vec<T>,
    /// Rows in all pages.
    pub total: i64,
    /// 1-based page number.
    pub page: i64,
    /// Rows per page.
    pub per: i64,
}

/// The id of a created record.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Created {
    /// New id.
    pub id: i64,
}

/// Wraps a value as JSON.
pub fn json<T: serde::Serialize>(v: T) -> Json<T> {
    Json(v)
}
