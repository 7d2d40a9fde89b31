//! Turns error responses into something a person (or a program) can read.
//!
//! Under `/api/` every error becomes `{"error": {"code", "message", "fields"}}`.
//! Elsewhere: an expired or missing sign-in redirects to the login page, an
//! htmx request gets a small alert fragment, anything else a full error page.
//! Framework rejections (a malformed form, JSON or path) arrive as plain-text
//! 4xx responses and are translated here too, so no English error text and no
//! stack trace ever reaches a person.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::session::{Cookies, LANG_COOKIE};
use crate::app::AppState;
use crate::error::{ErrorInfo, FieldErrors};
use crate::i18n::{Lang, Msg};

fn framework_error(status: StatusCode) -> ErrorInfo {
    let (code, message) = match status {
        StatusCode::NOT_FOUND => ("not_found", Msg::new("您要找的内容不存在或已被删除")),
        StatusCode::METHOD_NOT_ALLOWED => ("method_not_allowed", Msg::new("不支持该请求方式")),
        StatusCode::PAYLOAD_TOO_LARGE => ("too_large", Msg::new("上传的内容超过大小限制")),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ("unsupported_media_type", Msg::new("请求内容的格式不受支持")),
        StatusCode::UNPROCESSABLE_ENTITY => ("invalid", Msg::new("提交的内容格式不正确，请检查后重试")),
        s if s.is_server_error() => ("internal", Msg::new("系统繁忙，请稍后再试")),
        _ => ("bad_request", Msg::new("请求格式不正确，请检查后重试")),
    };
    ErrorInfo { code, message, fields: FieldErrors::default() }
}

/// The error renderer middleware.
pub async fn render(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let is_api = path.starts_with("/api/");
    let is_htmx = req.headers().contains_key("hx-request");
    let lang = Cookies::from_headers(req.headers()).get(LANG_COOKIE).map(Lang::parse).unwrap_or_default();
    let next_url = req.uri().path_and_query().map(|p| p.as_str().to_string()).unwrap_or_default();
    let res = next.run(req).await;
    let status = res.status();
    let info = match res.extensions().get::<ErrorInfo>() {
        Some(info) => info.clone(),
        None if status.is_client_error() || status.is_server_error() => {
            let already_rendered = res
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|ct| ct.starts_with("text/html") || ct.starts_with("application/json"));
            if already_rendered {
                return res;
            }
            if status.is_server_error() {
                tracing::error!(%status, %path, "server error without detail");
            }
            framework_error(status)
        }
        None => return res,
    };
    let mut out = if is_api {
        api_error(status, &info, lang)
    } else if status == StatusCode::UNAUTHORIZED {
        sign_in_again(&next_url, is_htmx)
    } else {
        page_error(&state, status, &info, lang, is_htmx)
    };
    for cookie in res.headers().get_all(header::SET_COOKIE) {
        out.headers_mut().append(header::SET_COOKIE, cookie.clone());
    }
    out
}

fn api_error(status: StatusCode, info: &ErrorInfo, lang: Lang) -> Response {
    let fields: serde_json::Map<String, serde_json::Value> =
        info.fields.0.iter().map(|(k, m)| (k.clone(), json!(m.render(lang)))).collect();
    let body =
        json!({ "error": { "code": info.code, "message": info.message.render(lang), "fields": fields } });
    (status, axum::Json(body)).into_response()
}

fn sign_in_again(next_url: &str, is_htmx: bool) -> Response {
    let target = if next_url.is_empty() || next_url.starts_with("/login") || !next_url.starts_with('/') {
        "/login".to_string()
    } else {
        format!("/login?next={}", urlencode(next_url))
    };
    let mut res = if is_htmx {
        let mut r = StatusCode::OK.into_response();
        r.headers_mut().insert(
            "hx-redirect",
            HeaderValue::from_str(&target).unwrap_or(HeaderValue::from_static("/login")),
        );
        r
    } else {
        StatusCode::SEE_OTHER.into_response()
    };
    if !is_htmx {
        res.headers_mut().insert(
            header::LOCATION,
            HeaderValue::from_str(&target).unwrap_or(HeaderValue::from_static("/login")),
        );
    }
    res
}

/// Percent-encodes a value for a query string.
pub fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("v", s)]).map(|e| e[2..].to_string()).unwrap_or_default()
}

fn page_error(state: &AppState, status: StatusCode, info: &ErrorInfo, lang: Lang, is_htmx: bool) -> Response {
    let template = if is_htmx { "_error.html" } else { "error.html" };
    let ctx = minijinja::context! {
        lang => lang.tag(),
        status => status.as_u16(),
        message => info.message.render(lang),
        fields => info.fields.0.iter().map(|(k, m)| (k.clone(), m.render(lang))).collect::<Vec<_>>(),
    };
    let html = state.templates.render(template, ctx).unwrap_or_else(|e| {
        tracing::error!(error = %e, "error template failed");
        format!("<!doctype html><meta charset=utf-8><title>{0}</title><p>{0}</p>", status.as_u16())
    });
    let mut res = Response::new(Body::from(html));
    *res.status_mut() = status;
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    if is_htmx {
        // Errors replace the page's alert slot rather than the target the request aimed at.
        res.headers_mut().insert("hx-retarget", HeaderValue::from_static("#alerts"));
        res.headers_mut().insert("hx-reswap", HeaderValue::from_static("innerHTML"));
    }
    res
}
