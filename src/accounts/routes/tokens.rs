//! `/account/tokens`: one's own API tokens.

use axum::extract::{Form, Path};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};

use crate::accounts::tokens::{self, TokenRow};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::web::Ui;

#[derive(Serialize)]
struct Page {
    tokens: Vec<TokenRow>,
    created: Option<String>,
    errors: std::collections::BTreeMap<String, String>,
    allowed: bool,
}

async fn page(
    ui: &Ui,
    created: Option<String>,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<Response> {
    let page = Page {
        tokens: tokens::list(&ui.state.db, ui.user.account_id).await?,
        created,
        errors: ui.field_errors(&errors),
        allowed: ui.user.admin_kind().is_none(),
    };
    ui.render_status(status, "accounts/tokens.html", page)
}

/// `GET /account/tokens`
pub async fn list(ui: Ui) -> AppResult<Response> {
    page(&ui, None, FieldErrors::default(), StatusCode::OK).await
}

/// The new-token form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewToken {
    name: String,
    days: String,
}

/// `POST /account/tokens`
pub async fn create(ui: Ui, Form(f): Form<NewToken>) -> AppResult<Response> {
    match tokens::create(&ui.caller(), &f.name, &f.days).await {
        Ok(token) => page(&ui, Some(token), FieldErrors::default(), StatusCode::OK).await,
        Err(AppError::Invalid(e)) => page(&ui, None, e, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => ui.refused_or("/account/tokens", e),
    }
}

/// `POST /account/tokens/{id}/revoke`
pub async fn revoke(ui: Ui, Path(id): Path<i64>) -> AppResult<Response> {
    tokens::revoke(&ui.caller(), id).await?;
    Ok(ui.done("/account/tokens", Msg::new("令牌已吊销")))
}
