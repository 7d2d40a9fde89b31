//! Sign-in to 等保 level 3: passwords, lockout, timeouts, forced change, TOTP,
//! CSRF, cookies, headers, login history.

use zhengyan::auth::totp;
use zhengyan::db::Query;

use crate::both;
use crate::support::TestApp;
use crate::support::fixtures::PASSWORD;

async fn audit_count(app: &TestApp, action: &str) -> i64 {
    app.db()
        .scalar(Query::new("select count(*) from audit_events where action = $1").bind(action))
        .await
        .expect("count")
}

both! {
    async fn a_person_signs_in_and_reaches_the_workbench(kind: Kind) {
        let app = TestApp::new(kind).await;
        let t = app.tree().await;
        app.account("wang", t.a, &["research_staff"]).await;
        let (mut c, r) = app.sign_in("wang", PASSWORD).await;
        r.assert_status(303);
        assert_eq!(r.location(), "/home");
        let home = c.get("/home").await;
        home.assert_status(200);
        assert!(home.select("h1").iter().any(|h| h.contains("测试wang")), "{:?}", home.select("h1"));
        assert_eq!(home.attrs("html", "lang"), vec!["zh-CN"]);
        assert_eq!(audit_count(&app, "auth.login").await, 1);
    }
}

both! {
    async fn the_session_cookie_is_http_only_same_site_and_secure(kind: Kind) {
        let app = TestApp::new(kind).await;
        let t = app.tree().await;
        app.account("wang", t.a, &["research_staff"]).await;
        let (_c, r) = app.sign_in("wang", PASSWORD).await;
        let set = r.headers.get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_string()).find(|v| v.starts_with("zy_session=")).expect("cookie");
        for attr in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
            assert!(set.contains(attr), "{attr} missing in {set}");
        }
    }
}

both! {
    async fn a_wrong_password_is_refused_with_a_count_and_audited(kind: Kind) {
        let app = TestApp::new(kind).await;
        let t = app.tree().await;
        app.account("wang", t.a, &["research_staff"]).await;
        let (_, r) = app.sign_in("wang", "Wrong#2026x").await;
        r.assert_status(422);
        assert_eq!(r.select("#login-error"), vec!["用户名或密码错误，再错4次账户将被锁定"]);
        assert_eq!(audit_count(&app, "auth.login_failed").await, 1);
        let (_, r) = app.sign_in("nobody", "Wrong#2026x").await;
        assert_eq!(r.select("#login-error"), vec!["用户名或密码错误"], "unknown names say nothing more");
        let outcomes: Vec<(String,)> = app.db().all(Query::new("select outcome from login_history order by id")).await.unwrap();
        assert_eq!(outcomes, vec![("bad_password".into(),), ("unknown_user".into(),)]);
    }
}

both! {
    async fn five_failures_lock_the_account_for_fifteen_minutes(kind: Kind) {
        let app = TestApp::new(kind).await;
        let t = app.tree().await;
        app.account("wang", t.a, &["research_staff"]).await;
        for _ in 0..4 {
            app.sign_in("wang", "Wrong#2026x").await.1.assert_status(422);
        }
        let (_, fifth) = app.sign_in("wang", "Wrong#2026x").await;
        assert_eq!(fifth.select("#login-error"), vec!["密码错误次数过多，账户已锁定15分钟"]);
        let (_, right) = app.sign_in("wang", PASSWORD).await;
        right.assert_status(422);
        assert!(right.select("#login-error")[0].starts_with("账户已锁定，请于"), "{:?}", right.select("#login-error"));
        assert_eq!(audit_count(&app, "auth.account_locked").await, 1);
        app.advance_minutes(14);
        app.sign_in("wang", PASSWORD).await.1.assert_status(422);
        app.advance_minutes(2);
        app.sign_in("wang", PASSWORD).await.1.assert_status(303);
    }
}

both! {
    async fn a_session_ends_after_thirty_idle_minutes(kind: Kind) {
        let app = TestApp::new(kind).await;
        let t = app.tree().await;
        app.account("wang", t.a, &["research_staff"]).await;
        let (mut c, _) = app.sign_in("wang", PASSWORD).await;
        app.advance_minutes(29);
        c.get("/home").await.assert_status(200);
        app.advance_minutes(29);
        c.get("/home").await.assert_status(200);
        app.advance_minutes(31);
        let r = c.get("/home").await;
        r.assert_status(303);
        assert_eq!(r.location(), "/login?next=%2Fhome");
        let login = c.get("/login").await;
        assert!(login.text().contains("登录已超时"), "the login page says why");
        let left: i64 = app.db().scalar(Query::new("select count(*) from sessions")).await.unwrap();
        assert_eq!(left, 0, "the expired session is gone from the database");
    }
}

