//! The organisation tree and people: add, move with the subtree, disable,
//! merge, export, and the messages people see when something is refused.

use axum::http::Method;
use zhengyan::db::Query;

use crate::both;
use crate::support::TestApp;

async fn path_of(app: &TestApp, id: i64) -> (String, i64, Option<i64>) {
    app.db().one(Query::new("select path, depth, parent_id from units where id = $1").bind(id)).await.unwrap()
}

both! {
    async fn moving_a_unit_carries_its_whole_subtree(kind: Kind) {
        let app = TestApp::new(kind).await;
        let t = app.tree().await;
        let deep = app.unit(Some(t.a1), "综合科一组", "other").await;
        let admin = app.account("adm", t.root, &["sysadmin"]).await;
        let mut c = app.as_account(admin).await;
        c.post_form(&format!("/org/units/{}/move", t.a), &[("parent_id", &t.c1.to_string())]).await.assert_status(303);
        let (c1_path, c1_depth, _) = path_of(&app, t.c1).await;
        let (a_path, a_depth, a_parent) = path_of(&app, t.a).await;
        assert_eq!(a_parent, Some(t.c1));
        assert_eq!(a_path, format!("{c1_path}{}/", t.a));
        assert_eq!(a_depth, c1_depth + 1);
        let (deep_path, deep_depth, _) = path_of(&app, deep).await;
        assert_eq!(deep_path, format!("{a_path}{}/{deep}/", t.a1));
        assert_eq!(deep_depth, a_depth + 2);
        let (b_path, _, _) = path_of(&app, t.b).await;
        assert_eq!(b_path, format!("/{}/{}/", t.root, t.b), "others stay put");
    }
}

both! {
    async fn a_unit_cannot_move_under_its_own_descendant(kind: Kind) {
        let app = TestApp::new(kind).await;
        let t = app.tree().await;
        let admin = app.account("adm", t.root, &["sysadmin"]).await;
        let mut c = app.as_account(admin).await;
        let r = c.post_form(&format!("/org/units/{}/move", t.a), &[("parent_id", &t.a1.to_string())]).await;
        r.assert_status(422);
        assert_eq!(r.select("#e-parent_id"), vec!["不能移动到本单位或其下级单位之下"]);
        assert_eq!(path_of(&app, t.a).await.2, Some(t.root));
    }
}

both! {
    async fn bad_unit_input_is_answered_beside_each_field(kind: Kind) {
        let app = TestApp::new(kind).await;
        let t = app.tree().await;
        let admin = app.account("adm", t.root, &["sysadmin"]).await;
        let mut c = app.as_account(admin).await;
        let r = c.post_form("/org/units", &[("name", ""), ("kind", "nonsense"), ("parent_id", "abc"), ("sort_order", "-5")]).await;
        r.assert_status(422);
        assert_eq!(r.select("#e-name"), vec!["此项为必填项"]);
        assert_eq!(r.select("#e-parent_id"), vec!["请选择有效的选项"]);
        assert_eq!(r.select("#e-sort_order"), vec!["请输入0到1000000之间的整数"]);
        let r = c.post_form("/org/units", &[("name", "新科"), ("kind", "nonsense"), ("parent_id", &t.a.to_string())]).await;
        assert_eq!(r.select("#e-kind"), vec!["请选择有效的机构类型"]);
        let api = c.json(Method::POST, "/api/v1/units", &serde_json::json!({"name": "", "kind": "section", "parent_id": "1"})).await;
        api.assert_status(422);
        assert_eq!(api.json()["error"]["fields"]["name"], "此项为必填项");
        assert_eq!(api.json()["error"]["code"], "invalid");
    }
}

both! {
    async fn a_unit_with_active_accounts_cannot_be_disabled(kind: Kind) {
        let app = TestApp::new(kind).await;
        let t = app.tree().await;
        let admin = app.account("adm", t.root, &["sysadmin"]).await;
        app.account("clerk", t.c1, &["unit_liaison"]).await;
        let mut c = app.as_account(admin).await;
        let r = c.post_form(&format!("/org/units/{}/disable", t.c1), &[]).await;
        r.assert_status(303);
        let page = c.get(&r.location()).await;
        assert_eq!(page.select(".flash-error"), vec!["该单位还有1个启用的账户，请先停用或调整这些账户"]);
        let r = c.post_form(&format!("/org/units/{}/disable", t.c), &[]).await;
        let page = c.get(&r.location()).await;
        assert_eq!(page.select(".flash-error"), vec!["该单位还有1个正常的下级单位，请先停用或调整下级单位"]);
        c.post_form(&format!("/org/units/{}/disable", t.a1), &[]).await.assert_status(303);
        let status: String = app.db().scalar(Query::new("select status from units where id = $1").bind(t.a1)).await.unwrap();
        assert_eq!(status, "disabled");
        let api = c.json(Method::POST, &format!("/api/v1/units/{}/disable", t.c1), &serde_json::json!({})).await;
        api.assert_status(409);
        assert!(api.json()["error"]["message"].as_str().unwrap().contains("启用的账户"));
    }
}

