//! CSRF protection for every state-changing request made with cookies.
//!
//! A signed-in session has its own token (stored with the session); before
//! sign-in the login forms echo a random `zy_pre` cookie. The token may come
//! in the `X-CSRF-Token` header (htmx, fetch), the `csrf_token` query parameter
//! (multipart uploads) or the `csrf_token` form field. Requests with an API
//! token carry no cookies and need none. A foreign `Origin` is refused outright.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;

use super::session::{Auth, Cookies, PRE_COOKIE};
use crate::error::AppError;

/// Form field and query parameter name.
pub const FIELD: &str = "csrf_token";
/// Header name.
pub const HEADER: &str = "x-csrf-token";
/// Largest url-encoded form read to find the token.
const FORM_LIMIT: usize = 2 * 1024 * 1024;

fn same_origin(req: &Request) -> bool {
    let Some(origin) = req.headers().get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let Some(host) = req.headers().get(header::HOST).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    origin.split_once("://").is_some_and(|(_, rest)| rest == host)
}

fn from_query(req: &Request) -> Option<String> {
    let q = req.uri().query()?;
    serde_urlencoded::from_str::<Vec<(String, String)>>(q)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == FIELD)
        .map(|(_, v)| v)
}

/// Checks the token on unsafe methods.
pub async fn guard(req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let expected = match req.extensions().get::<Auth>() {
        Some(Auth::Token(_)) => return next.run(req).await,
        Some(Auth::Session(s)) => Some(s.csrf.clone()),
        _ => req.extensions().get::<Cookies>().and_then(|c| c.get(PRE_COOKIE)).map(str::to_string),
    };
    let Some(expected) = expected.filter(|e| !e.is_empty()) else {
        return AppError::Csrf.into_response();
    };
    if !same_origin(&req) {
        return AppError::Csrf.into_response();
    }
    let mut provided = req
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or_else(|| from_query(&req));
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    let req = if provided.is_none() && is_form {
        let (parts, body) = req.into_parts();
        let Ok(bytes) = to_bytes(body, FORM_LIMIT).await else {
            return AppError::TooLarge.into_response();
        };
        provided = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
            .ok()
            .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == FIELD).map(|(_, v)| v));
        Request::from_parts(parts, Body::from(bytes))
    } else {
        req
    };
    match provided {
        Some(p) if bool::from(p.as_bytes().ct_eq(expected.as_bytes())) => next.run(req).await,
        _ => AppError::Csrf.into_response(),
    }
}