both! {
    async fn an_initial_password_must_be_changed_before_anything_else(kind: Kind) {
        let app = TestApp::new(kind).await;
        let t = app.tree().await;
        let id = app.account("xin", t.a, &["research_staff"]).await;
        app.db().exec(Query::new("update accounts set must_change_password = true where id = $1").bind(id)).await.unwrap();
        let (mut c, r) = app.sign_in("xin", PASSWORD).await;
        assert_eq!(r.location(), "/account/password");
        for path in ["/home", "/org/units", "/api/v1/me"] {
            let r = c.get(path).await;
            assert!(r.status == 303 || r.status == 401, "{path} is closed until the password changes: {}", r.status);
        }
        let page = c.get("/account/password").await;
        c.csrf = page.attrs("input[name=csrf_token]", "value").into_iter().next();
        let weak = c.post_form("/account/password", &[("current", PASSWORD), ("new", "abc"), ("confirm", "abc")]).await;
        weak.assert_status(422);
        assert_eq!(weak.select("#e-new"), vec!["密码长度至少8位"]);
        let mismatch = c.post_form("/account/password", &[("current", PASSWORD), ("new", "Better#2026"), ("confirm", "Better#2027")]).await;
        assert_eq!(mismatch.select("#e-confirm"), vec!["两次输入的新密码不一致"]);
        let bad_current = c.post_form("/account/password", &[("current", "nope"), ("new", "Better#2026"), ("confirm", "Better#2026")]).await;
        assert_eq!(bad_current.select("#e-current"), vec!["当前密码不正确"]);
        let ok = c.post_form("/account/password", &[("current", PASSWORD), ("new", "Better#2026"), ("confirm", "Better#2026")]).await;
        ok.assert_status(303);
        assert_eq!(ok.location(), "/home");
        c.get("/home").await.assert_status(200);
        assert_eq!(audit_count(&app, "auth.password_changed").await, 1);
        let logged: Vec<(Option<String>, Option<String>)> =
            app.db().all(Query::new("select before_data, after_data from audit_events where action = 'auth.password_changed'")).await.unwrap();
        assert_eq!(logged, vec![(None, None)], "no password in the audit trail");
        app.sign_in("xin", "Better#2026").await.1.assert_status(303);
    }
}

both! {
    async fn an_administrator_must_bind_totp_and_then_use_it(kind: Kind) {
        let app = TestApp::new(kind).await;
        let t = app.tree().await;
        app.account("sec", t.root, &["secadmin"]).await;
        let (mut c, r) = app.sign_in("sec", PASSWORD).await;
        assert_eq!(r.location(), "/account/totp", "admins bind TOTP first");
        c.get("/home").await.assert_status(303);
        let page = c.get("/account/totp").await;
        page.assert_status(200);
        assert_eq!(page.select(".qr svg").len(), 1, "a QR code drawn inline, no external request");
        let secret = page.select("#totp-secret")[0].clone();
        c.csrf = page.attrs("input[name=csrf_token]", "value").into_iter().next();
        let wrong = c.post_form("/account/totp/enable", &[("code", "000000")]).await;
        wrong.assert_status(422);
        let code = totp::code_at(&secret, app.state.clock.now()).unwrap();
        c.post_form("/account/totp/enable", &[("code", &code)]).await.assert_status(303);
        c.get("/home").await.assert_status(200);

        // Next sign-in: password, then the code; a used code is refused.
        app.advance_minutes(1);
        let (mut c2, r) = app.sign_in("sec", PASSWORD).await;
        assert_eq!(r.location(), "/login/totp");
        c2.get("/home").await.assert_status(303);
        let page = c2.get("/login/totp").await;
        c2.csrf = page.attrs("input[name=csrf_token]", "value").into_iter().next();
        let bad = c2.post_form("/login/totp", &[("code", "123456")]).await;
        bad.assert_status(422);
        let code = totp::code_at(&secret, app.state.clock.now()).unwrap();
        c2.post_form("/login/totp", &[("code", &code)]).await.assert_status(303);
        c2.get("/home").await.assert_status(200);
        let (mut c3, _) = app.sign_in("sec", PASSWORD).await;
        let page = c3.get("/login/totp").await;
        c3.csrf = page.attrs("input[name=csrf_token]", "value").into_iter().next();
        c3.post_form("/login/totp", &[("code", &code)]).await.assert_status(422);
        assert_eq!(audit_count(&app, "auth.totp_enabled").await, 1);
    }
}