both! {
    async fn merging_moves_children_people_and_accounts_to_the_target(kind: Kind) {
        let app = TestApp::new(kind).await;
        let t = app.tree().await;
        let admin = app.account("adm", t.root, &["sysadmin"]).await;
        let clerk = app.account("clerk", t.a, &["research_staff"]).await;
        let mut tx = app.db().begin().await.unwrap();
        tx.exec(Query::new("insert into persons (unit_id, name, status, created_at, updated_at) values ($1, '王明', 'active', 0, 0)").bind(t.a)).await.unwrap();
        tx.commit().await.unwrap();
        let mut c = app.as_account(admin).await;
        c.post_form(&format!("/org/units/{}/merge", t.a), &[("target_id", &t.b.to_string())]).await.assert_status(303);
        let (status, into): (String, Option<i64>) = app.db().one(Query::new("select status, merged_into from units where id = $1").bind(t.a)).await.unwrap();
        assert_eq!((status.as_str(), into), ("merged", Some(t.b)));
        assert_eq!(path_of(&app, t.a1).await.2, Some(t.b), "the child moved");
        let unit_of_clerk: i64 = app.db().scalar(Query::new("select unit_id from accounts where id = $1").bind(clerk)).await.unwrap();
        assert_eq!(unit_of_clerk, t.b);
        let people: i64 = app.db().scalar(Query::new("select count(*) from persons where unit_id = $1").bind(t.b)).await.unwrap();
        assert_eq!(people, 1);
        let r = c.post_form(&format!("/org/units/{}/merge", t.c), &[("target_id", &t.c1.to_string())]).await;
        assert_eq!(r.select("#e-target_id"), vec!["不能并入本单位的下级单位"]);
    }
}

both! {
    async fn the_unit_ledger_exports_the_rows_in_scope(kind: Kind) {
        use calamine::{Reader, Xlsx};
        let app = TestApp::new(kind).await;
        let t = app.tree().await;
        let admin = app.account("adm", t.root, &["sysadmin"]).await;
        let mut c = app.as_account(admin).await;
        let r = c.get("/org/units/export").await;
        r.assert_status(200);
        assert!(r.headers.get("content-disposition").unwrap().to_str().unwrap().contains("UTF-8''%E7%BB%84%E7%BB%87%E6%9C%BA%E6%9E%84.xlsx"));
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(r.bytes.clone())).unwrap();
        let range = book.worksheet_range("组织机构").unwrap();
        let header: Vec<String> = range.rows().next().unwrap().iter().map(|c| c.to_string()).collect();
        assert_eq!(header, ["序号", "单位名称", "简称", "机构代码", "机构类型", "上级单位", "层级", "状态", "备注"]);
        assert_eq!(range.rows().count(), 7, "header and six units");
        let exported: i64 = app.db().scalar(Query::new("select count(*) from audit_events where action = 'export.units'")).await.unwrap();
        assert_eq!(exported, 1);
    }
}

both! {
    async fn people_are_recorded_with_branch_mentoring_and_postings(kind: Kind) {
        let app = TestApp::new(kind).await;
        let t = app.tree().await;
        let admin = app.account("adm", t.root, &["sysadmin"]).await;
        let mut c = app.as_account(admin).await;
        c.post_form("/org/branches", &[("name", "市委政研室党支部"), ("unit_id", &t.a.to_string())]).await.assert_status(303);
        let branch: i64 = app.db().scalar(Query::new("select id from party_branches")).await.unwrap();
        let r = c.post_form("/org/people", &[("name", "李华"), ("unit_id", &t.a.to_string()), ("cadre_level", "township"), ("branch_id", &branch.to_string())]).await;
        assert_eq!(r.select("#e-branch_id"), vec!["非党员不能编入党支部"]);
        let r = c.post_form("/org/people", &[("name", "李华"), ("unit_id", &t.a.to_string()), ("cadre_level", "township"), ("party_member", "on"), ("branch_id", &branch.to_string()), ("birth_date", "1990年5月3日")]).await;
        r.assert_status(303);
        let mentor: i64 = r.location().rsplit('/').next().unwrap().parse().unwrap();
        let r = c.post_form("/org/people", &[("name", "赵敏"), ("unit_id", &t.a1.to_string())]).await;
        let mentee: i64 = r.location().rsplit('/').next().unwrap().parse().unwrap();
        c.post_form(&format!("/org/people/{mentor}/mentoring"), &[("mentee_id", &mentee.to_string()), ("started_on", "2026-03-01")]).await.assert_status(303);
        let r = c.post_form(&format!("/org/people/{mentor}/postings"), &[("kind", "secondment"), ("to_unit_id", &t.c1.to_string()), ("started_on", "2026-05-01"), ("ended_on", "2026-04-01")]).await;
        assert_eq!(r.select("#e-ended_on"), vec!["结束日期不能早于开始日期"]);
        c.post_form(&format!("/org/people/{mentor}/postings"), &[("kind", "secondment"), ("to_unit_id", &t.c1.to_string()), ("started_on", "2026-05-01")]).await.assert_status(303);
        let page = c.get(&format!("/org/people/{mentor}")).await;
        let text = page.text();
        assert!(text.contains("1990-05-03") && text.contains("赵敏") && text.contains("挂职锻炼") && text.contains("城关街道"), "{}", page.select("main").join(" "));
        let api = c.get(&format!("/api/v1/people/{mentor}")).await.json();
        assert_eq!(api["pairs"].as_array().unwrap().len(), 1);
        assert_eq!(api["postings"][0]["kind"], "secondment");
        assert_eq!(api["birth_date"], "1990-05-03");
    }
}
