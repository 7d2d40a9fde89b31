//! Operations: copy-db from SQLite to PostgreSQL, backup and restore, the
//! bulk generator, and the command line's exit codes.

use zhengyan::db::{Db, Query};

use crate::support::fixtures::PASSWORD;
use crate::support::{Kind, TestApp, fresh_pg_database, pg_base_url};

fn pg_url(db: &str) -> String {
    let base = pg_base_url();
    format!("{}/{db}", base.rsplit_once('/').map_or(base.as_str(), |(s, _)| s))
}

/// A SQLite app with some history: units, people with dates and flags, accounts, a session, an attachment, a merge.
async fn seeded() -> (TestApp, i64) {
    let app = TestApp::new(Kind::Sqlite).await;
    let t = app.tree().await;
    let sys = app.account("sys", t.root, &["sysadmin"]).await;
    app.account("wang", t.a, &["research_staff"]).await;
    let mut c = app.as_account(sys).await;
    c.post_form(
        "/org/people",
        &[
            ("name", "李华"),
            ("unit_id", &t.a.to_string()),
            ("birth_date", "1988-02-29"),
            ("party_member", "on"),
        ],
    )
    .await
    .assert_status(303);
    c.post_form(&format!("/org/units/{}/move", t.a1), &[("parent_id", &t.c1.to_string())])
        .await
        .assert_status(303);
    c.post_form(&format!("/org/units/{}/merge", t.b), &[("target_id", &t.c.to_string())])
        .await
        .assert_status(303);
    c.upload(
        "/attachments",
        "通知.txt",
        "关于开展调研的通知".as_bytes(),
        &[("owner_type", "unit"), ("owner_ref", &t.a.to_string()), ("back", "/home")],
    )
    .await
    .assert_status(303);
    (app, t.a)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copy_db_moves_every_table_to_postgres_and_the_copy_serves() {
    let (app, office) = seeded().await;
    // A repeated grassroots submission: its link to the first must survive too.
    let cp = app.unit(Some(office), "东街社区联系点", "contact_point").await;
    app.db()
        .exec(Query::new("insert into liaison_points (unit_id, kind, place, status, updated_at) values ($1, 'community', '东街', 'active', 0)").bind(cp))
        .await
        .unwrap();
    let liaison = app.account("dongjie", cp, &["contact_liaison"]).await;
    let mut l = app.as_account(liaison).await;
    for _ in 0..2 {
        let body = serde_json::json!({ "title": "东街积水", "description": "东街下雨就积水，商户进不了门，希望疏通排水。" });
        l.json(axum::http::Method::POST, "/api/v1/liaison/requests", &body).await.assert_status(201);
    }
    let target = fresh_pg_database().await;
    // The template is already migrated; copy-db must also accept a bare new database.
    let dst = Db::connect(&pg_url(&target), 4).await.unwrap();
    let copied = zhengyan::db::copy::copy(app.db(), &dst).await.unwrap();
    for (table, n) in &copied {
        let mut sql = zhengyan::db::Sql::new("select count(*) from ");
        sql.ident(table).unwrap();
        let at_source: i64 = app.db().scalar(sql.build()).await.unwrap();
        assert_eq!(at_source, *n, "{table}");
    }
    assert!(copied.iter().any(|(t, n)| *t == "audit_events" && *n > 5));
    let v = zhengyan::audit::store::verify(&dst, |_| {}).await.unwrap();
    assert_eq!(v.broken, None);
    let (birth, member): (Option<time::Date>, bool) =
        dst.one(Query::new("select birth_date, party_member from persons")).await.unwrap();
    assert_eq!((birth, member), (Some(time::macros::date!(1988 - 02 - 29)), true));
    let merged: Option<i64> =
        dst.scalar(Query::new("select merged_into from units where status = 'merged'")).await.unwrap();
    assert!(merged.is_some(), "self-references survive the copy");
    let dup: Option<i64> =
        dst.scalar(Query::new("select dup_of from liaison_cases where no = 'JC2026000002'")).await.unwrap();
    let first: i64 =
        dst.scalar(Query::new("select id from liaison_cases where no = 'JC2026000001'")).await.unwrap();
    assert_eq!(dup, Some(first), "the repeat still names the first");
    let kept: i64 =
        dst.scalar(Query::new("select sum(submitted) from liaison_tally where dim = 'point'")).await.unwrap();
    assert_eq!(kept, 2, "the loop's sums are rebuilt at the target");
    // SQLite held the two cases' band keys in memory; PostgreSQL has them in its table.
    let keys: i64 = dst.scalar(Query::new("select count(*) from liaison_bands")).await.unwrap();
    assert_eq!(keys, 2 * zhengyan::liaison::neardup::BANDS as i64);
    let point: Option<(String,)> = dst
        .opt(
            Query::new("select value from settings where key = $1")
                .bind(zhengyan::liaison::bands::FOLDED_KEY),
        )
        .await
        .unwrap();
    assert_eq!(point, None, "on PostgreSQL every case's keys are in the table");
    dst.close().await;
    // The copy is a working deployment: new rows get fresh ids, and people sign in.
    let config = zhengyan::config::Config {
        data_dir: app.dir.path().to_path_buf(),
        database_url: Some(zhengyan::config::Secret::new(pg_url(&target))),
        ..Default::default()
    };
    let db = Db::connect(&pg_url(&target), 4).await.unwrap();
    let state = zhengyan::app::AppState::new(
        config,
        db,
        zhengyan::clock::Clock::fixed(crate::support::t0(), time::macros::offset!(+8)),
    )
    .await
    .unwrap();
    let router = zhengyan::app::router(state.clone())
        .layer(axum::extract::connect_info::MockConnectInfo(std::net::SocketAddr::from(([10, 0, 0, 1], 1))));
    let pg = TestApp {
        state,
        router,
        kind: Kind::Postgres,
        dir: tempfile::tempdir().unwrap(),
        pg_db: Some(target),
    };
    let (mut c, r) = pg.sign_in("wang", PASSWORD).await;
    r.assert_status(303);
    c.get("/home").await.assert_status(200);
    let mut l = pg.as_account(liaison).await;
    let body = serde_json::json!({ "title": "东街积水", "description": "东街下雨就积水，商户进不了门，希望疏通排水。" });
    let r = l.json(axum::http::Method::POST, "/api/v1/liaison/requests", &body).await;
    r.assert_status(201);
    assert_eq!(r.json()["possible_duplicate_of"].as_i64(), Some(first), "found through the copied keys");
    let new_unit = pg.unit(Some(office), "复制后新建科", "section").await;
    let max_before: i64 = app.db().scalar(Query::new("select max(id) from units")).await.unwrap();
    assert!(new_unit > max_before, "identity sequences moved past the copied ids");
    let again = Db::connect(&pg_url(pg.pg_db.as_ref().unwrap()), 2).await.unwrap();
    assert!(zhengyan::db::copy::copy(app.db(), &again).await.is_err(), "a non-empty target is refused");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copy_db_knows_every_table_of_the_schema() {
    let app = TestApp::new(Kind::Sqlite).await;
    let tables: Vec<(String,)> = app
        .db()
        .all(Query::new("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '_sqlx%' order by name"))
        .await
        .unwrap();
    let mut schema: Vec<String> = tables.into_iter().map(|(t,)| t).collect();
    let mut listed: Vec<String> = zhengyan::db::copy::TABLES.iter().map(|(t, _)| t.to_string()).collect();
    listed.extend(zhengyan::db::copy::DERIVED.iter().map(|t| t.to_string()));
    schema.sort();
    listed.sort();
    assert_eq!(listed, schema, "db::copy::TABLES must list every table");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_restores_the_database_and_the_attachments() {
    let (app, _) = seeded().await;
    let zip = app.dir.path().join("backup.zip");
    zhengyan::ops::backup::backup(&app.state.config, app.db(), &zip, crate::support::t0()).await.unwrap();
    let restored_dir = tempfile::tempdir().unwrap();
    let config =
        zhengyan::config::Config { data_dir: restored_dir.path().to_path_buf(), ..Default::default() };
    zhengyan::ops::backup::restore(&config, &zip, false).await.unwrap();
    assert!(
        zhengyan::ops::backup::restore(&config, &zip, false).await.is_err(),
        "no overwrite without --force"
    );
    zhengyan::ops::backup::restore(&config, &zip, true).await.unwrap();
    let db = Db::connect(config.database_url().expose(), 2).await.unwrap();
    let units: i64 = db.scalar(Query::new("select count(*) from units")).await.unwrap();
    let original: i64 = app.db().scalar(Query::new("select count(*) from units")).await.unwrap();
    assert_eq!(units, original);
    let sha: String = db.scalar(Query::new("select sha from attachments")).await.unwrap();
    let blob = zhengyan::attachments::store::blob_path(&restored_dir.path().join("attachments"), &sha);
    assert_eq!(std::fs::read_to_string(blob).unwrap(), "关于开展调研的通知");
    let not_zip = app.dir.path().join("x.zip");
    std::fs::write(&not_zip, "not a zip").unwrap();
    assert!(zhengyan::ops::backup::restore(&config, &not_zip, true).await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gen_builds_a_scaled_city_with_a_valid_chain_and_refuses_a_used_database() {
    let dir = tempfile::tempdir().unwrap();
    let config = zhengyan::config::Config { data_dir: dir.path().to_path_buf(), ..Default::default() };
    let db = Db::connect(config.database_url().expose(), 4).await.unwrap();
    db.migrate().await.unwrap();
    zhengyan::demo::bulk::run(&config, &db, 0.05, 7, Some(30_000)).await.unwrap();
    let units: i64 = db.scalar(Query::new("select count(*) from units")).await.unwrap();
    assert!(units > 100);
    let v = zhengyan::audit::store::verify(&db, |_| {}).await.unwrap();
    assert_eq!(v.broken, None);
    assert!(v.checked >= 30_000);
    assert!(zhengyan::demo::bulk::run(&config, &db, 0.05, 7, Some(10)).await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_city_is_the_same_every_time() {
    let mut names = Vec::new();
    for _ in 0..2 {
        let app = TestApp::new(Kind::Sqlite).await;
        zhengyan::demo::seed(&app.state).await.unwrap().unwrap();
        let rows: Vec<(String, String)> = app.db().all(Query::new("select u.name, coalesce(a.username, '') from units u left join accounts a on a.unit_id = u.id order by u.id, a.id")).await.unwrap();
        names.push(rows);
    }
    assert_eq!(names[0], names[1]);
    let app = TestApp::new(Kind::Sqlite).await;
    zhengyan::demo::seed(&app.state).await.unwrap().unwrap();
    let count = |kind: &'static str| {
        app.db().scalar::<i64>(Query::new("select count(*) from units where kind = $1").bind(kind))
    };
    assert_eq!(count("contact_point").await.unwrap(), 382);
    assert_eq!(count("county").await.unwrap(), 12);
    assert_eq!(count("department").await.unwrap(), 30);
    let accounts: i64 = app.db().scalar(Query::new("select count(*) from accounts")).await.unwrap();
    assert!((280..=320).contains(&accounts), "{accounts} accounts");
    let roles: i64 =
        app.db().scalar(Query::new("select count(distinct role_id) from account_roles")).await.unwrap();
    assert_eq!(roles, 9, "every built-in role has a demo account");
    // The research year: topics in every colour but the plan's end, issues about monthly,
    // instructions with follow-ups done and open, a closed selection round.
    let n = |sql: &'static str| app.db().scalar::<i64>(Query::new(sql));
    assert_eq!(n("select count(*) from research_topics").await.unwrap(), 14);
    assert!(n("select count(distinct colour) from research_topics").await.unwrap() >= 2);
    assert!(
        (8..=11)
            .contains(&n("select count(*) from research_issues where state = 'published'").await.unwrap())
    );
    assert!(n("select count(*) from research_instructions where state = 'done'").await.unwrap() > 0);
    assert!(n("select count(*) from research_instructions where state = 'open'").await.unwrap() > 0);
    assert_eq!(n("select count(*) from research_rounds where state = 'closed'").await.unwrap(), 1);
    assert!(n("select count(*) from search_docs where kind = 'output'").await.unwrap() > 20);
}

fn zhengyan(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_zhengyan"))
        .args(args)
        .env("ZHENGYAN_DATA_DIR", dir)
        .env_remove("ZHENGYAN_DATABASE_URL")
        .output()
        .expect("run zhengyan")
}

#[test]
fn the_command_line_verifies_the_chain_and_names_the_first_broken_record() {
    let dir = tempfile::tempdir().unwrap();
    let out = zhengyan(
        dir.path(),
        &[
            "admin",
            "create",
            "--username",
            "admin",
            "--name",
            "系统管理员",
            "--role",
            "sysadmin",
            "--org-name",
            "中共云川市委",
        ],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("初始密码"));
    let ok = zhengyan(dir.path(), &["audit", "verify"]);
    assert!(ok.status.success());
    assert!(String::from_utf8_lossy(&ok.stdout).starts_with("审计链完整"));
    let db = dir.path().join("zhengyan.db");
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let db = Db::connect(&format!("sqlite://{}", db.display()), 2).await.unwrap();
        db.exec(Query::new("drop trigger audit_events_no_update")).await.unwrap();
        db.exec(Query::new("update audit_events set summary = '篡改' where seq = 2")).await.unwrap();
        db.close().await;
    });
    let broken = zhengyan(dir.path(), &["audit", "verify"]);
    assert_eq!(broken.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&broken.stderr).contains("第 2 条"),
        "{}",
        String::from_utf8_lossy(&broken.stderr)
    );
}

#[test]
fn an_unknown_setting_stops_the_server_from_starting() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_zhengyan"))
        .args(["migrate"])
        .env("ZHENGYAN_DATA_DIR", dir.path())
        .env("ZHENGYAN_LISEN", "0.0.0.0:80")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("lisen"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_served_node_copies_the_log_back_into_the_file_beside_the_writer() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("z.db");
    let db = Db::connect(&format!("sqlite://{}", path.display()), 2).await.unwrap();
    db.migrate().await.unwrap();
    let size = || std::fs::metadata(&path).unwrap().len();
    let wal = || std::fs::metadata(path.with_extension("db-wal")).map(|m| m.len()).unwrap_or(0);
    let before = size();
    // Two megabytes in one transaction: far below the writer's own threshold,
    // so only the checkpointer can move it into the file.
    let mut tx = db.begin().await.unwrap();
    for i in 0..200 {
        tx.exec(
            Query::new("insert into settings (key, value, updated_at) values ($1, $2, 0)")
                .bind(format!("fill.{i}"))
                .bind("字".repeat(3500)),
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    assert!(wal() > 2_000_000, "the rows are in the log");
    assert_eq!(size(), before, "and not yet in the file");
    db.spawn_checkpointer();
    let mut waited = 0;
    while size() < before + 2_000_000 && waited < 100 {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        waited += 1;
    }
    assert!(size() >= before + 2_000_000, "the checkpointer copied the log into the file");
}
