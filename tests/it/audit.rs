//! The audit trail: same transaction as the change, SM3 chain, tamper
//! detection, auditor-only access.

use zhengyan::audit::model::Break;
use zhengyan::audit::store::verify;
use zhengyan::db::Query;

use crate::both;
use crate::support::{Kind, TestApp};

/// Plays an attacker with database access: the append-only guard comes off first.
async fn drop_guards(app: &TestApp) {
    let stmts: &[&'static str] = match app.kind {
        Kind::Sqlite => &["drop trigger audit_events_no_update", "drop trigger audit_events_no_delete"],
        Kind::Postgres => &["alter table audit_events disable trigger user"],
    };
    for s in stmts {
        app.db().exec(Query::new(s)).await.expect("drop guard");
    }
}

/// Makes some audited changes through the web.
async fn history(app: &TestApp) -> i64 {
    let t = app.tree().await;
    let admin = app.account("adm", t.root, &["sysadmin"]).await;
    let mut c = app.as_account(admin).await;
    for name in ["一科", "二科", "三科", "四科"] {
        c.post_form("/org/units", &[("name", name), ("kind", "section"), ("parent_id", &t.a.to_string())])
            .await
            .assert_status(303);
    }
    zhengyan::audit::store::head_seq(app.db()).await.unwrap()
}

both! {
    async fn an_intact_chain_verifies_and_the_command_line_agrees(kind: Kind) {
        let app = TestApp::new(kind).await;
        let head = history(&app).await;
        assert!(head >= 4);
        let v = verify(app.db(), |_| {}).await.unwrap();
        assert_eq!(v.broken, None);
        assert_eq!(v.checked as i64, head);
    }
}

both! {
    async fn the_trail_refuses_updates_and_deletes(kind: Kind) {
        let app = TestApp::new(kind).await;
        history(&app).await;
        assert!(app.db().exec(Query::new("update audit_events set summary = 'x' where seq = 1")).await.is_err());
        assert!(app.db().exec(Query::new("delete from audit_events where seq = 1")).await.is_err());
    }
}

both! {
    async fn an_edited_record_is_named(kind: Kind) {
        let app = TestApp::new(kind).await;
        history(&app).await;
        drop_guards(&app).await;
        app.db().exec(Query::new("update audit_events set summary = '无事发生' where seq = 3")).await.unwrap();
        let v = verify(app.db(), |_| {}).await.unwrap();
        assert_eq!(v.broken, Some(Break::Hash { seq: 3 }));
    }
}

both! {
    async fn a_deleted_record_is_named(kind: Kind) {
        let app = TestApp::new(kind).await;
        history(&app).await;
        drop_guards(&app).await;
        app.db().exec(Query::new("delete from audit_events where seq = 2")).await.unwrap();
        assert_eq!(verify(app.db(), |_| {}).await.unwrap().broken, Some(Break::Gap { expected: 2, found: 3 }));
    }
}

both! {
    async fn a_deleted_last_record_is_named(kind: Kind) {
        let app = TestApp::new(kind).await;
        let head = history(&app).await;
        drop_guards(&app).await;
        app.db().exec(Query::new("delete from audit_events where seq = $1").bind(head)).await.unwrap();
        assert_eq!(verify(app.db(), |_| {}).await.unwrap().broken, Some(Break::Head { head_seq: head, last_seq: head - 1 }));
    }
}

both! {
    async fn an_inserted_record_is_named(kind: Kind) {
        let app = TestApp::new(kind).await;
        let head = history(&app).await;
        drop_guards(&app).await;
        // Make room at seq 3 and slip in a record with a plausible hash.
        app.db().exec(Query::new("update audit_events set seq = seq + 1000 where seq >= 3")).await.unwrap();
        app.db().exec(Query::new("update audit_events set seq = seq - 999 where seq >= 1003")).await.unwrap();
        let prev: String = app.db().scalar(Query::new("select hash from audit_events where seq = 2")).await.unwrap();
        let mut forged = zhengyan::audit::model::Record {
            seq: 3, at: crate::support::t0(), actor_id: None, actor_name: "ghost".into(), ip: String::new(),
            action: "account.create".into(), object_type: "account".into(), object_id: "99".into(),
            summary: "新增账户".into(), before_data: None, after_data: None, hash: String::new(),
        };
        forged.hash = zhengyan::audit::model::chain_hash(&prev, &forged);
        app.db().exec(
            Query::new("insert into audit_events (seq, at, actor_id, actor_name, ip, action, object_type, object_id, summary, hash) \
                        values (3, $1, null, 'ghost', '', 'account.create', 'account', '99', '新增账户', $2)")
                .bind(forged.at).bind(forged.hash.clone()),
        ).await.unwrap();
        app.db().exec(Query::new("update audit_head set seq = $1 where id = 1").bind(head + 1)).await.unwrap();
        assert_eq!(verify(app.db(), |_| {}).await.unwrap().broken, Some(Break::Hash { seq: 4 }), "the record after the forgery breaks");
    }
}

