//! Extractors for HTML pages and the one responder for full pages and htmx
//! fragments.
//!
//! [`Ui`] is a fully signed-in person; [`AnyStage`] a session still finishing
//! sign-in (password change, TOTP set-up); [`PublicUi`] anyone (login pages).
//! `render` picks the whole page, or — for an htmx request aimed at
//! `#table` — the sibling template `_table.html` alone.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use minijinja::Value;
use minijinja::value::Serde;
use serde::Serialize;

use super::ClientIp;
use super::menu;
use super::session::{
    Auth, Cookies, FLASH_COOKIE, LANG_COOKIE, PRE_COOKIE, SessionAuth, clear_cookie, set_cookie,
};
use crate::app::AppState;
use crate::audit::Actor;
use crate::auth::model::Stage;
use crate::authz::{Action, Module, Principal, Scope};
use crate::clock::Ts;
use crate::error::{AppError, AppResult};
use crate::i18n::{Lang, Msg};

/// What every page needs to know about the request.
#[derive(Clone, Debug)]
pub struct RequestInfo {
    /// Path of the request.
    pub path: String,
    /// Client address.
    pub ip: String,
    /// Browser identification (for login history).
    pub user_agent: String,
    /// `HX-Target` of an htmx request (not boosted).
    pub hx_target: Option<String>,
    /// A message left by the previous request.
    pub flash: Option<Flash>,
    /// The language cookie.
    pub lang_cookie: Option<Lang>,
}

impl RequestInfo {
    fn from_parts(parts: &Parts) -> RequestInfo {
        let cookies = parts.extensions.get::<Cookies>().cloned().unwrap_or_default();
        let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
        let hx_target = match (header("hx-request"), header("hx-boosted")) {
            (Some(_), None) => header("hx-target"),
            _ => None,
        };
        RequestInfo {
            path: parts.uri.path().to_string(),
            ip: parts.extensions.get::<ClientIp>().map(|c| c.0.clone()).unwrap_or_default(),
            user_agent: header("user-agent").unwrap_or_default(),
            hx_target,
            flash: cookies.get(FLASH_COOKIE).and_then(Flash::parse),
            lang_cookie: cookies.get(LANG_COOKIE).map(Lang::parse),
        }
    }
}

/// A one-time message shown at the top of the next page.
#[derive(Clone, Debug, Serialize)]
pub struct Flash {
    /// `ok` or `error`.
    pub kind: &'static str,
    /// The text.
    pub text: String,
}

impl Flash {
    fn parse(raw: &str) -> Option<Flash> {
        let (kind, text) = raw.split_once('|')?;
        let kind = if kind == "error" { "error" } else { "ok" };
        (!text.is_empty()).then(|| Flash { kind, text: text.to_string() })
    }
}

/// A fully signed-in person on an HTML page.
pub struct Ui {
    /// The application.
    pub state: AppState,
    /// Who is asking.
    pub user: Arc<Principal>,
    /// Their session.
    pub session: Arc<SessionAuth>,
    /// Page language.
    pub lang: Lang,
    /// Request details.
    pub req: RequestInfo,
}

/// Sends the person to the page that finishes their sign-in.
fn redirect_to_stage(stage: Stage, htmx: bool) -> Response {
    if htmx {
        let mut r = StatusCode::OK.into_response();
        r.headers_mut().insert("hx-redirect", HeaderValue::from_static(stage.page()));
        r
    } else {
        super::see_other(stage.page())
    }
}

impl FromRequestParts<AppState> for Ui {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let AnyStage(ui) = AnyStage::from_request_parts(parts, state).await?;
        if ui.session.stage != Stage::Active {
            return Err(redirect_to_stage(ui.session.stage, ui.req.hx_target.is_some()));
        }
        Ok(ui)
    }
}

/// A session at any sign-in stage (for the pages that finish sign-in).
pub struct AnyStage(pub Ui);

