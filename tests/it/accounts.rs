//! Accounts, grants and three-role separation; API tokens.

use axum::http::Method;
use zhengyan::db::Query;

use crate::both;
use crate::support::TestApp;

both! {
    async fn the_system_admin_creates_an_account_that_has_no_role_until_the_security_admin_grants_one(kind: Kind) {
        let app = TestApp::new(kind).await;
        let t = app.tree().await;
        let sys = app.account("sys", t.root, &["sysadmin"]).await;
        let sec = app.account("sec", t.root, &["secadmin"]).await;
        let mut s = app.as_account(sys).await;
        let r = s.post_form("/admin/accounts", &[("username", "Zhou.Li"), ("display_name", "周丽"), ("unit_id", &t.a.to_string())]).await;
        r.assert_status(200);
        let shown = r.select("#shown-password")[0].clone();
        assert_eq!(shown.chars().count(), 16, "a generated initial password, shown once");
        let id: i64 = app.db().scalar(Query::new("select id from accounts where username = 'zhou.li'")).await.unwrap();
        let roles: i64 = app.db().scalar(Query::new("select count(*) from account_roles where account_id = $1").bind(id)).await.unwrap();
        assert_eq!(roles, 0);
        let dup = s.post_form("/admin/accounts", &[("username", "zhou.li"), ("display_name", "周丽"), ("unit_id", &t.a.to_string())]).await;
        assert_eq!(dup.select("#e-username"), vec!["该用户名已被使用"]);
        // The system admin cannot grant.
        s.post_form(&format!("/admin/grants/{id}"), &[("roles", "1")]).await.assert_status(403);
        s.get("/admin/roles").await.assert_status(403);
        let research: i64 = app.db().scalar(Query::new("select id from roles where code = 'research_staff'")).await.unwrap();
        let mut g = app.as_account(sec).await;
        g.post_form(&format!("/admin/grants/{id}"), &[("roles", &research.to_string())]).await.assert_status(303);
        let held: i64 = app.db().scalar(Query::new("select role_id from account_roles where account_id = $1").bind(id)).await.unwrap();
        assert_eq!(held, research);
        let (mut c, r) = app.sign_in("zhou.li", &shown).await;
        assert_eq!(r.location(), "/account/password", "the initial password must be changed");
        c.get("/home").await.assert_status(303);
        let logged: i64 = app.db().scalar(Query::new("select count(*) from audit_events where action in ('account.create', 'account.grants')")).await.unwrap();
        assert!(logged >= 2);
    }
}

both! {
    async fn an_administrator_role_is_never_combined_with_another(kind: Kind) {
        let app = TestApp::new(kind).await;
        let t = app.tree().await;
        let sec = app.account("sec", t.root, &["secadmin"]).await;
        let target = app.account("wang", t.a, &["research_staff"]).await;
        let ids: Vec<(String, i64)> = app.db().all(Query::new("select code, id from roles")).await.unwrap();
        let id = |code: &str| ids.iter().find(|(c, _)| c == code).unwrap().1.to_string();
        let mut g = app.as_account(sec).await;
        let r = g.post_form(&format!("/admin/grants/{target}"), &[("roles", &id("research_staff")), ("roles", &id("auditor"))]).await;
        let page = g.get(&r.location()).await;
        assert_eq!(page.select(".flash-error"), vec!["三员分立：系统管理员、安全管理员、审计管理员角色不能与其他角色同时授予同一账户"]);
        let api = g.json(Method::PUT, &format!("/api/v1/accounts/{target}/grants"), &serde_json::json!({"roles": [id("sysadmin").parse::<i64>().unwrap(), id("leader").parse::<i64>().unwrap()]})).await;
        api.assert_status(422);
        // Nobody grants to themselves.
        let r = g.post_form(&format!("/admin/grants/{sec}"), &[("roles", &id("sysadmin"))]).await;
        let page = g.get(&r.location()).await;
        assert_eq!(page.select(".flash-error"), vec!["三员分立：不能给本人账户授权"]);
    }
}

both! {
    async fn the_system_admin_cannot_touch_administrator_accounts(kind: Kind) {
        let app = TestApp::new(kind).await;
        let t = app.tree().await;
        let sys = app.account("sys", t.root, &["sysadmin"]).await;
        let aud = app.account("aud", t.root, &["auditor"]).await;
        let sec = app.account("sec", t.root, &["secadmin"]).await;
        let mut s = app.as_account(sys).await;
        s.post_form(&format!("/admin/accounts/{aud}/disable"), &[]).await.assert_status(403);
        s.post_form(&format!("/admin/accounts/{aud}/reset-password"), &[]).await.assert_status(403);
        s.post_form(&format!("/admin/accounts/{sys}/disable"), &[]).await.assert_status(403);
        // The security admin may, except on their own account; the auditor's sessions end.
        let mut auditor = app.as_account(aud).await;
        auditor.get("/audit").await.assert_status(200);
        let mut g = app.as_account(sec).await;
        let r = g.post_form(&format!("/admin/accounts/{sec}/disable"), &[]).await;
        let page = g.get(&r.location()).await;
        assert_eq!(page.select(".flash-error"), vec!["不能对本人账户执行此操作，请在“账户安全”中维护"]);
        g.post_form(&format!("/admin/accounts/{aud}/disable"), &[]).await.assert_status(303);
        auditor.get("/audit").await.assert_status(303);
    }
}

