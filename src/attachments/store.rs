//! The content-addressed file store and the attachment rows.
//!
//! A file lives at `attachments/ab/cd/<SM3 hex>`: the same content is stored
//! once however often it is attached. Files are written to a temporary name
//! and renamed, so a crash never leaves half a file under a real name. Several
//! app nodes share the folder (a network mount) when on PostgreSQL.

use std::path::{Path, PathBuf};

use serde::Serialize;
use sm3::{Digest, Sm3};

use crate::clock::Ts;
use crate::db::{Db, DbResult, Query, Tx};

/// The hex SM3 of some bytes.
pub fn content_hash(bytes: &[u8]) -> String {
    hex::encode(Sm3::digest(bytes))
}

/// Where a blob lives under the store's root.
pub fn blob_path(root: &Path, sha: &str) -> PathBuf {
    root.join(&sha[0..2]).join(&sha[2..4]).join(sha)
}

/// Writes a blob if it is not there yet.
pub async fn write_blob(root: &Path, sha: &str, bytes: &[u8]) -> std::io::Result<()> {
    let path = blob_path(root, sha);
    if tokio::fs::try_exists(&path).await.unwrap_or(false) {
        return Ok(());
    }
    if let Some(dir) = path.parent() {
        tokio::fs::create_dir_all(dir).await?;
    }
    let tmp = path.with_extension(format!("tmp-{}", crate::auth::session::random_token()));
    tokio::fs::write(&tmp, bytes).await?;
    tokio::fs::rename(&tmp, &path).await
}

/// An attachment as lists show it.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Attachment {
    /// Id.
    pub id: i64,
    /// Content hash.
    pub sha: String,
    /// Name as uploaded.
    pub file_name: String,
    /// Bytes.
    pub size: i64,
    /// MIME type (from the content).
    pub mime: String,
    /// Uploader's unit.
    pub unit_id: i64,
    /// Its path (scope checks).
    pub unit_path: String,
    /// Uploader.
    pub owner_id: i64,
    /// Uploader's name.
    pub owner_name: String,
    /// What it is attached to (`unit`, later `reform_task` …).
    pub owner_type: String,
    /// Which one.
    pub owner_ref: String,
    /// Uploaded.
    pub created_at: Ts,
}

const SELECT: &str = "select a.id, a.sha, a.file_name, b.size, b.mime, a.unit_id, u.path as unit_path, a.owner_id, \
     c.display_name as owner_name, a.owner_type, a.owner_ref, a.created_at from attachments a \
     join blobs b on b.sha = a.sha join units u on u.id = a.unit_id join accounts c on c.id = a.owner_id";

/// One attachment.
pub async fn get(db: &Db, id: i64) -> DbResult<Option<Attachment>> {
    db.opt(
        Query::new(
            "select a.id, a.sha, a.file_name, b.size, b.mime, a.unit_id, u.path as unit_path, a.owner_id, \
         c.display_name as owner_name, a.owner_type, a.owner_ref, a.created_at from attachments a \
         join blobs b on b.sha = a.sha join units u on u.id = a.unit_id join accounts c on c.id = a.owner_id \
         where a.id = $1",
        )
        .bind(id),
    )
    .await
}

/// Attachments of one object, within the reader's scope.
pub async fn for_owner(
    db: &Db,
    scope: &crate::authz::Scope,
    owner_type: &str,
    owner_ref: &str,
) -> DbResult<Vec<Attachment>> {
    let mut sql = crate::db::Sql::new(SELECT);
    sql.push(" where a.owner_type = ")
        .bind(owner_type.to_string())
        .push(" and a.owner_ref = ")
        .bind(owner_ref.to_string());
    sql.push(" and ");
    scope.filter(&mut sql, "a.unit_id", Some("a.owner_id"));
    sql.push(" order by a.id desc limit 200");
    db.all(sql.build()).await
}

/// A checked upload about to be recorded.
#[derive(Debug)]
pub struct NewAttachment<'a> {
    /// Content hash.
    pub sha: &'a str,
    /// Bytes.
    pub size: i64,
    /// MIME type from the content.
    pub mime: &'a str,
    /// Extracted text, for search.
    pub text: Option<&'a str>,
    /// Name as uploaded.
    pub file_name: &'a str,
    /// Uploader's unit.
    pub unit_id: i64,
    /// Uploader.
    pub owner_id: i64,
    /// Object type it is attached to.
    pub owner_type: &'a str,
    /// Object id.
    pub owner_ref: &'a str,
}

/// Records the blob (once) and the attachment row.
pub async fn insert(tx: &mut Tx, a: &NewAttachment<'_>, now: Ts) -> DbResult<i64> {
    tx.exec(
        Query::new(
            "insert into blobs (sha, size, mime, extracted_text, created_at) values ($1, $2, $3, $4, $5) \
             on conflict (sha) do nothing",
        )
        .bind(a.sha)
        .bind(a.size)
        .bind(a.mime)
        .bind(a.text)
        .bind(now),
    )
    .await?;
    tx.scalar(
        Query::new(
            "insert into attachments (sha, file_name, unit_id, owner_id, owner_type, owner_ref, created_at) \
             values ($1, $2, $3, $4, $5, $6, $7) returning id",
        )
        .bind(a.sha)
        .bind(a.file_name)
        .bind(a.unit_id)
        .bind(a.owner_id)
        .bind(a.owner_type)
        .bind(a.owner_ref)
        .bind(now),
    )
    .await
}
