//! The one error type at the HTTP edge.
//!
//! Handlers and actions return [`AppError`]. Its response carries an
//! [`ErrorInfo`] extension and no body; the `render_errors` middleware in
//! `web` turns that into a Chinese error page, an htmx fragment or a JSON body
//! (under `/api/`), because only the middleware knows the request and the
//! templates. Internal errors are logged once here and never shown.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::i18n::Msg;

/// Field name → message, for forms and JSON bodies.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct FieldErrors(pub BTreeMap<String, Msg>);

impl FieldErrors {
    /// One field's error.
    pub fn one(field: &str, msg: Msg) -> Self {
        let mut e = Self::default();
        e.add(field, msg);
        e
    }

    /// Records an error; the first one per field wins.
    pub fn add(&mut self, field: &str, msg: Msg) {
        self.0.entry(field.to_string()).or_insert(msg);
    }

    /// True when there are no errors.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Everything that can go wrong while serving a request.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The thing asked for does not exist.
    #[error("not found")]
    NotFound,
    /// Signed in, but not allowed (or outside the data scope).
    #[error("forbidden")]
    Forbidden,
    /// Not signed in, or the session ended.
    #[error("not signed in")]
    Unauthorized,
    /// The request is malformed in a way a person can fix.
    #[error("bad request: {0}")]
    BadRequest(Msg),
    /// One or more fields failed validation.
    #[error("invalid input")]
    Invalid(FieldErrors),
    /// The request clashes with the current state (duplicate, wrong stage …).
    #[error("conflict: {0}")]
    Conflict(Msg),
    /// The body is larger than allowed.
    #[error("payload too large")]
    TooLarge,
    /// The CSRF token is missing or wrong.
    #[error("csrf check failed")]
    Csrf,
    /// Too many attempts.
    #[error("too many requests")]
    TooMany(Msg),
    /// A bug or an outage; details go to the log only.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// Result of a handler or action.
pub type AppResult<T> = Result<T, AppError>;

impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        match err {
            sqlx::Error::RowNotFound => AppError::NotFound,
            other => AppError::Internal(other.into()),
        }
    }
}

impl From<FieldErrors> for AppError {
    fn from(errors: FieldErrors) -> Self {
        AppError::Invalid(errors)
    }
}

/// What the error renderer needs to know, carried as a response extension.
#[derive(Clone, Debug)]
pub struct ErrorInfo {
    /// Machine-readable code for API clients (`not_found`, `invalid` …).
    pub code: &'static str,
    /// The sentence shown to a person.
    pub message: Msg,
    /// Per-field messages, when the input was invalid.
    pub fields: FieldErrors,
}

impl AppError {
    /// The HTTP status, code and message of this error.
    pub fn parts(&self) -> (StatusCode, ErrorInfo) {
        let info = |code, message: Msg| ErrorInfo { code, message, fields: FieldErrors::default() };
        match self {
            AppError::NotFound => {
                (StatusCode::NOT_FOUND, info("not_found", Msg::new("您要找的内容不存在或已被删除")))
            }
            AppError::Forbidden => {
                (StatusCode::FORBIDDEN, info("forbidden", Msg::new("您没有权限进行此操作")))
            }
            AppError::Unauthorized => (StatusCode::UNAUTHORIZED, info("unauthorized", Msg::new("请先登录"))),
            AppError::BadRequest(m) => (StatusCode::BAD_REQUEST, info("bad_request", m.clone())),
            AppError::Invalid(fields) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorInfo {
                    code: "invalid",
                    message: Msg::new("提交的内容有误，请按提示修改"),
                    fields: fields.clone(),
                },
            ),
            AppError::Conflict(m) => (StatusCode::CONFLICT, info("conflict", m.clone())),
            AppError::TooLarge => {
                (StatusCode::PAYLOAD_TOO_LARGE, info("too_large", Msg::new("上传的内容超过大小限制")))
            }
            AppError::Csrf => {
                (StatusCode::FORBIDDEN, info("csrf", Msg::new("页面已过期或来源不明，请刷新页面后重试")))
            }
            AppError::TooMany(m) => (StatusCode::TOO_MANY_REQUESTS, info("too_many", m.clone())),
            AppError::Internal(_) => {
                (StatusCode::INTERNAL_SERVER_ERROR, info("internal", Msg::new("系统繁忙，请稍后再试")))
            }
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Internal(err) = &self {
            tracing::error!(error = ?err, "internal error");
        }
        let (status, info) = self.parts();
        let mut response = status.into_response();
        response.extensions_mut().insert(info);
        response
    }
}
