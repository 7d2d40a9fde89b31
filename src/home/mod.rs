//! 工作台: each person's home page. What it shows depends on their roles;
//! every figure is counted inside the person's data scope.

mod cards;

use axum::Router;
use axum::response::Response;
use axum::routing::get;
use serde::Serialize;

use crate::app::AppState;
use crate::error::AppResult;
use crate::web::Ui;
use crate::web::session::Auth;

/// The pages.
pub fn routes() -> Router<AppState> {
    Router::new().route("/", get(root)).route("/home", get(home)).route("/healthz", get(healthz))
}

async fn root(axum::Extension(auth): axum::Extension<Auth>) -> Response {
    crate::web::see_other(if matches!(auth, Auth::Session(_)) { "/home" } else { "/login" })
}

async fn healthz(axum::extract::State(state): axum::extract::State<AppState>) -> AppResult<&'static str> {
    // `cast`: PostgreSQL types a bare 1 as int4.
    let _: i64 = state.db.scalar(crate::db::Query::new("select cast(1 as bigint)")).await?;
    Ok("ok")
}

#[derive(Serialize)]
struct Page {
    greeting: &'static str,
    last_login: Option<cards::LastLogin>,
    notices: Vec<crate::notify::Notice>,
    unread: i64,
    cards: Vec<cards::Card>,
    follow_ups: Vec<crate::research::instructions::Instruction>,
    cases: Vec<crate::liaison::cases::Case>,
    links: Vec<crate::web::menu::Item>,
}

async fn home(ui: Ui) -> AppResult<Response> {
    let hour = ui.now().to_offset(ui.state.clock.offset()).hour();
    let greeting = match hour {
        5..=11 => "上午好",
        12..=13 => "中午好",
        14..=18 => "下午好",
        _ => "晚上好",
    };
    let links = crate::web::menu::build(&ui.user, "")
        .into_iter()
        .flat_map(|s| s.items)
        .filter(|i| i.href != "/home")
        .collect();
    let page = Page {
        greeting,
        last_login: cards::last_login(&ui).await?,
        notices: crate::notify::latest(&ui.state.db, ui.user.account_id, 5).await?,
        unread: crate::notify::unread_count(&ui.state.db, ui.user.account_id).await?,
        cards: cards::for_user(&ui).await?,
        follow_ups: crate::research::instructions::waiting_for(&ui.state.db, ui.user.account_id).await?,
        cases: crate::liaison::cases::waiting_for(&ui.state.db, &ui.user).await?,
        links,
    };
    ui.render("home/home.html", page)
}
