//! Sign-in pages: `/login`, `/login/totp`, `/logout`, `/account/password`,
//! `/account` (own security and login history), `/account/totp`, `/lang`.

use axum::Router;
use axum::extract::{Form, Query};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};

use super::actions::{self, Origin, PasswordForm, Step};
use super::model::Stage;
use super::{store, totp};
use crate::app::AppState;
use crate::clock::Ts;
use crate::db::Query as Q;
use crate::error::{AppError, AppResult};
use crate::i18n::{Lang, Msg};
use crate::web::session::{Auth, LANG_COOKIE, SESSION_COOKIE, clear_cookie, set_cookie};
use crate::web::ui::flash_redirect;
use crate::web::{AnyStage, PublicUi, Ui, see_other};

/// The routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_page).post(login))
        .route("/login/totp", get(totp_page).post(totp_submit))
        .route("/logout", post(logout))
        .route("/account", get(account))
        .route("/account/password", get(password_page).post(password_submit))
        .route("/account/totp", get(totp_setup))
        .route("/account/totp/enable", post(totp_enable))
        .route("/account/totp/disable", post(totp_disable))
        .route("/lang", post(set_lang))
        .merge(super::admin::routes())
}

/// Only local paths are followed after sign-in (no open redirect).
fn safe_next(next: &str) -> &str {
    if next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\") && !next.contains("://") {
        next
    } else {
        "/home"
    }
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
struct LoginQuery {
    next: String,
}

#[derive(Serialize)]
struct LoginPage {
    username: String,
    next: String,
    error: Option<String>,
    system_name: String,
    org_name: String,
}