impl FromRequestParts<AppState> for AnyStage {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let req = RequestInfo::from_parts(parts);
        match parts.extensions.get::<Auth>() {
            Some(Auth::Session(s)) => {
                let lang = req.lang_cookie.unwrap_or(s.principal.lang);
                Ok(AnyStage(Ui {
                    state: state.clone(),
                    user: s.principal.clone(),
                    session: s.clone(),
                    lang,
                    req,
                }))
            }
            Some(Auth::Token(_)) => Err(AppError::Forbidden.into_response()),
            _ => Err(AppError::Unauthorized.into_response()),
        }
    }
}

/// Builds the HTML response, clearing a shown flash message.
fn html_response(
    state: &AppState,
    status: StatusCode,
    html: String,
    clear_flash: bool,
    set: Option<HeaderValue>,
) -> Response {
    let mut res = (status, html).into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    if clear_flash {
        res.headers_mut().append(header::SET_COOKIE, clear_cookie(state, FLASH_COOKIE));
    }
    if let Some(v) = set {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

/// Renders a template into a response (the shared tail of [`Ui`] and [`PublicUi`]).
fn render_response(
    state: &AppState,
    status: StatusCode,
    template: &str,
    ctx: Value,
    clear_flash: bool,
    set: Option<HeaderValue>,
) -> AppResult<Response> {
    let html =
        state.templates.render(template, ctx).map_err(|e| anyhow::anyhow!("template {template}: {e:#}"))?;
    Ok(html_response(state, status, html, clear_flash, set))
}

/// Chooses the fragment template for an htmx request aimed at `#target`, if one exists.
fn pick_template(state: &AppState, template: &str, hx_target: Option<&str>) -> String {
    if let Some(target) =
        hx_target.filter(|t| t.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'))
    {
        let (dir, _) = template.rsplit_once('/').unwrap_or(("", template));
        let fragment =
            if dir.is_empty() { format!("_{target}.html") } else { format!("{dir}/_{target}.html") };
        if state.templates.has(&fragment) {
            return fragment;
        }
    }
    template.to_string()
}

impl Ui {
    /// Renders a page (200).
    pub fn render(&self, template: &str, page: impl Serialize) -> AppResult<Response> {
        self.render_status(StatusCode::OK, template, page)
    }

    /// Renders a page with a status (422 for a form with errors).
    pub fn render_status(
        &self,
        status: StatusCode,
        template: &str,
        page: impl Serialize,
    ) -> AppResult<Response> {
        let name = pick_template(&self.state, template, self.req.hx_target.as_deref());
        let user = minijinja::context! {
            name => self.user.display_name.clone(),
            username => self.user.username.clone(),
            unit => self.user.unit_name.clone(),
            roles => self.user.roles.iter().map(|r| crate::i18n::translate(self.lang, &r.name).into_owned()).collect::<Vec<_>>().join(if self.lang == Lang::En { ", " } else { "、" }),
        };
        let ctx = minijinja::context! {
            lang => self.lang.tag(),
            user => user,
            menu => Value::from(Serde(menu::build(&self.user, &self.req.path))),
            csrf => self.session.csrf.clone(),
            flash => Value::from(Serde(&self.req.flash)),
            path => self.req.path.clone(),
            ..Value::from(Serde(page))
        };
        render_response(&self.state, status, &name, ctx, self.req.flash.is_some(), None)
    }

    /// The scope for `module`/`action`, or 403.
    pub fn require(&self, module: Module, action: Action) -> AppResult<Scope> {
        self.user.require(module, action)
    }

    /// Who to name in the audit trail.
    pub fn actor(&self) -> Actor {
        Actor { id: Some(self.user.account_id), name: self.user.username.clone(), ip: self.req.ip.clone() }
    }

    /// The current moment.
    pub fn now(&self) -> Ts {
        self.state.clock.now()
    }

    /// A `?year=` value as typed, or this year when it is empty or not a year.
    pub fn year_or_this(&self, raw: &str) -> i64 {
        raw.trim()
            .parse()
            .ok()
            .filter(|y| (2000..=2100).contains(y))
            .unwrap_or_else(|| i64::from(self.state.clock.today().year()))
    }

    /// A message in the page's language.
    pub fn say(&self, msg: &Msg) -> String {
        msg.render(self.lang)
    }

    /// Redirects (303) and leaves a success message for the next page.
    pub fn done(&self, to: &str, msg: Msg) -> Response {
        flash_redirect(&self.state, to, &msg.render(self.lang))
    }

    /// Redirects (303) and leaves an error message for the next page.
    pub fn refuse(&self, to: &str, msg: &Msg) -> Response {
        let mut res = super::see_other(to);
        let text = format!("error|{}", msg.render(self.lang));
        res.headers_mut().append(header::SET_COOKIE, set_cookie(&self.state, FLASH_COOKIE, &text, false));
        res
    }

    /// Turns a refused action into a message on `to`, passing other errors on.
    pub fn refused_or(&self, to: &str, err: AppError) -> AppResult<Response> {
        match err {
            AppError::Conflict(m) | AppError::BadRequest(m) => Ok(self.refuse(to, &m)),
            AppError::Invalid(f) => {
                Ok(self.refuse(to, f.0.values().next().unwrap_or(&Msg::new("提交的内容有误"))))
            }
            e => Err(e),
        }
    }
}

/// A 303 redirect carrying a one-time success message.
pub fn flash_redirect(state: &AppState, to: &str, text: &str) -> Response {
    let mut res = super::see_other(to);
    res.headers_mut()
        .append(header::SET_COOKIE, set_cookie(state, FLASH_COOKIE, &format!("ok|{text}"), false));
    res
}

/// Anyone, signed in or not (the login pages).
pub struct PublicUi {
    /// The application.
    pub state: AppState,
    /// Page language.
    pub lang: Lang,
    /// Request details.
    pub req: RequestInfo,
    /// The pre-sign-in CSRF token.
    pub csrf: String,
    new_csrf: bool,
    /// The session, if any (to skip the login page when already signed in).
    pub auth: Auth,
}

impl FromRequestParts<AppState> for PublicUi {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let req = RequestInfo::from_parts(parts);
        let cookies = parts.extensions.get::<Cookies>().cloned().unwrap_or_default();
        let (csrf, new_csrf) = match cookies.get(PRE_COOKIE) {
            Some(c) if c.len() >= 32 => (c.to_string(), false),
            _ => (crate::auth::session::random_token(), true),
        };
        let auth = parts.extensions.get::<Auth>().cloned().unwrap_or(Auth::Anonymous { expired: false });
        Ok(PublicUi {
            state: state.clone(),
            lang: req.lang_cookie.unwrap_or_default(),
            req,
            csrf,
            new_csrf,
            auth,
        })
    }
}

impl PublicUi {
    /// Renders a public page.
    pub fn render_status(
        &self,
        status: StatusCode,
        template: &str,
        page: impl Serialize,
    ) -> AppResult<Response> {
        let ctx = minijinja::context! {
            lang => self.lang.tag(),
            csrf => self.csrf.clone(),
            flash => Value::from(Serde(&self.req.flash)),
            ..Value::from(Serde(page))
        };
        let set = self.new_csrf.then(|| set_cookie(&self.state, PRE_COOKIE, &self.csrf, true));
        render_response(&self.state, status, template, ctx, self.req.flash.is_some(), set)
    }

    /// Renders a public page (200).
    pub fn render(&self, template: &str, page: impl Serialize) -> AppResult<Response> {
        self.render_status(StatusCode::OK, template, page)
    }
}

impl Ui {
    /// The caller for action functions.
    pub fn caller(&self) -> crate::app::Caller<'_> {
        crate::app::Caller { state: &self.state, who: &self.user, actor: self.actor(), now: self.now() }
    }
}

impl Ui {
    /// Field errors in the page's language, for the form template.
    pub fn field_errors(
        &self,
        errors: &crate::error::FieldErrors,
    ) -> std::collections::BTreeMap<String, String> {
        errors.0.iter().map(|(k, m)| (k.clone(), self.say(m))).collect()
    }
}