both! {
    async fn a_custom_role_is_limited_to_business_modules(kind: Kind) {
        let app = TestApp::new(kind).await;
        let t = app.tree().await;
        let sec = app.account("sec", t.root, &["secadmin"]).await;
        let mut g = app.as_account(sec).await;
        let r = g.post_form("/admin/roles", &[("code", "county_audit"), ("name", "县区审计"), ("g.audit.read", "all")]).await;
        r.assert_status(422);
        assert!(r.select(".flash-error")[0].contains("三员分立"));
        let r = g.post_form("/admin/roles", &[("code", "county_people"), ("name", "县区人事"), ("g.people.read", "subtree"), ("g.people.write", "unit")]).await;
        r.assert_status(303);
        let builtin: i64 = app.db().scalar(Query::new("select id from roles where code = 'leader'")).await.unwrap();
        let r = g.post_form(&format!("/admin/roles/{builtin}"), &[("name", "领导"), ("g.audit.read", "all")]).await;
        let page = g.get(&r.location()).await;
        assert!(page.select(".flash-error")[0].contains("内置角色"));
    }
}

both! {
    async fn an_api_token_acts_with_its_accounts_permissions_until_revoked(kind: Kind) {
        let app = TestApp::new(kind).await;
        let t = app.tree().await;
        let id = app.account("liaison", t.c, &["unit_liaison"]).await;
        let mut c = app.as_account(id).await;
        let r = c.post_form("/account/tokens", &[("name", "县区报送接口"), ("days", "30")]).await;
        r.assert_status(200);
        let token = r.select("#new-token")[0].clone();
        assert!(token.starts_with("zyt_"));
        let stored: String = app.db().scalar(Query::new("select token_hash from api_tokens")).await.unwrap();
        assert_ne!(stored, token, "only a hash is stored");
        let mut m = app.anon();
        m.bearer = Some(token.clone());
        let me = m.get("/api/v1/me").await;
        me.assert_status(200);
        assert_eq!(me.json()["username"], "liaison");
        let units = m.get("/api/v1/units?status=all").await.json();
        let names: Vec<&str> = units["items"].as_array().unwrap().iter().map(|u| u["name"].as_str().unwrap()).collect();
        assert_eq!(names, vec!["临江区", "城关街道"], "the liaison's subtree only");
        // No CSRF needed with a token, and no cookie is involved.
        m.json(Method::POST, "/api/v1/units", &serde_json::json!({"name": "x", "kind": "section", "parent_id": t.c.to_string()})).await.assert_status(403);
        let tid: i64 = app.db().scalar(Query::new("select id from api_tokens")).await.unwrap();
        c.post_form(&format!("/account/tokens/{tid}/revoke"), &[]).await.assert_status(303);
        m.get("/api/v1/me").await.assert_status(401);
        m.bearer = Some("zyt_forged".into());
        let bad = m.get("/api/v1/me").await;
        bad.assert_status(401);
        assert_eq!(bad.json()["error"]["code"], "unauthorized");
        app.advance_minutes(0);
    }
}

both! {
    async fn administrators_get_no_api_tokens(kind: Kind) {
        let app = TestApp::new(kind).await;
        let t = app.tree().await;
        let sys = app.account("sys", t.root, &["sysadmin"]).await;
        let mut c = app.as_account(sys).await;
        let r = c.post_form("/account/tokens", &[("name", "x"), ("days", "30")]).await;
        let page = c.get(&r.location()).await;
        assert_eq!(page.select(".flash-error"), vec!["管理员账户需双因素登录，不能创建接口令牌"]);
    }
}

