//! Every page renders for the people who may see it, in Chinese and in
//! English, and every Chinese text the interface shows has an English entry.

use std::collections::BTreeSet;

use zhengyan::db::Query;
use zhengyan::web::render::Templates;

use crate::both;
use crate::support::{Client, TestApp};

fn han(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// Chinese texts that templates pass to `t()` or to the form macros.
fn template_keys() -> BTreeSet<String> {
    let patterns = [
        r#"\bt\(\s*"([^"]+)""#,
        r#"m\.(?:field|select|checkbox)\(\s*"[^"]*"\s*,\s*"([^"]+)""#,
        r#"m\.badge\(\s*[^,]+,\s*"([^"]+)""#,
        r#"m\.sort_th\(\s*"([^"]+)""#,
        r#"hint="([^"]+)""#,
        r#"empty="([^"]+)""#,
    ];
    let mut keys = BTreeSet::new();
    for name in Templates::names() {
        let src = Templates::source(&name).unwrap();
        for p in patterns {
            for cap in regex_lite::Regex::new(p).unwrap().captures_iter(&src) {
                keys.insert(cap[1].to_string());
            }
        }
    }
    keys.into_iter().filter(|k| han(k)).collect()
}

/// Chinese messages written in the code (`Msg::new("…")`).
fn code_keys() -> BTreeSet<String> {
    let re = regex_lite::Regex::new(r#"Msg::new\(\s*"([^"]+)""#).unwrap();
    let mut keys = BTreeSet::new();
    let mut stack = vec![std::path::PathBuf::from("src")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let src = std::fs::read_to_string(&p).unwrap();
                for cap in re.captures_iter(&src) {
                    keys.insert(cap[1].to_string());
                }
            }
        }
    }
    keys
}

#[test]
fn every_chinese_text_has_an_english_entry() {
    let english: BTreeSet<&str> = zhengyan::i18n::english_keys().collect();
    let missing: Vec<String> =
        template_keys().into_iter().chain(code_keys()).filter(|k| !english.contains(k.as_str())).collect();
    assert!(missing.is_empty(), "add these to locales/en.toml:\n{}", missing.join("\n"));
    let labels = zhengyan::authz::Module::ALL
        .iter()
        .map(|m| m.label())
        .chain(zhengyan::authz::Action::ALL.iter().map(|a| a.label()))
        .chain(zhengyan::authz::ScopeKind::ALL.iter().map(|s| s.label()));
    for l in labels {
        assert!(english.contains(l), "no English for {l}");
    }
}

async fn visit(c: &mut Client<'_>, paths: &[String]) {
    for p in paths {
        let r = c.get(p).await;
        assert_eq!(r.status.as_u16(), 200, "{p}: {}", r.text().chars().take(500).collect::<String>());
        assert!(!r.text().contains("{{") && !r.text().contains("{%"), "{p} leaks template syntax");
        assert_eq!(r.select("title").len(), 1, "{p} has a title");
    }
}

both! {
    async fn every_page_renders_for_the_roles_that_may_see_it(kind: Kind) {
        let app = TestApp::new(kind).await;
        let t = app.tree().await;
        let sys = app.account("sys", t.root, &["sysadmin"]).await;
        let sec = app.account("sec", t.root, &["secadmin"]).await;
        let aud = app.account("aud", t.root, &["auditor"]).await;
        let staff = app.account("staff", t.a, &["research_staff", "party_branch"]).await;
        let mut s = app.as_account(sys).await;
        s.post_form("/org/people", &[("name", "王明"), ("unit_id", &t.a.to_string())]).await.assert_status(303);
        let person: i64 = app.db().scalar(Query::new("select id from persons")).await.unwrap();
        let dict_item: i64 = app.db().scalar(Query::new("select min(id) from dict_items")).await.unwrap();
        let _ = dict_item;
        let role: i64 = app.db().scalar(Query::new("select id from roles where code = 'leader'")).await.unwrap();
        let mut tx = app.db().begin().await.unwrap();
        zhengyan::notify::send(&mut tx, staff, &zhengyan::notify::Outgoing { kind: "deadline", title: "改革任务即将到期", body: "请及时报送进展", link: "/home" }, app.state.clock.now()).await.unwrap();
        tx.commit().await.unwrap();
        let common = ["/home", "/inbox", "/account", "/account/password", "/account/totp", "/account/tokens"];
        let by_role: Vec<(i64, Vec<String>)> = vec![
            (sys, vec![
                "/org/units".into(), format!("/org/units/{}", t.a), format!("/org/units/{}/edit", t.a), "/org/units/new".into(),
                "/org/people".into(), format!("/org/people/{person}"),
                format!("/org/people/{person}/edit"), "/org/people/new".into(), "/org/branches".into(), "/admin/accounts".into(),
                "/admin/accounts/new".into(), format!("/admin/accounts/{staff}"), format!("/admin/accounts/{staff}/edit"),
                "/admin/dicts".into(), "/admin/dicts/unit_kind".into(), "/admin/settings".into(),
            ]),
            (sec, vec![
                "/admin/roles".into(), "/admin/roles/new".into(), format!("/admin/roles/{role}"), "/admin/grants".into(),
                format!("/admin/grants/{staff}"), "/admin/security".into(), "/admin/logins".into(),
            ]),
            (aud, vec!["/audit".into(), "/audit/1".into()]),
            (staff, vec![
                "/org/units".into(), "/org/people".into(), "/org/branches".into(), "/research".into(),
                "/research/outputs".into(), "/research/journal".into(), "/research/instructions".into(),
                "/research/compilations".into(), "/research/selection".into(),
            ]),
        ];
        for (who, pages) in by_role {
            let mut c = app.as_account(who).await;
            let mut all: Vec<String> = common.iter().map(|p| p.to_string()).collect();
            all.extend(pages);
            visit(&mut c, &all).await;
            // The same pages in English: the menu and headings leave Chinese behind.
            c.set_cookie("zy_lang", "en");
            visit(&mut c, &all).await;
            let home = c.get("/home").await;
            assert_eq!(home.attrs("html", "lang"), vec!["en"]);
            for label in home.select(".nav a").into_iter().chain(home.select(".card .label")) {
                assert!(!han(&label), "untranslated menu or card label: {label}");
            }
        }
        visit(&mut app.anon(), &["/login".to_string(), "/api/v1/docs".to_string()]).await;
        let mut s = app.as_account(sys).await;
        let fragment = s.get(&format!("/org/units/{}/children", t.root)).await;
        fragment.assert_status(200);
        assert_eq!(fragment.select("li > a, summary > a").len(), 3, "the tree's next level: {}", fragment.text());
    }
}

