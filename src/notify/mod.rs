//! Notifications (P8): an in-app inbox per account. Features call [`send`]
//! inside their own transaction (deadline reminders, colour escalations, a
//! returned report …); the person reads them at `/inbox`.

pub mod api;

use axum::Router;
use axum::extract::Path;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Serialize;

use crate::app::AppState;
use crate::clock::Ts;
use crate::db::{Db, DbResult, Query, Sql, Tx};
use crate::error::AppResult;
use crate::i18n::Msg;
use crate::web::Ui;

/// A message in someone's inbox.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Notice {
    /// Id.
    pub id: i64,
    /// Kind code (`deadline`, `escalation` …).
    pub kind: String,
    /// Title.
    pub title: String,
    /// Body.
    pub body: String,
    /// Where to go.
    pub link: String,
    /// Sent.
    pub created_at: Ts,
    /// Read.
    pub read_at: Option<Ts>,
}

/// What to send.
#[derive(Clone, Debug)]
pub struct Outgoing<'a> {
    /// Kind code.
    pub kind: &'a str,
    /// Title.
    pub title: &'a str,
    /// Body.
    pub body: &'a str,
    /// A local link.
    pub link: &'a str,
}

/// Puts a message in an account's inbox, inside the caller's transaction.
pub async fn send(tx: &mut Tx, account_id: i64, n: &Outgoing<'_>, now: Ts) -> DbResult<i64> {
    tx.scalar(
        Query::new(
            "insert into notifications (account_id, kind, title, body, link, created_at) \
             values ($1, $2, $3, $4, $5, $6) returning id",
        )
        .bind(account_id)
        .bind(n.kind)
        .bind(n.title)
        .bind(n.body)
        .bind(n.link)
        .bind(now),
    )
    .await
}

/// Puts many messages in inboxes at once (a colour run that turns many tasks),
/// in statements of 500 rows, inside the caller's transaction.
pub async fn send_many(tx: &mut Tx, messages: &[(i64, Outgoing<'_>)], now: Ts) -> DbResult<()> {
    for chunk in messages.chunks(500) {
        let mut sql =
            Sql::new("insert into notifications (account_id, kind, title, body, link, created_at) values ");
        for (i, (account, n)) in chunk.iter().enumerate() {
            sql.push(if i == 0 { "(" } else { ", (" }).bind(*account).push(", ").bind(n.kind).push(", ");
            sql.bind(n.title).push(", ").bind(n.body).push(", ").bind(n.link).push(", ").bind(now).push(")");
        }
        tx.exec(sql.build()).await?;
    }
    Ok(())
}

/// Unread messages of an account.
pub async fn unread_count(db: &Db, account_id: i64) -> DbResult<i64> {
    db.scalar(
        Query::new("select count(*) from notifications where account_id = $1 and read_at is null")
            .bind(account_id),
    )
    .await
}

/// The latest messages of an account.
pub async fn latest(db: &Db, account_id: i64, limit: i64) -> DbResult<Vec<Notice>> {
    db.all(
        Query::new(
            "select id, kind, title, body, link, created_at, read_at from notifications where account_id = $1 \
             order by id desc limit $2",
        )
        .bind(account_id)
        .bind(limit),
    )
    .await
}

/// Marks one of the account's messages read; returns its link when it exists.
pub async fn mark_read(db: &Db, account_id: i64, id: i64, now: Ts) -> DbResult<Option<String>> {
    let mut tx = db.begin().await?;
    let link: Option<(String,)> = tx
        .opt(
            Query::new("select link from notifications where id = $1 and account_id = $2")
                .bind(id)
                .bind(account_id),
        )
        .await?;
    tx.exec(
        Query::new(
            "update notifications set read_at = $1 where id = $2 and account_id = $3 and read_at is null",
        )
        .bind(now)
        .bind(id)
        .bind(account_id),
    )
    .await?;
    tx.commit().await?;
    Ok(link.map(|(l,)| l))
}

/// The pages.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/inbox", get(inbox))
        .route("/inbox/read-all", post(read_all))
        .route("/inbox/{id}/read", post(read_one))
}

#[derive(Serialize)]
struct Page {
    notices: Vec<Notice>,
    unread: i64,
}

async fn inbox(ui: Ui) -> AppResult<Response> {
    let page = Page {
        notices: latest(&ui.state.db, ui.user.account_id, 200).await?,
        unread: unread_count(&ui.state.db, ui.user.account_id).await?,
    };
    ui.render("notify/inbox.html", page)
}

async fn read_one(ui: Ui, Path(id): Path<i64>) -> AppResult<Response> {
    let mut tx = ui.state.db.begin().await?;
    let link: Option<(String,)> = tx
        .opt(
            Query::new("select link from notifications where id = $1 and account_id = $2")
                .bind(id)
                .bind(ui.user.account_id),
        )
        .await?;
    tx.exec(
        Query::new(
            "update notifications set read_at = $1 where id = $2 and account_id = $3 and read_at is null",
        )
        .bind(ui.now())
        .bind(id)
        .bind(ui.user.account_id),
    )
    .await?;
    tx.commit().await?;
    let to = link
        .map(|(l,)| l)
        .filter(|l| l.starts_with('/') && !l.starts_with("//"))
        .unwrap_or_else(|| "/inbox".into());
    Ok(crate::web::see_other(&to))
}

async fn read_all(ui: Ui) -> AppResult<Response> {
    let mut tx = ui.state.db.begin().await?;
    tx.exec(
        Query::new("update notifications set read_at = $1 where account_id = $2 and read_at is null")
            .bind(ui.now())
            .bind(ui.user.account_id),
    )
    .await?;
    tx.commit().await?;
    Ok(ui.done("/inbox", Msg::new("已全部标为已读")))
}
