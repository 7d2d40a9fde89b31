//! `zhengyan backup --out FILE` and `zhengyan restore FILE`.
//!
//! On SQLite a backup is one zip file: a consistent online snapshot of the
//! database (`VACUUM INTO`, taken while the server keeps serving), every
//! attachment, and a manifest with row counts and the audit chain's head. On
//! PostgreSQL the database is backed up with `pg_dump` (the command says how)
//! and the zip carries the attachments and the manifest. Restore puts the
//! files back (refusing to overwrite a database without `--force`) and
//! verifies the audit chain against the manifest.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};

use crate::config::{Config, redact_url};
use crate::db::{Db, Query};

/// Name of the database file inside a backup.
const DB_ENTRY: &str = "zhengyan.db";
/// Name of the manifest inside a backup.
const MANIFEST: &str = "manifest.json";

/// What a backup holds.
#[derive(Debug, Serialize, Deserialize)]
pub struct Manifest {
    /// Format marker.
    pub format: String,
    /// Product version that wrote it.
    pub version: String,
    /// `sqlite` or `postgres`.
    pub database: String,
    /// When it was taken (ms).
    pub created_at: i64,
    /// Audit chain length at the time.
    pub audit_head_seq: i64,
    /// Audit chain head hash at the time.
    pub audit_head_hash: String,
    /// Attachment files included.
    pub attachments: usize,
}

fn files_under(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if !p.extension().is_some_and(|x| x.to_string_lossy().starts_with("tmp-")) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Writes a backup to `out`.
pub async fn backup(config: &Config, db: &Db, out: &Path, now: crate::clock::Ts) -> anyhow::Result<()> {
    let (head_seq, head_hash): (i64, String) =
        db.one(Query::new("select seq, hash from audit_head where id = 1")).await?;
    let snapshot = out.with_extension("snapshot.db");
    let _ = std::fs::remove_file(&snapshot);
    let is_sqlite = db.sqlite_snapshot(&snapshot).await?.is_some();
    let attachments_root = config.data_dir.join("attachments");
    let files = files_under(&attachments_root);
    let count = files.len();
    let manifest = Manifest {
        format: "zhengyan-backup-1".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        database: if is_sqlite { "sqlite" } else { "postgres" }.into(),
        created_at: now.0,
        audit_head_seq: head_seq,
        audit_head_hash: head_hash,
        attachments: files.len(),
    };
    let out = out.to_path_buf();
    let snapshot_for_zip = snapshot.clone();
    tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        let file = std::fs::File::create(&out).with_context(|| format!("cannot write {}", out.display()))?;
        let mut zip = zip::ZipWriter::new(file);
        let deflate = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(true);
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored)
            .large_file(true);
        zip.start_file(MANIFEST, deflate)?;
        zip.write_all(serde_json::to_string_pretty(&manifest)?.as_bytes())?;
        if is_sqlite {
            zip.start_file(DB_ENTRY, deflate)?;
            std::io::copy(&mut std::fs::File::open(&snapshot_for_zip)?, &mut zip)?;
        }
        for f in &files {
            let rel = f.strip_prefix(&attachments_root)?.to_string_lossy().replace('\\', "/");
            zip.start_file(format!("attachments/{rel}"), stored)?;
            std::io::copy(&mut std::fs::File::open(f)?, &mut zip)?;
        }
        zip.finish()?;
        Ok(())
    })
    .await??;
    let _ = std::fs::remove_file(&snapshot);
    if is_sqlite {
        println!("备份完成：数据库与 {count} 个附件，审计链 {head_seq} 条");
    } else {
        println!("已备份附件 {count} 个与清单。PostgreSQL 数据库请另用 pg_dump 备份，例如：");
        println!(
            "  pg_dump --format=custom --file=zhengyan.dump '{}'",
            redact_url(config.database_url().expose())
        );
        println!(
            "恢复时：pg_restore --clean --dbname=<库> zhengyan.dump，再执行 zhengyan restore 本文件 以恢复附件。"
        );
    }
    Ok(())
}

/// Restores a backup into the configured data folder.
pub async fn restore(config: &Config, file: &Path, force: bool) -> anyhow::Result<()> {
    let url = config.database_url();
    let file = file.to_path_buf();
    let data_dir = config.data_dir.clone();
    let db_path = url.expose().strip_prefix("sqlite://").map(PathBuf::from);
    let manifest: Manifest = tokio::task::spawn_blocking(move || -> anyhow::Result<Manifest> {
        let mut zip = zip::ZipArchive::new(
            std::fs::File::open(&file).with_context(|| format!("cannot open {}", file.display()))?,
        )
        .context("not a Zhengyan backup (not a zip file)")?;
        let mut text = String::new();
        zip.by_name(MANIFEST).context("not a Zhengyan backup (no manifest)")?.read_to_string(&mut text)?;
        let manifest: Manifest = serde_json::from_str(&text)?;
        if manifest.format != "zhengyan-backup-1" {
            bail!("unknown backup format {}", manifest.format);
        }
        if manifest.database == "sqlite" {
            let Some(db_path) = db_path else {
                bail!("this backup holds an SQLite database, but database_url points elsewhere");
            };
            if db_path.exists() && !force {
                bail!("数据库 {} 已存在；确要覆盖，请先停止服务并加 --force", db_path.display());
            }
            if let Some(parent) = db_path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            let tmp = db_path.with_extension("restoring");
            std::io::copy(&mut zip.by_name(DB_ENTRY)?, &mut std::fs::File::create(&tmp)?)?;
            for suffix in ["-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", db_path.display()));
            }
            std::fs::rename(&tmp, &db_path)?;
        }
        for i in 0..zip.len() {
            let mut entry = zip.by_index(i)?;
            let Some(rel) = entry.enclosed_name() else { continue };
            if !rel.starts_with("attachments") || entry.is_dir() {
                continue;
            }
            let dest = data_dir.join(&rel);
            if dest.exists() {
                continue;
            }
            if let Some(parent) = dest.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::io::copy(&mut entry, &mut std::fs::File::create(&dest)?)?;
        }
        Ok(manifest)
    })
    .await??;
    let db = Db::connect(url.expose(), 2).await?;
    let v = crate::audit::store::verify(&db, |_| {}).await?;
    db.close().await;
    match v.broken {
        None if v.head_seq >= manifest.audit_head_seq => {
            println!("恢复完成：审计链 {} 条完整，附件 {} 个", v.checked, manifest.attachments);
            Ok(())
        }
        None => bail!("恢复后的审计链（{} 条）短于备份清单记录的 {} 条", v.head_seq, manifest.audit_head_seq),
        Some(b) => bail!("恢复后审计链校验失败：{}", b.describe()),
    }
}
