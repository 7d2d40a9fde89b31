//! The caller of an API endpoint: an API token or a fully signed-in session.

use std::sync::Arc;

use axum::Json;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::app::{AppState, Caller};
use crate::audit::Actor;
use crate::auth::model::Stage;
use crate::authz::Principal;
use crate::error::AppError;
use crate::web::ClientIp;
use crate::web::session::Auth;

/// Someone allowed to call the API.
pub struct ApiUser {
    /// The application.
    pub state: AppState,
    /// The person behind the token or session.
    pub who: Arc<Principal>,
    /// Client address.
    pub ip: String,
}

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let ip = parts.extensions.get::<ClientIp>().map(|c| c.0.clone()).unwrap_or_default();
        let who = match parts.extensions.get::<Auth>() {
            Some(Auth::Token(p)) => p.clone(),
            Some(Auth::Session(s)) if s.stage == Stage::Active => s.principal.clone(),
            _ => return Err(AppError::Unauthorized),
        };
        Ok(ApiUser { state: state.clone(), who, ip })
    }
}

impl ApiUser {
    /// The caller for action functions.
    pub fn caller(&self) -> Caller<'_> {
        Caller {
            state: &self.state,
            who: &self.who,
            actor: Actor {
                id: Some(self.who.account_id),
                name: self.who.username.clone(),
                ip: self.ip.clone(),
            },
            now: self.state.clock.now(),
        }
    }
}

/// The signed-in account.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Me {
    /// Account id.
    pub id: i64,
    /// Sign-in name.
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// Unit id.
    pub unit_id: i64,
    /// Unit name.
    pub unit_name: String,
    /// Role codes.
    pub roles: Vec<String>,
}

/// Who am I.
#[utoipa::path(get, path = "/me", tag = "me", responses((status = 200, body = Me), (status = 401, description = "未登录或令牌无效")))]
pub async fn me(api: ApiUser) -> Json<Me> {
    let w = &api.who;
    Json(Me {
        id: w.account_id,
        username: w.username.clone(),
        display_name: w.display_name.clone(),
        unit_id: w.unit_id,
        unit_name: w.unit_name.clone(),
        roles: w.roles.iter().map(|r| r.code.clone()).collect(),
    })
}

/// The `/me` route.
pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(me))
}
