//! `zhengyan reform import FILE.xlsx` and `zhengyan reform export --out FILE.xlsx`:
//! the ledger from the command line, as a named account (`--as`) or as the
//! office's command line with reform rights over every unit.

use std::path::Path;

use anyhow::{Context, bail};

use super::ledger;
use super::store::TaskFilter;
use crate::app::{AppState, Caller};
use crate::audit::Actor;
use crate::authz::{Action, Module, Principal};
use crate::db::Query;

async fn principal(state: &AppState, username: Option<&str>) -> anyhow::Result<(Principal, Actor)> {
    match username {
        Some(u) => {
            let id: Option<(i64,)> =
                state.db.opt(Query::new("select id from accounts where username = $1").bind(u)).await?;
            let (id,) = id.with_context(|| format!("没有账户 {u}"))?;
            let p = Principal::load(&state.db, id).await?.with_context(|| format!("账户 {u} 已停用"))?;
            let actor = Actor { id: Some(p.account_id), name: p.username.clone(), ip: "cli".into() };
            Ok((p, actor))
        }
        None => {
            let root: Option<(i64, String)> = state
                .db
                .opt(Query::new("select id, path from units where parent_id is null order by id limit 1"))
                .await?;
            let root = root.context("组织机构为空，请先建立单位")?;
            Ok((Principal::system("cli", &[Module::Reform], root), Actor::system("cli")))
        }
    }
}

/// Imports a ledger file; prints the outcome or every error; returns the exit code.
pub async fn import(state: &AppState, file: &Path, username: Option<&str>) -> anyhow::Result<i32> {
    let bytes = std::fs::read(file).with_context(|| format!("无法读取 {}", file.display()))?;
    let (who, actor) = principal(state, username).await?;
    let c = Caller { state, who: &who, actor, now: state.clock.now() };
    match ledger::import(&c, &bytes).await {
        Ok(Ok(out)) => {
            println!(
                "导入完成：共{}行，新增{}项，修改{}项，未变{}项",
                out.rows, out.created, out.updated, out.unchanged
            );
            for n in out.notes {
                println!("说明：{n}");
            }
            Ok(0)
        }
        Ok(Err(errors)) => {
            eprintln!("导入未完成，没有写入任何数据。请修改以下{}处问题后重新导入：", errors.len());
            for e in errors {
                match e.row {
                    Some(r) if e.column.is_empty() => eprintln!("第{r}行：{}", e.message),
                    Some(r) => eprintln!("第{r}行“{}”列：{}", e.column, e.message),
                    None => eprintln!("{}", e.message),
                }
            }
            Ok(1)
        }
        Err(crate::error::AppError::Internal(e)) => Err(e.context("导入失败")),
        Err(e) => bail!("导入失败：{}", e.parts().1.message.render(crate::i18n::Lang::Zh)),
    }
}

/// Writes the ledger of a year (or every year) to `out`.
pub async fn export(
    state: &AppState,
    out: &Path,
    year: Option<i64>,
    username: Option<&str>,
) -> anyhow::Result<()> {
    let (who, _) = principal(state, username).await?;
    let scope = who.scope(Module::Reform, Action::Export);
    if scope.is_empty() {
        bail!("该账户没有导出改革任务的权限");
    }
    let f = TaskFilter {
        year: year.map(|y| y.to_string()).unwrap_or_default(),
        status: "all".into(),
        ..TaskFilter::default()
    };
    let (bytes, n) = ledger::export(&state.db, &scope, &f).await?;
    std::fs::write(out, bytes).with_context(|| format!("无法写入 {}", out.display()))?;
    println!("已导出{n}项改革任务到 {}", out.display());
    Ok(())
}