both! {
    async fn dictionaries_are_data_the_system_admin_edits(kind: Kind) {
        let app = TestApp::new(kind).await;
        let t = app.tree().await;
        let sys = app.account("sys", t.root, &["sysadmin"]).await;
        let staff = app.account("staff", t.a, &["research_staff"]).await;
        let mut s = app.as_account(sys).await;
        let r = s.post_form("/admin/dicts/reform_source/items", &[("code", "county"), ("label", "县级部署"), ("sort_order", "35"), ("enabled", "on")]).await;
        r.assert_status(303);
        let dup = s.post_form("/admin/dicts/reform_source/items", &[("code", "county"), ("label", "重复")]).await;
        assert_eq!(dup.select("#e-code"), vec!["该字典中已有此编码"]);
        let item: i64 = app.db().scalar(Query::new("select id from dict_items where type_code = 'reform_source' and code = 'county'")).await.unwrap();
        s.post_form(&format!("/admin/dicts/reform_source/items/{item}"), &[("label", "县（市、区）部署"), ("sort_order", "35")]).await.assert_status(303);
        let (label, enabled): (String, bool) = app.db().one(Query::new("select label, enabled from dict_items where id = $1").bind(item)).await.unwrap();
        assert_eq!((label.as_str(), enabled), ("县（市、区）部署", false), "unchecked means disabled");
        let mut c = app.as_account(staff).await;
        c.get("/admin/dicts").await.assert_status(403);
        let items = c.get("/api/v1/dicts/reform_source/items").await;
        items.assert_status(200);
        assert!(items.json().as_array().unwrap().iter().any(|i| i["label"] == "县（市、区）部署"));
        c.json(Method::POST, "/api/v1/dicts/reform_source/items", &serde_json::json!({"code": "x", "label": "x"})).await.assert_status(403);
        c.get("/api/v1/dicts/nonexistent/items").await.assert_status(404);
    }
}

both! {
    async fn attachments_are_checked_by_content_and_stored_once(kind: Kind) {
        let app = TestApp::new(kind).await;
        let t = app.tree().await;
        let sys = app.account("sys", t.root, &["sysadmin"]).await;
        let outsider = app.account("out", t.c1, &["contact_liaison"]).await;
        let mut s = app.as_account(sys).await;
        let owner = [("owner_type", "unit"), ("owner_ref", &*t.a.to_string()), ("back", "/home")];
        let pdf = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n".to_vec();
        s.upload("/attachments", "调研报告.pdf", &pdf, &owner).await.assert_status(303);
        s.upload("/attachments", "调研报告副本.pdf", &pdf, &owner).await.assert_status(303);
        let blobs: i64 = app.db().scalar(Query::new("select count(*) from blobs")).await.unwrap();
        assert_eq!(blobs, 1, "same content stored once");
        let r = s.upload("/attachments", "照片.pdf", &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13], &owner).await;
        let page = s.get(&r.location()).await;
        assert_eq!(page.select(".flash-error"), vec!["文件内容是PNG 图片，与扩展名“.pdf”不符"]);
        let r = s.upload("/attachments", "setup.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04", &owner).await;
        let page = s.get(&r.location()).await;
        assert!(page.select(".flash-error")[0].starts_with("不支持的文件类型"));
        let id: i64 = app.db().scalar(Query::new("select min(id) from attachments")).await.unwrap();
        let got = s.get(&format!("/attachments/{id}")).await;
        got.assert_status(200);
        assert_eq!(got.bytes, pdf);
        assert!(got.headers.get("content-disposition").unwrap().to_str().unwrap().starts_with("attachment;"));
        let unit_page = s.get(&format!("/org/units/{}", t.a)).await;
        assert_eq!(unit_page.select("#attachments tbody tr td a").len(), 2);
        let mut o = app.as_account(outsider).await;
        o.get(&format!("/attachments/{id}")).await.assert_status(403);
        let mut api = app.as_account(outsider).await;
        api.bearer = None;
        let list = api.get(&format!("/api/v1/attachments?owner_type=unit&owner_ref={}", t.a)).await;
        assert_eq!(list.json().as_array().unwrap().len(), 0, "out of scope, not listed");
    }
}

both! {
    async fn a_grant_taken_away_or_an_account_disabled_holds_at_the_next_request(kind: Kind) {
        use zhengyan::authz::{Action, Module, ScopeKind};
        let app = TestApp::new(kind).await;
        let t = app.tree().await;
        let role = app.role("org_reader", &[(Module::Org, Action::Read, ScopeKind::All)]).await;
        let role_id: i64 =
            app.db().scalar(Query::new("select id from roles where code = $1").bind(role.clone())).await.unwrap();
        let wang = app.account("wang", t.a, &[&role]).await;
        let sec = app.account("sec", t.root, &["secadmin"]).await;
        let mut w = app.as_account(wang).await;
        w.get("/org/units").await.assert_status(200);
        w.get("/org/units").await.assert_status(200);
        let mut g = app.as_account(sec).await;
        g.post_form(&format!("/admin/grants/{wang}"), &[]).await.assert_status(303);
        w.get("/org/units").await.assert_status(403);
        g.post_form(&format!("/admin/grants/{wang}"), &[("roles", &role_id.to_string())]).await.assert_status(303);
        w.get("/org/units").await.assert_status(200);
        // A change made outside this node's code (another node, the command
        // line, the database itself) counts as well.
        app.db()
            .exec(Query::new("delete from role_permissions where role_id = $1").bind(role_id))
            .await
            .unwrap();
        w.get("/org/units").await.assert_status(403);
        app.db().exec(Query::new("update accounts set status = 'disabled' where id = $1").bind(wang)).await.unwrap();
        let r = w.get("/home").await;
        r.assert_status(303);
        assert!(r.location().starts_with("/login"), "a disabled account is signed out at its next request");
    }
}
