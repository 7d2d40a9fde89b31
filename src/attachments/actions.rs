//! Uploading and reading attachments, for pages and API alike.

use super::sniff::{self, ACCEPTED};
use super::store::{self, Attachment};
use crate::app::Caller;
use crate::audit::{self, Event};
use crate::authz::{Action, Module, Target};
use crate::db::Tx;
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;

/// What an upload is attached to.
#[derive(Clone, Debug, Default)]
pub struct Owner {
    /// Object type (`unit` …); empty for a loose file.
    pub kind: String,
    /// Object id.
    pub id: String,
}

/// An upload that passed the size and content checks.
#[derive(Debug)]
pub struct Checked {
    /// File name as uploaded (without any path).
    pub name: String,
    /// The bytes.
    pub bytes: Vec<u8>,
    /// What it is.
    pub kind: sniff::Kind,
    /// Content hash.
    pub sha: String,
    /// Extracted text, for search.
    pub text: Option<String>,
}

/// Checks size, name and content of a file (before any transaction).
pub async fn check(c: &Caller<'_>, file_name: &str, bytes: Vec<u8>) -> AppResult<Checked> {
    let site = crate::dicts::settings::site(&c.state.db).await?;
    let limit = u64::from(site.attachment_max_mb).min(c.state.config.max_upload_mb) * 1024 * 1024;
    if bytes.is_empty() {
        return Err(AppError::BadRequest(Msg::new("文件是空的，请重新选择")));
    }
    if bytes.len() as u64 > limit {
        return Err(AppError::BadRequest(
            Msg::new("文件超过{mb}MB的大小限制").arg("mb", limit / 1024 / 1024),
        ));
    }
    let name: String =
        file_name.rsplit(['/', '\\']).next().unwrap_or_default().trim().chars().take(120).collect();
    if name.is_empty() || name.chars().any(char::is_control) {
        return Err(AppError::BadRequest(Msg::new("文件名无效")));
    }
    let Some(kind) = sniff::detect(&bytes) else {
        let allowed: Vec<&str> = ACCEPTED.iter().map(|k| k.label).collect();
        return Err(AppError::BadRequest(
            Msg::new("不支持的文件类型，只能上传：{list}").arg("list", allowed.join("、")),
        ));
    };
    let ext = sniff::extension(&name);
    if !kind.extensions.contains(&ext.as_str()) {
        return Err(AppError::BadRequest(
            Msg::new("文件内容是{kind}，与扩展名“.{ext}”不符").arg("kind", kind.label).arg("ext", ext),
        ));
    }
    let sha = store::content_hash(&bytes);
    let (text, bytes) = match ext.as_str() {
        "docx" => (sniff::docx_text(&bytes), bytes),
        // Reading a large PDF takes a while: off the request threads.
        "pdf" => tokio::task::spawn_blocking(move || (sniff::pdf_text(&bytes), bytes))
            .await
            .map_err(|e| AppError::Internal(e.into()))?,
        _ => (None, bytes),
    };
    Ok(Checked { name, bytes, kind, sha, text })
}

/// Checks the first file of a page's form, if it has one: a refused file is a
/// field error on `file` for the page to show beside its input.
pub async fn check_upload(
    c: &Caller<'_>,
    files: Vec<(String, Vec<u8>)>,
) -> AppResult<Result<Option<Checked>, crate::error::FieldErrors>> {
    let Some((name, bytes)) = files.into_iter().next() else { return Ok(Ok(None)) };
    match check(c, &name, bytes).await {
        Ok(f) => Ok(Ok(Some(f))),
        Err(AppError::BadRequest(m)) => Ok(Err(crate::error::FieldErrors::one("file", m))),
        Err(e) => Err(e),
    }
}