async fn login_page(ui: PublicUi, Query(q): Query<LoginQuery>) -> AppResult<Response> {
    if let Auth::Session(s) = &ui.auth {
        return Ok(see_other(if s.stage == Stage::Active { safe_next(&q.next) } else { s.stage.page() }));
    }
    let site = crate::dicts::settings::site(&ui.state.db).await?;
    ui.render(
        "auth/login.html",
        LoginPage {
            username: String::new(),
            next: q.next,
            error: None,
            system_name: site.system_name,
            org_name: site.org_name,
        },
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct LoginForm {
    username: String,
    password: String,
    next: String,
}

fn with_session_cookie(state: &AppState, to: &str, token: &str) -> Response {
    let mut res = see_other(to);
    res.headers_mut().append(header::SET_COOKIE, set_cookie(state, SESSION_COOKIE, token, false));
    res
}

async fn login(ui: PublicUi, Form(f): Form<LoginForm>) -> AppResult<Response> {
    let o = Origin { ip: &ui.req.ip, user_agent: &ui.req.user_agent };
    match actions::sign_in(&ui.state, &f.username, &f.password, o).await? {
        Step::Session { token, stage } => {
            let to = if stage == Stage::Active {
                safe_next(&f.next).to_string()
            } else {
                stage.page().to_string()
            };
            Ok(with_session_cookie(&ui.state, &to, &token))
        }
        Step::Refused(msg) => {
            let site = crate::dicts::settings::site(&ui.state.db).await?;
            let page = LoginPage {
                username: f.username.chars().take(64).collect(),
                next: f.next,
                error: Some(msg.render(ui.lang)),
                system_name: site.system_name,
                org_name: site.org_name,
            };
            ui.render_status(StatusCode::UNPROCESSABLE_ENTITY, "auth/login.html", page)
        }
        Step::Next(_) => Err(AppError::Internal(anyhow::anyhow!("sign_in returned Next"))),
    }
}

#[derive(Serialize)]
struct CodePage {
    error: Option<String>,
}

async fn totp_page(AnyStage(ui): AnyStage) -> AppResult<Response> {
    if ui.session.stage != Stage::Totp {
        return Ok(see_other(ui.session.stage.page()));
    }
    ui.render("auth/totp.html", CodePage { error: None })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CodeForm {
    code: String,
}

async fn totp_submit(AnyStage(ui): AnyStage, Form(f): Form<CodeForm>) -> AppResult<Response> {
    if ui.session.stage != Stage::Totp {
        return Ok(see_other(ui.session.stage.page()));
    }
    let o = Origin { ip: &ui.req.ip, user_agent: &ui.req.user_agent };
    match actions::verify_totp(&ui.state, &ui.session.id, ui.user.account_id, &f.code, o).await? {
        Step::Next(stage) => Ok(see_other(stage.page())),
        Step::Refused(msg) => ui.render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            "auth/totp.html",
            CodePage { error: Some(ui.say(&msg)) },
        ),
        Step::Session { .. } => Err(AppError::Internal(anyhow::anyhow!("verify_totp returned Session"))),
    }
}

async fn logout(AnyStage(ui): AnyStage) -> AppResult<Response> {
    actions::sign_out(&ui.caller(), &ui.session.id, &ui.req.user_agent).await?;
    let mut res = flash_redirect(&ui.state, "/login", &ui.say(&Msg::new("您已安全退出")));
    res.headers_mut().append(header::SET_COOKIE, clear_cookie(&ui.state, SESSION_COOKIE));
    Ok(res)
}

#[derive(Serialize)]
struct PasswordPage {
    forced: bool,
    errors: std::collections::BTreeMap<String, String>,
    min_length: u32,
    min_classes: u32,
}

async fn password_page(AnyStage(ui): AnyStage) -> AppResult<Response> {
    let p = ui.state.policy().await?;
    let forced = ui.session.stage == Stage::Password;
    if ui.session.stage != Stage::Active && !forced {
        return Ok(see_other(ui.session.stage.page()));
    }
    let page = PasswordPage {
        forced,
        errors: Default::default(),
        min_length: p.password_min_length,
        min_classes: p.password_min_classes,
    };
    ui.render("auth/password.html", page)
}

async fn password_submit(AnyStage(ui): AnyStage, Form(f): Form<PasswordForm>) -> AppResult<Response> {
    let forced = ui.session.stage == Stage::Password;
    if ui.session.stage != Stage::Active && !forced {
        return Ok(see_other(ui.session.stage.page()));
    }
    match actions::change_password(&ui.caller(), &ui.session.id, ui.session.stage, &f).await {
        Ok(next) => Ok(ui.done(next.page(), Msg::new("密码已修改"))),
        Err(AppError::Invalid(errors)) => {
            let p = ui.state.policy().await?;
            let page = PasswordPage {
                forced,
                errors: ui.field_errors(&errors),
                min_length: p.password_min_length,
                min_classes: p.password_min_classes,
            };
            ui.render_status(StatusCode::UNPROCESSABLE_ENTITY, "auth/password.html", page)
        }
        Err(e) => Err(e),
    }
}

#[derive(Serialize)]
struct LoginLine {
    at: String,
    ip: String,
    outcome: &'static str,
    ok: bool,
    user_agent: String,
}

/// Formats login-history rows for a page.
pub fn login_lines(rows: Vec<store::LoginRow>, offset: time::UtcOffset) -> Vec<impl Serialize> {
    rows.into_iter()
        .map(|r| LoginLine {
            at: r.at.display_seconds(offset),
            ip: r.ip,
            ok: r.outcome == store::outcome::SUCCESS || r.outcome == store::outcome::LOGOUT,
            outcome: store::outcome_label(&r.outcome),
            user_agent: r.user_agent,
        })
        .collect()
}

#[derive(Serialize)]
struct AccountPage<L: Serialize> {
    totp_enabled: bool,
    totp_required: bool,
    password_changed: Option<String>,
    logins: Vec<L>,
    errors: std::collections::BTreeMap<String, String>,
}

async fn account(ui: Ui) -> AppResult<Response> {
    account_page(&ui, Default::default(), StatusCode::OK).await
}

async fn account_page(ui: &Ui, errors: crate::error::FieldErrors, status: StatusCode) -> AppResult<Response> {
    let creds = store::by_id(&ui.state.db, ui.user.account_id).await?.ok_or(AppError::Unauthorized)?;
    let policy = ui.state.policy().await?;
    let changed: Option<(Option<Ts>,)> = ui
        .state
        .db
        .opt(Q::new("select password_changed_at from accounts where id = $1").bind(ui.user.account_id))
        .await?;
    let rows: Vec<store::LoginRow> = ui
        .state
        .db
        .all(
            Q::new(
                "select id, account_id, username, at, ip, user_agent, outcome from login_history \
                 where account_id = $1 order by id desc limit 20",
            )
            .bind(ui.user.account_id),
        )
        .await?;
    let offset = ui.state.clock.offset();
    ui.render_status(
        status,
        "auth/account.html",
        AccountPage {
            totp_enabled: creds.totp_enabled,
            totp_required: policy.totp_required_for_admins && creds.is_admin,
            password_changed: changed.and_then(|(t,)| t).map(|t| t.display(offset)),
            logins: login_lines(rows, offset),
            errors: ui.field_errors(&errors),
        },
    )
}

#[derive(Serialize)]
struct TotpSetupPage {
    forced: bool,
    secret: String,
    qr_svg: String,
    errors: std::collections::BTreeMap<String, String>,
}

async fn totp_setup_page(
    ui: &Ui,
    errors: crate::error::FieldErrors,
    status: StatusCode,
) -> AppResult<Response> {
    let Some(secret) = actions::pending_totp_secret(&ui.caller()).await? else {
        return Ok(ui.done("/account", Msg::new("已启用动态口令")));
    };
    let url = totp::otpauth_url(&secret, &ui.state.config.totp_issuer, &ui.user.username).unwrap_or_default();
    let page = TotpSetupPage {
        forced: ui.session.stage == Stage::Enrol,
        qr_svg: totp::qr_svg(&url).unwrap_or_default(),
        secret,
        errors: ui.field_errors(&errors),
    };
    ui.render_status(status, "auth/totp_setup.html", page)
}

async fn totp_setup(AnyStage(ui): AnyStage) -> AppResult<Response> {
    if !matches!(ui.session.stage, Stage::Enrol | Stage::Active) {
        return Ok(see_other(ui.session.stage.page()));
    }
    totp_setup_page(&ui, Default::default(), StatusCode::OK).await
}

async fn totp_enable(AnyStage(ui): AnyStage, Form(f): Form<CodeForm>) -> AppResult<Response> {
    if !matches!(ui.session.stage, Stage::Enrol | Stage::Active) {
        return Ok(see_other(ui.session.stage.page()));
    }
    match actions::enable_totp(&ui.caller(), &ui.session.id, ui.session.stage, &f.code).await {
        Ok(next) => Ok(ui.done(
            if next == Stage::Active { "/account" } else { next.page() },
            Msg::new("动态口令已启用，今后登录需输入验证器中的6位数字"),
        )),
        Err(AppError::Invalid(errors)) => {
            totp_setup_page(&ui, errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e),
    }
}

async fn totp_disable(ui: Ui, Form(f): Form<CodeForm>) -> AppResult<Response> {
    match actions::disable_totp(&ui.caller(), &f.code).await {
        Ok(()) => Ok(ui.done("/account", Msg::new("已关闭动态口令"))),
        Err(AppError::Invalid(errors)) => account_page(&ui, errors, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct LangForm {
    lang: String,
}

/// Switches the interface language (cookie; also the account's preference when signed in).
async fn set_lang(
    axum::extract::State(state): axum::extract::State<AppState>,
    axum::Extension(auth): axum::Extension<Auth>,
    headers: HeaderMap,
    Form(f): Form<LangForm>,
) -> AppResult<Response> {
    let lang = Lang::parse(&f.lang);
    let code = if lang == Lang::En { "en" } else { "zh" };
    if let Auth::Session(s) = &auth {
        let mut tx = state.db.begin().await?;
        tx.exec(
            Q::new("update accounts set locale = $1 where id = $2").bind(code).bind(s.principal.account_id),
        )
        .await?;
        tx.commit().await?;
    }
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.split_once("://").map(|(_, rest)| rest))
        .and_then(|rest| rest.find('/').map(|i| rest[i..].to_string()))
        .unwrap_or_else(|| "/home".to_string());
    let mut res = see_other(safe_next(&back));
    res.headers_mut().append(header::SET_COOKIE, set_cookie(&state, LANG_COOKIE, code, false));
    Ok(res.into_response())
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(safe_next("/org/units?page=2"), "/org/units?page=2");
        for bad in ["//evil.example", "https://evil.example/", "/\\evil", "evil", ""] {
            assert_eq!(safe_next(bad), "/home", "{bad}");
        }
    }
}