both! {
    async fn reordered_records_are_named(kind: Kind) {
        let app = TestApp::new(kind).await;
        history(&app).await;
        drop_guards(&app).await;
        app.db().exec(Query::new("update audit_events set seq = -1 where seq = 2")).await.unwrap();
        app.db().exec(Query::new("update audit_events set seq = 2 where seq = 3")).await.unwrap();
        app.db().exec(Query::new("update audit_events set seq = 3 where seq = -1")).await.unwrap();
        assert_eq!(verify(app.db(), |_| {}).await.unwrap().broken, Some(Break::Hash { seq: 2 }));
    }
}

both! {
    async fn a_refused_write_leaves_neither_a_change_nor_an_audit_record(kind: Kind) {
        let app = TestApp::new(kind).await;
        let t = app.tree().await;
        let admin = app.account("adm", t.root, &["sysadmin"]).await;
        let mut c = app.as_account(admin).await;
        let before = zhengyan::audit::store::head_seq(app.db()).await.unwrap();
        // A duplicate name among siblings is refused after validation passed.
        c.post_form("/org/units", &[("name", "综合科"), ("kind", "section"), ("parent_id", &t.a.to_string())]).await.assert_status(422);
        assert_eq!(zhengyan::audit::store::head_seq(app.db()).await.unwrap(), before);
        let units: i64 = app.db().scalar(Query::new("select count(*) from units where name = '综合科'")).await.unwrap();
        assert_eq!(units, 1);
    }
}

both! {
    async fn a_write_and_its_record_share_one_transaction(kind: Kind) {
        let app = TestApp::new(kind).await;
        let t = app.tree().await;
        let admin = app.account("adm", t.root, &["sysadmin"]).await;
        let mut c = app.as_account(admin).await;
        c.post_form("/org/units", &[("name", "新科室"), ("kind", "section"), ("parent_id", &t.a.to_string())]).await.assert_status(303);
        let (object, actor, ip, after): (String, String, String, Option<String>) = app
            .db()
            .one(Query::new("select object_id, actor_name, ip, after_data from audit_events where action = 'unit.create' order by seq desc limit 1"))
            .await
            .unwrap();
        let id: i64 = app.db().scalar(Query::new("select id from units where name = '新科室'")).await.unwrap();
        assert_eq!(object, id.to_string());
        assert_eq!(actor, "adm");
        assert_eq!(ip, "10.1.2.3");
        assert!(after.unwrap().contains("新科室"));
    }
}

both! {
    async fn only_the_auditor_reads_the_trail_and_the_auditor_reads_nothing_else(kind: Kind) {
        let app = TestApp::new(kind).await;
        history(&app).await;
        let root: i64 = app.db().scalar(Query::new("select id from units where parent_id is null")).await.unwrap();
        let auditor = app.account("aud", root, &["auditor"]).await;
        let sys = app.account("sys2", root, &["sysadmin"]).await;
        let sec = app.account("sec", root, &["secadmin"]).await;
        let leader = app.account("boss", root, &["leader"]).await;
        for who in [sys, sec, leader] {
            let mut c = app.as_account(who).await;
            c.get("/audit").await.assert_status(403);
            c.get("/audit/export").await.assert_status(403);
            c.get("/api/v1/audit").await.assert_status(403);
        }
        let mut a = app.as_account(auditor).await;
        let page = a.get("/audit?action=unit.").await;
        page.assert_status(200);
        assert!(page.select("#audit tbody tr").len() >= 4);
        for path in ["/org/units", "/org/people", "/admin/accounts", "/admin/roles", "/admin/logins", "/admin/dicts", "/api/v1/units"] {
            a.get(path).await.assert_status(403);
        }
        let xlsx = a.get("/audit/export?action=unit.").await;
        xlsx.assert_status(200);
        assert_eq!(&xlsx.bytes[..2], b"PK");
        let exported: i64 = app.db().scalar(Query::new("select count(*) from audit_events where action = 'export.audit'")).await.unwrap();
        assert_eq!(exported, 1, "the export is itself audited");
        let verified = a.post_form("/audit/verify", &[]).await;
        verified.assert_status(200);
        assert!(verified.select("#verify-result")[0].starts_with("校验通过"));
    }
}

both! {
    async fn searches_by_actor_without_dates_cover_the_last_ninety_days(kind: Kind) {
        let app = TestApp::new(kind).await;
        history(&app).await;
        let root: i64 = app.db().scalar(Query::new("select id from units where parent_id is null")).await.unwrap();
        let auditor = app.account("aud", root, &["auditor"]).await;
        // An old record, a year back, by the same actor.
        let mut tx = app.db().begin().await.unwrap();
        let old = zhengyan::audit::Event::new("unit.update", "unit", 1).summary("一年前的修改");
        let actor = zhengyan::audit::Actor { id: None, name: "adm".into(), ip: String::new() };
        zhengyan::audit::append(&mut tx, crate::support::t0().plus_minutes(-365 * 24 * 60), &actor, &old).await.unwrap();
        tx.commit().await.unwrap();
        let mut a = app.as_account(auditor).await;
        let recent = a.get("/audit?actor=adm").await;
        recent.assert_status(200);
        assert!(recent.select(".flash-warn")[0].contains("近90天"));
        assert!(!recent.text().contains("一年前的修改"));
        let all = a.get("/audit?actor=adm&from=2025-01-01").await;
        assert!(all.text().contains("一年前的修改"), "dates widen the search");
        assert!(all.select(".flash-warn").is_empty());
    }
}
