//! The office's risk lexicon (舆情风险词) and the retraining of the category
//! suggestion: the research office's edits, each audited, each seen by every
//! node at its next analysis (the lexicon counter and the model id are part of
//! the analyzer's stamp).

use super::analysis::{self, LEXICON_KEY, Trained};
use super::words::Risk;
use crate::app::Caller;
use crate::audit::{self, Event};
use crate::authz::{Action, Module};
use crate::db::{Query, is_unique_violation, memo};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::validate::{Check, optional, required};

/// Adds a risk word.
pub async fn add(c: &Caller<'_>, word: &str, level: &str, note: &str) -> AppResult<()> {
    c.who.require(Module::Liaison, Action::Approve)?;
    let mut check = Check::default();
    let word = check.take("word", required(word, 20));
    let level = level.trim().parse::<i64>().ok().and_then(Risk::from_level);
    if level.is_none() {
        check.fail("level", Msg::new("请选择风险等级"));
    }
    let note = check.take("note", optional(note, 200));
    let (word, level, note) = check.finish(|| Some((word?, level?, note?)))?;
    let mut tx = c.state.db.begin().await?;
    let id: i64 = tx
        .scalar(
            Query::new(
                "insert into liaison_lexicon (word, level, note, created_by, created_at) values ($1, $2, $3, $4, $5) \
                 returning id",
            )
            .bind(word.as_str())
            .bind(level as i64)
            .bind(note.as_str())
            .bind(c.account())
            .bind(c.now),
        )
        .await
        .map_err(|e| {
            if is_unique_violation(&e) {
                AppError::Invalid(FieldErrors::one("word", Msg::new("词库中已有这个词")))
            } else {
                e.into()
            }
        })?;
    memo::bump(&mut tx, LEXICON_KEY, c.now).await?;
    let ev = Event::new("liaison.lexicon.add", "liaison_lexicon", id)
        .summary(format!("风险词库加入“{word}”（{}）", level.label()));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(())
}

/// Removes a risk word.
pub async fn remove(c: &Caller<'_>, id: i64) -> AppResult<()> {
    c.who.require(Module::Liaison, Action::Approve)?;
    let mut tx = c.state.db.begin().await?;
    let word: Option<(String,)> =
        tx.opt(Query::new("select word from liaison_lexicon where id = $1").bind(id)).await?;
    let (word,) = word.ok_or(AppError::NotFound)?;
    tx.exec(Query::new("delete from liaison_lexicon where id = $1").bind(id)).await?;
    memo::bump(&mut tx, LEXICON_KEY, c.now).await?;
    let ev =
        Event::new("liaison.lexicon.remove", "liaison_lexicon", id).summary(format!("风险词库删除“{word}”"));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(())
}

/// Retrains the category suggestion from the labelled history now.
pub async fn retrain(c: &Caller<'_>) -> AppResult<Trained> {
    c.who.require(Module::Liaison, Action::Approve)?;
    let t = analysis::train(c.state, c.now, c.account()).await?;
    let mut tx = c.state.db.begin().await?;
    let ev = Event::new("liaison.train", "liaison_models", 0).summary(if t.learned {
        format!("用{}条已分类问题重新训练类别建议", t.examples)
    } else {
        format!("已分类问题{}条，不足以训练，继续按关键词规则建议", t.examples)
    });
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(t)
}
