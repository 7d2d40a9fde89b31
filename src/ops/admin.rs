//! `zhengyan admin create`: the first accounts of an installation, made from
//! the command line (there is nobody yet to sign in and make them).

use anyhow::{Context, bail};

use crate::accounts::model::{generate_password, username as parse_username};
use crate::app::AppState;
use crate::audit::{self, Actor, Event};
use crate::auth::model::check_password;
use crate::auth::password;
use crate::db::Query;
use crate::org::units::model::UnitFields;

/// Creates the account; returns the initial password.
pub async fn create(
    state: &AppState,
    username: &str,
    name: &str,
    role: &str,
    unit: Option<i64>,
    org_name: &str,
    password_given: Option<String>,
) -> anyhow::Result<String> {
    let username = parse_username(username).map_err(|m| anyhow::anyhow!("{m}"))?;
    let now = state.clock.now();
    let policy = state.policy().await?;
    let initial = password_given.unwrap_or_else(generate_password);
    check_password(&policy, &initial, &username).map_err(|m| anyhow::anyhow!("{m}"))?;
    let role_id: i64 = state
        .db
        .opt::<(i64,)>(Query::new("select id from roles where code = $1").bind(role))
        .await?
        .map(|(id,)| id)
        .with_context(|| format!("no role {role}"))?;
    let hash = password::hash(initial.clone()).await?;
    let actor = Actor::system("cli");
    let mut tx = state.db.begin().await?;
    let unit_id = match unit {
        Some(u) => u,
        None => match tx
            .opt::<(i64,)>(Query::new("select id from units where parent_id is null order by id limit 1"))
            .await?
        {
            Some((root,)) => root,
            None => {
                let f = UnitFields {
                    name: org_name.to_string(),
                    short_name: String::new(),
                    code: None,
                    kind: "committee".into(),
                    sort_order: 0,
                    note: String::new(),
                };
                let id = crate::org::units::store::insert(&mut tx, None, &f, None, now).await?;
                let ev = Event::new("unit.create", "unit", id)
                    .summary(format!("初始化根单位“{org_name}”"))
                    .after(&f);
                audit::append(&mut tx, now, &actor, &ev).await?;
                id
            }
        },
    };
    let taken: i64 =
        tx.scalar(Query::new("select count(*) from accounts where username = $1").bind(&username)).await?;
    if taken > 0 {
        bail!("username {username} is taken");
    }
    let id: i64 = tx
        .scalar(
            Query::new(
                "insert into accounts (username, display_name, unit_id, password_hash, must_change_password, status, locale, \
                 created_at, updated_at) values ($1, $2, $3, $4, true, 'active', 'zh', $5, $5) returning id",
            )
            .bind(&username)
            .bind(name)
            .bind(unit_id)
            .bind(&hash)
            .bind(now),
        )
        .await?;
    tx.exec(
        Query::new("insert into account_roles (account_id, role_id) values ($1, $2)").bind(id).bind(role_id),
    )
    .await?;
    let ev = Event::new("account.create", "account", id)
        .summary(format!("命令行创建账户“{username}”并授予角色“{role}”"));
    audit::append(&mut tx, now, &actor, &ev).await?;
    tx.commit().await?;
    Ok(initial)
}