both! {
    async fn htmx_requests_get_only_the_table_they_aim_at(kind: Kind) {
        let app = TestApp::new(kind).await;
        let t = app.tree().await;
        let sys = app.account("sys", t.root, &["sysadmin"]).await;
        let mut c = app.as_account(sys).await;
        c.htmx_target = Some("units-table".into());
        let r = c.get("/org/units?q=政研").await;
        r.assert_status(200);
        assert!(!r.text().contains("<html"), "a fragment, not a page");
        assert_eq!(r.select("#units tbody tr").len(), 1);
        c.htmx_target = None;
        let full = c.get("/org/units?q=政研").await;
        assert!(full.text().contains("<html"));
    }
}

both! {
    async fn an_htmx_request_after_the_session_ends_is_sent_to_sign_in(kind: Kind) {
        let app = TestApp::new(kind).await;
        let t = app.tree().await;
        let sys = app.account("sys", t.root, &["sysadmin"]).await;
        let mut c = app.as_account(sys).await;
        app.advance_minutes(31);
        c.htmx_target = Some("units-table".into());
        let r = c.get("/org/units?page=2").await;
        r.assert_status(200);
        assert_eq!(r.headers.get("hx-redirect").unwrap(), "/login?next=%2Forg%2Funits%3Fpage%3D2");
    }
}

both! {
    async fn the_language_switch_remembers_the_choice(kind: Kind) {
        let app = TestApp::new(kind).await;
        let t = app.tree().await;
        let staff = app.account("staff", t.a, &["research_staff"]).await;
        let mut c = app.as_account(staff).await;
        let r = c.send(axum::http::Method::POST, "/lang", Some("application/x-www-form-urlencoded"),
            format!("lang=en&csrf_token={}", c.csrf.clone().unwrap()).into_bytes(), &[("referer", "http://zhengyan.test/org/units")]).await;
        r.assert_status(303);
        assert_eq!(r.location(), "/org/units");
        let locale: String = app.db().scalar(zhengyan::db::Query::new("select locale from accounts where id = $1").bind(staff)).await.unwrap();
        assert_eq!(locale, "en");
        let page = c.get("/home").await;
        assert_eq!(page.select("#logout"), vec!["Sign out"]);
    }
}

both! {
    async fn the_health_check_answers_on_either_database(kind: Kind) {
        let app = TestApp::new(kind).await;
        let r = app.anon().get("/healthz").await;
        r.assert_status(200);
        assert_eq!(r.text(), "ok");
    }
}

/// A browser sends a multipart form's fields in a body the CSRF guard does not
/// read, so every upload form carries its token in the action's query.
#[test]
fn every_upload_form_carries_its_token_in_the_action() {
    let form = regex_lite::Regex::new(r#"<form[^>]*enctype="multipart/form-data"[^>]*>"#).unwrap();
    let mut missing = Vec::new();
    for name in Templates::names() {
        let src = Templates::source(&name).unwrap();
        for m in form.find_iter(&src) {
            if !m.as_str().contains("csrf_token={{ csrf }}") {
                missing.push(format!("{name}: {}", m.as_str()));
            }
        }
    }
    assert!(missing.is_empty(), "add ?csrf_token={{{{ csrf }}}} to the action:\n{}", missing.join("\n"));
}
