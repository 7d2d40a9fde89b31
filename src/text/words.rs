//! The office's own words (领域词典): terms the general dictionary cuts apart
//! (a project's name, a local place, a new policy phrase). Administrators keep
//! the list at `/admin/words`; each change moves `text.version`, so every node
//! rebuilds its segmenter at its next use. Texts indexed before a word was
//! added are still found by its parts; `zhengyan search reindex` recuts them.

use axum::Form;
use axum::extract::Query as QueryParam;
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};

use crate::app::Caller;
use crate::audit::{self, Event};
use crate::authz::{Action, Module};
use crate::clock::Ts;
use crate::db::{Db, DbResult, Query, memo};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::validate::{Check, optional, required};
use crate::web::Ui;

/// A word of the domain dictionary.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct Word {
    /// The word.
    pub word: String,
    /// Why it is there.
    pub note: String,
    /// When it was added.
    pub created_at: Ts,
}

/// The words, in order.
pub async fn list(db: &Db) -> DbResult<Vec<Word>> {
    db.all(Query::new("select word, note, created_at from text_words order by word")).await
}

/// A word as typed.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct WordInput {
    /// The word.
    pub word: String,
    /// Why.
    pub note: String,
}

/// Adds a word.
pub async fn add(c: &Caller<'_>, input: &WordInput) -> AppResult<()> {
    c.who.require(Module::Dicts, Action::Write)?;
    let mut check = Check::default();
    let word = check.take("word", required(&input.word, 20));
    let note = check.take("note", optional(&input.note, 100));
    if let Some(w) = &word
        && (w.chars().count() < 2 || w.chars().any(|c| c.is_whitespace() || c.is_ascii_punctuation()))
    {
        check.fail("word", Msg::new("词语应为2到20个字，不含空格和标点"));
    }
    let (word, note) = check.finish(|| Some((word?, note?)))?;
    let mut tx = c.state.db.begin().await?;
    let n = tx
        .exec(
            Query::new(
                "insert into text_words (word, note, created_by, created_at) values ($1, $2, $3, $4) \
                 on conflict (word) do nothing",
            )
            .bind(word.as_str())
            .bind(note)
            .bind(c.account())
            .bind(c.now),
        )
        .await?;
    if n == 0 {
        let mut e = FieldErrors::default();
        e.add("word", Msg::new("词典中已有“{word}”").arg("word", word));
        return Err(e.into());
    }
    memo::bump(&mut tx, super::VERSION_KEY, c.now).await?;
    let ev = Event::new("text.word_add", "text_word", &word).summary(format!("领域词典新增“{word}”"));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(())
}

/// Removes a word.
pub async fn remove(c: &Caller<'_>, word: &str) -> AppResult<()> {
    c.who.require(Module::Dicts, Action::Write)?;
    let mut tx = c.state.db.begin().await?;
    let n = tx.exec(Query::new("delete from text_words where word = $1").bind(word)).await?;
    if n == 0 {
        return Err(AppError::NotFound);
    }
    memo::bump(&mut tx, super::VERSION_KEY, c.now).await?;
    let ev = Event::new("text.word_remove", "text_word", word).summary(format!("领域词典删除“{word}”"));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Serialize)]
struct Page {
    rows: Vec<Word>,
    form: WordInput,
    errors: std::collections::BTreeMap<String, String>,
    can_write: bool,
    sample: String,
    cut: Vec<String>,
}

/// `?sample=` — a sentence to try the segmenter on.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TryQuery {
    /// The sentence.
    pub sample: String,
}

async fn page(
    ui: &Ui,
    form: WordInput,
    errors: FieldErrors,
    sample: String,
    status: StatusCode,
) -> AppResult<Response> {
    ui.require(Module::Dicts, Action::Read)?;
    let sample: String = sample.chars().take(500).collect();
    let cut = if sample.trim().is_empty() {
        Vec::new()
    } else {
        super::segmenter(&ui.state.db).await?.words(&sample)
    };
    let p = Page {
        rows: list(&ui.state.db).await?,
        form,
        errors: ui.field_errors(&errors),
        can_write: ui.user.can(Module::Dicts, Action::Write),
        sample,
        cut,
    };
    ui.render_status(status, "dicts/words.html", p)
}

/// `GET /admin/words`
pub async fn show(ui: Ui, QueryParam(q): QueryParam<TryQuery>) -> AppResult<Response> {
    page(&ui, WordInput::default(), FieldErrors::default(), q.sample, StatusCode::OK).await
}

/// `POST /admin/words`
pub async fn create(ui: Ui, Form(form): Form<WordInput>) -> AppResult<Response> {
    match add(&ui.caller(), &form).await {
        Ok(()) => Ok(ui.done("/admin/words", Msg::new("已加入领域词典"))),
        Err(AppError::Invalid(errors)) => {
            page(&ui, form, errors, String::new(), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e),
    }
}

/// `POST /admin/words/delete`
pub async fn delete(ui: Ui, Form(form): Form<WordInput>) -> AppResult<Response> {
    remove(&ui.caller(), form.word.trim()).await?;
    Ok(ui.done("/admin/words", Msg::new("已从领域词典删除")))
}

/// The pages.
pub fn routes() -> axum::Router<crate::app::AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/admin/words", get(show).post(create))
        .route("/admin/words/delete", post(delete))
}