both! {
    async fn forms_without_the_csrf_token_or_from_another_origin_are_refused(kind: Kind) {
        let app = TestApp::new(kind).await;
        let t = app.tree().await;
        let id = app.account("adm", t.root, &["sysadmin"]).await;
        let mut c = app.as_account(id).await;
        let fields = [("name", "偷建科"), ("kind", "section"), ("parent_id", &t.a.to_string())];
        let r = c.post_form_raw("/org/units", &fields).await;
        r.assert_status(403);
        assert!(r.text().contains("页面已过期或来源不明"));
        let token = c.csrf.clone().unwrap();
        let mut with_token: Vec<(&str, &str)> = fields.to_vec();
        with_token.push(("csrf_token", &token));
        let foreign = c
            .send(axum::http::Method::POST, "/org/units", Some("application/x-www-form-urlencoded"),
                serde_urlencoded::to_string(&with_token).unwrap().into_bytes(), &[("origin", "http://evil.example")])
            .await;
        foreign.assert_status(403);
        let n: i64 = app.db().scalar(Query::new("select count(*) from units where name = '偷建科'")).await.unwrap();
        assert_eq!(n, 0);
        c.post_form("/org/units", &fields).await.assert_status(303);
    }
}

both! {
    async fn every_response_carries_the_security_headers(kind: Kind) {
        let app = TestApp::new(kind).await;
        let r = app.anon().get("/login").await;
        let h = |n: &str| r.headers.get(n).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
        assert!(h("content-security-policy").contains("script-src 'self'"));
        assert!(!h("content-security-policy").contains("unsafe-inline"));
        assert_eq!(h("x-frame-options"), "DENY");
        assert_eq!(h("x-content-type-options"), "nosniff");
        assert_eq!(h("cache-control"), "no-store");
        assert!(!r.text().contains("<script>"), "no inline script");
        assert!(!r.text().contains(" style=\""), "no inline style");
    }
}

both! {
    async fn signing_out_ends_the_session_everywhere_it_was_used(kind: Kind) {
        let app = TestApp::new(kind).await;
        let t = app.tree().await;
        app.account("wang", t.a, &["research_staff"]).await;
        let (mut c, _) = app.sign_in("wang", PASSWORD).await;
        let page = c.get("/home").await;
        c.csrf = page.attrs("meta[name=csrf-token]", "content").into_iter().next();
        let cookie = c.cookie("zy_session").unwrap().to_string();
        c.post_form("/logout", &[]).await.assert_status(303);
        let mut replay = app.anon();
        replay.set_cookie("zy_session", &cookie);
        replay.get("/home").await.assert_status(303);
        assert_eq!(audit_count(&app, "auth.logout").await, 1);
    }
}

both! {
    async fn the_security_admin_sees_every_login_and_others_see_their_own(kind: Kind) {
        let app = TestApp::new(kind).await;
        let t = app.tree().await;
        app.account("wang", t.a, &["research_staff"]).await;
        let sec = app.account("sec", t.root, &["secadmin"]).await;
        app.sign_in("wang", "Wrong#pass1").await;
        let (mut c, _) = app.sign_in("wang", PASSWORD).await;
        let own = c.get("/account").await;
        own.assert_status(200);
        assert_eq!(own.select("table tbody tr").len(), 2, "success and failure");
        c.get("/admin/logins").await.assert_status(403);
        let mut s = app.as_account(sec).await;
        let all = s.get("/admin/logins?q=wang").await;
        all.assert_status(200);
        assert_eq!(all.select("table tbody tr").len(), 2);
        let xlsx = s.get("/admin/logins/export").await;
        xlsx.assert_status(200);
        assert_eq!(&xlsx.bytes[..2], b"PK");
        assert_eq!(audit_count(&app, "export.login_history").await, 1);
    }
}

both! {
    async fn repeated_failures_from_one_address_are_throttled(kind: Kind) {
        let app = TestApp::new(kind).await;
        let t = app.tree().await;
        app.account("wang", t.a, &["research_staff"]).await;
        for i in 0..30 {
            app.sign_in(&format!("guess{i}"), "x").await;
        }
        let (_, r) = app.sign_in("wang", PASSWORD).await;
        r.assert_status(422);
        assert_eq!(r.select("#login-error"), vec!["登录尝试过于频繁，请15分钟后再试"]);
        app.advance_minutes(16);
        app.sign_in("wang", PASSWORD).await.1.assert_status(303);
    }
}
