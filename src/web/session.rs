//! Who is asking: a session cookie, an API token, or nobody.
//!
//! The middleware loads the session (or token) once per request, applies the
//! idle and absolute timeouts from the security policy, and leaves an [`Auth`]
//! in the request for the extractors in `ui` and `api`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::ClientIp;
use crate::app::AppState;
use crate::auth::model::{Stage, session_expired};
use crate::auth::session;
use crate::authz::Principal;
use crate::error::AppError;
use crate::i18n::{Lang, Msg};

/// Cookie holding the session token.
pub const SESSION_COOKIE: &str = "zy_session";
/// Cookie holding the pre-sign-in CSRF token.
pub const PRE_COOKIE: &str = "zy_pre";
/// Cookie holding the chosen language.
pub const LANG_COOKIE: &str = "zy_lang";
/// Cookie carrying a one-time message to the next page.
pub const FLASH_COOKIE: &str = "zy_flash";

/// A signed-in session.
#[derive(Debug)]
pub struct SessionAuth {
    /// Stored id (hash of the token).
    pub id: String,
    /// Sign-in stage.
    pub stage: Stage,
    /// Token forms must echo.
    pub csrf: String,
    /// The person.
    pub principal: Arc<Principal>,
}

/// The requester.
#[derive(Clone, Debug)]
pub enum Auth {
    /// Not signed in; `expired` when a session just timed out.
    Anonymous {
        /// A session cookie was presented but its session has ended.
        expired: bool,
    },
    /// A browser session.
    Session(Arc<SessionAuth>),
    /// A machine client with an API token.
    Token(Arc<Principal>),
}

/// Request cookies by name.
#[derive(Clone, Debug, Default)]
pub struct Cookies(HashMap<String, String>);

impl Cookies {
    /// Parses every `Cookie` header.
    pub fn from_headers(headers: &HeaderMap) -> Cookies {
        let mut map = HashMap::new();
        for value in headers.get_all(header::COOKIE) {
            let Ok(text) = value.to_str() else { continue };
            for c in cookie::Cookie::split_parse_encoded(text.to_string()).flatten() {
                map.insert(c.name().to_string(), c.value().to_string());
            }
        }
        Cookies(map)
    }

    /// One cookie's value.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }
}

/// Builds a `Set-Cookie` value with the house attributes (HttpOnly, SameSite, Secure by config).
pub fn set_cookie(state: &AppState, name: &str, value: &str, strict: bool) -> HeaderValue {
    let mut c = cookie::Cookie::new(name.to_string(), value.to_string());
    c.set_path("/");
    c.set_http_only(true);
    c.set_secure(state.config.cookie_secure);
    c.set_same_site(if strict { cookie::SameSite::Strict } else { cookie::SameSite::Lax });
    HeaderValue::from_str(&c.encoded().to_string()).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// A `Set-Cookie` that removes a cookie.
pub fn clear_cookie(state: &AppState, name: &str) -> HeaderValue {
    let mut c = cookie::Cookie::new(name.to_string(), "");
    c.set_path("/");
    c.set_http_only(true);
    c.set_secure(state.config.cookie_secure);
    c.make_removal();
    HeaderValue::from_str(&c.to_string()).unwrap_or_else(|_| HeaderValue::from_static(""))
}

async fn client_ip(req: Request, trust_forwarded: bool) -> (Request, String) {
    if trust_forwarded
        && let Some(first) = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
    {
        let ip = first.trim().chars().take(64).collect();
        return (req, ip);
    }
    // The extractor also honours axum's MockConnectInfo in tests.
    let (mut parts, body) = req.into_parts();
    let ip = ConnectInfo::<std::net::SocketAddr>::from_request_parts(&mut parts, &())
        .await
        .map(|ci| ci.0.ip().to_string())
        .unwrap_or_default();
    (Request::from_parts(parts, body), ip)
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::AUTHORIZATION)?.to_str().ok()?.strip_prefix("Bearer ").map(str::trim)
}

/// Refresh `last_seen_at` at most this often, so reads do not all become writes.
const TOUCH_EVERY_MS: i64 = 60_000;

/// Loads the requester into the request's extensions.
pub async fn authenticate(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let (mut req, ip) = client_ip(req, state.config.trust_forwarded_for).await;
    req.extensions_mut().insert(ClientIp(ip));
    let cookies = Cookies::from_headers(req.headers());
    let auth = match bearer(req.headers()) {
        Some(token) => match crate::accounts::tokens::principal_for(&state, token).await {
            Ok(Some(p)) => Auth::Token(Arc::new(p)),
            Ok(None) => return AppError::Unauthorized.into_response(),
            Err(e) => return AppError::Internal(e).into_response(),
        },
        None => match cookies.get(SESSION_COOKIE) {
            Some(token) => match session_auth(&state, token).await {
                Ok(a) => a,
                Err(e) => return AppError::Internal(e).into_response(),
            },
            None => Auth::Anonymous { expired: false },
        },
    };
    let expired = matches!(auth, Auth::Anonymous { expired: true });
    let lang = cookies.get(LANG_COOKIE).map(Lang::parse).unwrap_or_default();
    req.extensions_mut().insert(auth);
    req.extensions_mut().insert(cookies);
    let mut res = next.run(req).await;
    if expired {
        // The cookie goes, and the next page (the login page) says why.
        res.headers_mut().append(header::SET_COOKIE, clear_cookie(&state, SESSION_COOKIE));
        let notice = Msg::new("登录已超时，请重新登录").render(lang);
        res.headers_mut()
            .append(header::SET_COOKIE, set_cookie(&state, FLASH_COOKIE, &format!("error|{notice}"), false));
    }
    res
}

async fn session_auth(state: &AppState, token: &str) -> anyhow::Result<Auth> {
    let Some(row) = session::find(&state.db, token).await? else {
        return Ok(Auth::Anonymous { expired: true });
    };
    let now = state.clock.now();
    let policy = state.policy().await?;
    let stage = Stage::parse(&row.stage);
    let principal = match state.principals.get(row.account_id, row.authz_version) {
        Some(p) => Some(p),
        None => Principal::load(&state.db, row.account_id).await?.map(|p| {
            let p = p.shared();
            state.principals.put(row.authz_version, p.clone());
            p
        }),
    };
    let (Some(stage), Some(principal), false) =
        (stage, principal, session_expired(&policy, row.created_at, row.last_seen_at, now))
    else {
        session::expire(&state.db, &row.id).await?;
        return Ok(Auth::Anonymous { expired: true });
    };
    if now.0 - row.last_seen_at.0 > TOUCH_EVERY_MS {
        session::touch(&state.db, &row.id, now).await?;
    }
    Ok(Auth::Session(Arc::new(SessionAuth { id: row.id, stage, csrf: row.csrf_token, principal })))
}