/// Stores a checked file and records it against `owner` inside the caller's
/// transaction (the blob itself is content-addressed, so writing it first is safe).
pub async fn save(c: &Caller<'_>, tx: &mut Tx, f: &Checked, owner: &Owner) -> AppResult<i64> {
    store::write_blob(&c.state.files_dir(), &f.sha, &f.bytes)
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    let new = store::NewAttachment {
        sha: &f.sha,
        size: f.bytes.len() as i64,
        mime: f.kind.mime,
        text: f.text.as_deref(),
        file_name: &f.name,
        unit_id: c.who.unit_id,
        owner_id: c.who.account_id,
        owner_type: &owner.kind,
        owner_ref: &owner.id,
    };
    let id = store::insert(tx, &new, c.now).await?;
    let ev = Event::new("attachment.upload", "attachment", id)
        .summary(format!("上传附件“{}”（{}，{}字节）", f.name, f.kind.label, f.bytes.len()))
        .after(&serde_json::json!({ "sha": f.sha, "owner_type": owner.kind, "owner_ref": owner.id }));
    audit::append(tx, c.now, &c.actor, &ev).await?;
    Ok(id)
}

/// Checks, stores and records an upload; returns the attachment id.
pub async fn upload(c: &Caller<'_>, file_name: &str, bytes: &[u8], owner: &Owner) -> AppResult<i64> {
    c.who.require(Module::Attachments, Action::Write)?;
    let checked = check(c, file_name, bytes.to_vec()).await?;
    match owner.kind.as_str() {
        "" => {}
        "unit" => {
            let id: i64 = owner.id.parse().map_err(|_| AppError::BadRequest(Msg::new("附件所属对象无效")))?;
            crate::org::units::actions::reachable(c, id, Action::Write).await?;
        }
        "reform_task" => {
            let id: i64 = owner.id.parse().map_err(|_| AppError::BadRequest(Msg::new("附件所属对象无效")))?;
            let task = crate::reform::actions::visible_task(c, id).await?;
            if !crate::reform::actions::reaches(c, &task, Action::Approve).await?
                && !crate::reform::actions::reaches(c, &task, Action::Write).await?
            {
                return Err(AppError::Forbidden);
            }
        }
        "reform_report" => {
            let id: i64 = owner.id.parse().map_err(|_| AppError::BadRequest(Msg::new("附件所属对象无效")))?;
            let r = crate::reform::reports::get(&c.state.db, id).await?.ok_or(AppError::NotFound)?;
            let path: String = c
                .state
                .db
                .scalar(crate::db::Query::new("select path from units where id = $1").bind(r.unit_id))
                .await?;
            c.who.require_on(
                Module::Reform,
                Action::Write,
                Target { unit_id: r.unit_id, unit_path: &path, owner_id: None },
            )?;
            if r.status != "submitted" {
                return Err(AppError::Conflict(Msg::new("只能为待审核的进展补充附件")));
            }
        }
        "rectification" => {
            let id: i64 = owner.id.parse().map_err(|_| AppError::BadRequest(Msg::new("附件所属对象无效")))?;
            let item = crate::rectify::visible(c, id).await?;
            let t = Target { unit_id: item.unit_id, unit_path: &item.unit_path, owner_id: None };
            c.who.require_on(crate::rectify::module_of(&item.source_type), Action::Write, t)?;
        }
        _ => return Err(AppError::BadRequest(Msg::new("附件所属对象无效"))),
    }
    let mut tx = c.state.db.begin().await?;
    let id = save(c, &mut tx, &checked, owner).await?;
    tx.commit().await?;
    Ok(id)
}

/// Loads an attachment the caller may read, with its bytes.
pub async fn download(c: &Caller<'_>, id: i64) -> AppResult<(Attachment, Vec<u8>)> {
    let a = store::get(&c.state.db, id).await?.ok_or(AppError::NotFound)?;
    c.who.require_on(
        Module::Attachments,
        Action::Read,
        Target { unit_id: a.unit_id, unit_path: &a.unit_path, owner_id: Some(a.owner_id) },
    )?;
    let bytes = tokio::fs::read(store::blob_path(&c.state.files_dir(), &a.sha))
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok((a, bytes))
}
