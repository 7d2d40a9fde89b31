//! Ready-made data: a small unit tree, accounts with roles, custom roles,
//! signed-in clients.

use std::sync::LazyLock;

use zhengyan::auth::session;
use zhengyan::authz::{Action, Module, ScopeKind};
use zhengyan::db::Query;
use zhengyan::org::units::model::UnitFields;

use super::{Client, TestApp};

/// The password of every fixture account.
pub const PASSWORD: &str = "Test@2026pw";

static HASH: LazyLock<String> = LazyLock::new(|| zhengyan::auth::password::hash_now(PASSWORD).expect("hash"));

/// The tree every permission test uses:
/// ```text
/// root (市委)
/// ├── a  (市委政研室)        ← "my" unit
/// │   └── a1 (综合科)         child
/// ├── b  (市委改革办)        sibling
/// └── c  (临江区)
///     └── c1 (城关街道)      unrelated
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Tree {
    /// The root.
    pub root: i64,
    /// The person's own unit.
    pub a: i64,
    /// A child of `a`.
    pub a1: i64,
    /// A sibling of `a`.
    pub b: i64,
    /// Another branch.
    pub c: i64,
    /// Below `c`: unrelated to `a`.
    pub c1: i64,
}

impl TestApp {
    /// Inserts a unit under `parent` (root when none).
    pub async fn unit(&self, parent: Option<i64>, name: &str, kind: &str) -> i64 {
        let mut tx = self.db().begin().await.expect("tx");
        let p: Option<(i64, String, i64)> = match parent {
            Some(id) => Some(
                tx.one(Query::new("select id, path, depth from units where id = $1").bind(id))
                    .await
                    .expect("parent"),
            ),
            None => None,
        };
        let f = UnitFields {
            name: name.into(),
            short_name: String::new(),
            code: None,
            kind: kind.into(),
            sort_order: 0,
            note: String::new(),
        };
        let id = zhengyan::org::units::store::insert(
            &mut tx,
            p.as_ref().map(|(i, path, d)| (*i, path.as_str(), *d)),
            &f,
            None,
            super::t0(),
        )
        .await
        .expect("insert unit");
        tx.commit().await.expect("commit");
        id
    }

    /// The standard tree.
    pub async fn tree(&self) -> Tree {
        let root = self.unit(None, "中共云川市委", "committee").await;
        let a = self.unit(Some(root), "市委政策研究室", "office").await;
        let a1 = self.unit(Some(a), "综合科", "section").await;
        let b = self.unit(Some(root), "市委改革办", "office").await;
        let c = self.unit(Some(root), "临江区", "county").await;
        let c1 = self.unit(Some(c), "城关街道", "town").await;
        Tree { root, a, a1, b, c, c1 }
    }

    /// An active account in `unit` holding the roles with these codes.
    pub async fn account(&self, username: &str, unit: i64, roles: &[&str]) -> i64 {
        let mut tx = self.db().begin().await.expect("tx");
        let id: i64 = tx
            .scalar(
                Query::new(
                    "insert into accounts (username, display_name, unit_id, password_hash, must_change_password, status, \
                     locale, created_at, updated_at) values ($1, $2, $3, $4, false, 'active', 'zh', $5, $5) returning id",
                )
                .bind(username)
                .bind(format!("测试{username}"))
                .bind(unit)
                .bind(HASH.as_str())
                .bind(super::t0()),
            )
            .await
            .expect("account");
        for code in roles {
            tx.exec(
                Query::new("insert into account_roles (account_id, role_id) select $1, id from roles where code = $2")
                    .bind(id)
                    .bind(*code),
            )
            .await
            .expect("role");
        }
        tx.commit().await.expect("commit");
        id
    }

    /// A custom role with the given grants; returns its code.
    pub async fn role(&self, code: &str, grants: &[(Module, Action, ScopeKind)]) -> String {
        let mut tx = self.db().begin().await.expect("tx");
        let id: i64 = tx
            .scalar(
                Query::new(
                    "insert into roles (code, name, description, builtin, created_at, updated_at) \
                     values ($1, $1, '', false, $2, $2) returning id",
                )
                .bind(code)
                .bind(super::t0()),
            )
            .await
            .expect("role");
        for (m, a, s) in grants {
            tx.exec(
                Query::new(
                    "insert into role_permissions (role_id, module, action, scope) values ($1, $2, $3, $4)",
                )
                .bind(id)
                .bind(m.code())
                .bind(a.code())
                .bind(s.code()),
            )
            .await
            .expect("grant");
        }
        tx.commit().await.expect("commit");
        code.to_string()
    }

    /// Gives an account chosen units.
    pub async fn choose_units(&self, account: i64, units: &[i64]) {
        let mut tx = self.db().begin().await.expect("tx");
        for u in units {
            tx.exec(
                Query::new("insert into account_scope_units (account_id, unit_id) values ($1, $2)")
                    .bind(account)
                    .bind(*u),
            )
            .await
            .expect("choose");
        }
        tx.commit().await.expect("commit");
    }

    /// A client already signed in as `account` (session made directly; the
    /// sign-in flow itself is tested in `auth`).
    pub async fn as_account(&self, account: i64) -> Client<'_> {
        let now = self.state.clock.now();
        let mut tx = self.db().begin().await.expect("tx");
        let s = session::create(
            &mut tx,
            account,
            zhengyan::auth::model::Stage::Active,
            now,
            now.plus_minutes(600),
            "10.1.2.3",
            "test",
        )
        .await
        .expect("session");
        tx.commit().await.expect("commit");
        let mut c = Client::new(self);
        c.set_cookie("zy_session", &s.token);
        c.csrf = Some(s.csrf);
        c
    }

    /// Signs in through the real login form and returns the client.
    pub async fn sign_in(&self, username: &str, password: &str) -> (Client<'_>, super::Resp) {
        let mut c = Client::new(self);
        c.get("/login").await.assert_status(200);
        let r = c.post_form("/login", &[("username", username), ("password", password)]).await;
        // After sign-in the session's own token replaces the pre-sign-in one.
        c.csrf = None;
        (c, r)
    }
}
