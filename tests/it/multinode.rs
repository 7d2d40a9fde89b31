//! Several app nodes against one PostgreSQL serve the same people: sessions,
//! lockouts and the audit chain live in the database.

use std::net::SocketAddr;

use axum::extract::connect_info::MockConnectInfo;
use zhengyan::app::AppState;
use zhengyan::clock::Clock;
use zhengyan::config::{Config, Secret};
use zhengyan::db::{Db, Query};

use crate::support::fixtures::PASSWORD;
use crate::support::{Client, Kind, TestApp, t0};

/// A second node: its own state, pools and router, on the first node's database.
async fn second_node(first: &TestApp) -> TestApp {
    let url = first.state.config.database_url().expose().to_string();
    let db = Db::connect(&url, 4).await.expect("connect");
    let config = Config {
        data_dir: first.dir.path().to_path_buf(),
        database_url: Some(Secret::new(url)),
        ..Config::default()
    };
    let state =
        AppState::new(config, db, Clock::fixed(t0(), time::macros::offset!(+8))).await.expect("state");
    let router =
        zhengyan::app::router(state.clone()).layer(MockConnectInfo(SocketAddr::from(([10, 9, 9, 9], 1))));
    TestApp { state, router, kind: Kind::Postgres, dir: tempfile::tempdir().expect("dir"), pg_db: None }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_signed_in_on_one_node_continues_on_another() {
    let a = TestApp::new(Kind::Postgres).await;
    let t = a.tree().await;
    use zhengyan::authz::{Action, Module, ScopeKind};
    let role = a
        .role(
            "org_editor",
            &[(Module::Org, Action::Read, ScopeKind::All), (Module::Org, Action::Write, ScopeKind::All)],
        )
        .await;
    a.account("wang", t.a, &[&role]).await;
    let b = second_node(&a).await;
    let (mut on_a, r) = a.sign_in("wang", PASSWORD).await;
    r.assert_status(303);
    let page = on_a.get("/home").await;
    let csrf = page.attrs("meta[name=csrf-token]", "content").remove(0);
    let mut on_b = Client::new(&b);
    on_b.set_cookie("zy_session", on_a.cookie("zy_session").unwrap());
    on_b.csrf = Some(csrf);
    on_b.get("/home").await.assert_status(200);
    on_b.post_form(
        "/org/units",
        &[("name", "二号节点新建科"), ("kind", "section"), ("parent_id", &t.a.to_string())],
    )
    .await
    .assert_status(303);
    let page = on_a.get("/org/units?q=二号节点").await;
    assert_eq!(page.select("#units tbody tr").len(), 1, "node A sees node B's write");
    // Sign out on B ends the session on A too.
    on_b.post_form("/logout", &[]).await.assert_status(303);
    on_a.get("/home").await.assert_status(303);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lock_set_on_one_node_holds_on_the_other() {
    let a = TestApp::new(Kind::Postgres).await;
    let t = a.tree().await;
    a.account("wang", t.a, &["research_staff"]).await;
    let b = second_node(&a).await;
    for i in 0..5 {
        let node = if i % 2 == 0 { &a } else { &b };
        node.sign_in("wang", "Wrong#2026x").await.1.assert_status(422);
    }
    b.sign_in("wang", PASSWORD).await.1.assert_status(422);
    a.sign_in("wang", PASSWORD).await.1.assert_status(422);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn writes_from_two_nodes_at_once_form_one_unbroken_chain() {
    let a = TestApp::new(Kind::Postgres).await;
    let t = a.tree().await;
    let admin = a.account("adm", t.root, &["sysadmin"]).await;
    let b = second_node(&a).await;
    let mut tasks = Vec::new();
    for (n, node) in [(0, a.state.clone()), (1, b.state.clone())] {
        let parent = t.a;
        tasks.push(tokio::spawn(async move {
            let who = zhengyan::authz::Principal::load(&node.db, admin).await.unwrap().unwrap();
            for i in 0..25 {
                let caller = zhengyan::app::Caller {
                    state: &node,
                    who: &who,
                    actor: zhengyan::audit::Actor {
                        id: Some(admin),
                        name: "adm".into(),
                        ip: format!("node{n}"),
                    },
                    now: node.clock.now(),
                };
                let input = zhengyan::org::units::model::UnitInput {
                    name: format!("节点{n}科室{i}"),
                    kind: "section".into(),
                    parent_id: parent.to_string(),
                    ..Default::default()
                };
                zhengyan::org::units::actions::create(&caller, &input).await.unwrap();
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let v = zhengyan::audit::store::verify(a.db(), |_| {}).await.unwrap();
    assert_eq!(v.broken, None);
    let created: i64 = a
        .db()
        .scalar(Query::new("select count(*) from audit_events where action = 'unit.create'"))
        .await
        .unwrap();
    assert_eq!(created, 50);
}
