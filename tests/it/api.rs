//! The JSON API: its OpenAPI description, its error shape, and a property test
//! that no input makes it answer 5xx.

use axum::http::Method;
use proptest::prelude::*;
use proptest::test_runner::{Config as PtConfig, TestRunner};
use serde_json::{Value, json};

use crate::both;
use crate::support::{Kind, TestApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_describes_every_operation() {
    let app = TestApp::new(Kind::Sqlite).await;
    let doc = app.anon().get("/api/v1/openapi.json").await.json();
    assert_eq!(doc["openapi"].as_str().unwrap().chars().next(), Some('3'));
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/me",
        "/units",
        "/units/{id}",
        "/units/{id}/move",
        "/units/{id}/merge",
        "/units/export",
        "/people",
        "/people/{id}",
        "/accounts",
        "/accounts/{id}/grants",
        "/roles",
        "/dicts",
        "/dicts/{code}/items",
        "/audit",
        "/audit/verify",
        "/attachments",
    ] {
        assert!(paths.contains_key(p), "{p} missing from the OpenAPI document");
    }
    assert!(doc["components"]["securitySchemes"]["token"].is_object());
    assert!(doc["components"]["schemas"]["Unit"].is_object());
}

both! {
    async fn api_errors_are_json_with_a_chinese_message(kind: Kind) {
        let app = TestApp::new(kind).await;
        let mut anon = app.anon();
        for (method, path) in [(Method::GET, "/api/v1/me"), (Method::GET, "/api/v1/units"), (Method::GET, "/api/v1/nothing-here")] {
            let r = anon.send(method, path, None, Vec::new(), &[]).await;
            assert!(r.status.is_client_error(), "{path}");
            assert!(r.json()["error"]["message"].as_str().unwrap().chars().any(|c| c > '\u{4e00}'), "{path}");
        }
        let t = app.tree().await;
        let sys = app.account("sys", t.root, &["sysadmin"]).await;
        let mut c = app.as_account(sys).await;
        let bad_json = c.send(Method::POST, "/api/v1/units", Some("application/json"), b"{not json".to_vec(), &[("x-csrf-token", &c.csrf.clone().unwrap())]).await;
        bad_json.assert_status(400);
        assert_eq!(bad_json.json()["error"]["code"], "bad_request");
        let wrong_type = c.json(Method::POST, "/api/v1/units", &json!({"name": ["列表"], "kind": 3})).await;
        assert_eq!(wrong_type.status.as_u16(), 422);
        assert_eq!(wrong_type.json()["error"]["message"], "提交的内容格式不正确，请检查后重试");
        let bad_path = c.get("/api/v1/units/not-a-number").await;
        bad_path.assert_status(400);
        let missing = c.get("/api/v1/units/99999999").await;
        missing.assert_status(404);
        assert_eq!(missing.json()["error"]["code"], "not_found");
    }
}

/// A JSON value with the awkward shapes real clients send.
fn json_value() -> impl Strategy<Value = Value> {
    let text = prop_oneof![
        Just(String::new()),
        Just("市委政研室".to_string()),
        Just("\u{0000}\u{0007}".to_string()),
        Just("'; drop table units; --".to_string()),
        Just("%_\\".to_string()),
        Just("9".repeat(40)),
        Just("-1".to_string()),
        Just("x".repeat(5000)),
        "\\PC{0,40}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        text.prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("name".to_string()),
                    Just("kind".to_string()),
                    Just("parent_id".to_string()),
                    Just("unit_id".to_string()),
                    Just("code".to_string()),
                    Just("id".to_string()),
                    Just("roles".to_string()),
                    Just("units".to_string()),
                    Just("username".to_string()),
                    Just("display_name".to_string()),
                    Just("grants".to_string()),
                    Just("label".to_string()),
                    Just("birth_date".to_string()),
                    Just("started_on".to_string()),
                    Just("mentee_id".to_string()),
                    "[a-z_]{1,12}",
                ],
                inner,
                0..8,
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn path_segment() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        (1i64..40).prop_map(|n| n.to_string()),
        Just("..%2F..".to_string()),
        Just("%E5%B8%82".to_string()),
        Just("%00".to_string()),
        Just("unit_kind".to_string()),
        "[a-zA-Z0-9_-]{1,20}",
    ]
}

fn query() -> impl Strategy<Value = String> {
    prop::collection::vec(
        (
            prop_oneof![
                Just("q"),
                Just("page"),
                Just("per"),
                Just("sort"),
                Just("dir"),
                Just("status"),
                Just("under"),
                Just("kind"),
                Just("before"),
                Just("from"),
                Just("to"),
                Just("role"),
                Just("action"),
                Just("owner_type")
            ],
            prop_oneof![
                Just("-1".to_string()),
                Just("99999999999999999999".to_string()),
                Just("2026-13-45".to_string()),
                Just("%".to_string()),
                "\\PC{0,12}"
            ],
        ),
        0..4,
    )
    .prop_map(|pairs| serde_urlencoded::to_string(pairs).unwrap_or_default())
}

/// Every operation of the OpenAPI document, with its path template.
fn operations(doc: &Value) -> Vec<(Method, String)> {
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for m in item.as_object().unwrap().keys() {
            let method = Method::from_bytes(m.to_uppercase().as_bytes()).unwrap();
            ops.push((method, path.clone()));
        }
    }
    ops
}

both! {
    async fn no_input_makes_the_api_answer_5xx(kind: Kind) {
        let app = TestApp::new(kind).await;
        let t = app.tree().await;
        let sys = app.account("sys", t.root, &["sysadmin"]).await;
        let doc = app.anon().get("/api/v1/openapi.json").await.json();
        let ops = operations(&doc);
        assert!(ops.len() >= 25, "{} operations", ops.len());
        let handle = tokio::runtime::Handle::current();
        let app_ref = &app;
        let failures = std::sync::Mutex::new(Vec::<String>::new());
        tokio::task::block_in_place(|| {
            let mut runner = TestRunner::new(PtConfig { cases: 256, failure_persistence: None, ..PtConfig::default() });
            let strategy = (0..ops.len(), json_value(), prop::collection::vec(path_segment(), 2), query());
            let result = runner.run(&strategy, |(i, body, segs, q)| {
                let (method, template) = &ops[i];
                let mut path = String::new();
                let mut seg = segs.iter();
                for part in template.split('/') {
                    if part.is_empty() { continue; }
                    path.push('/');
                    if part.starts_with('{') { path.push_str(seg.next().map(String::as_str).unwrap_or("1")); } else { path.push_str(part); }
                }
                let url = format!("/api/v1{path}?{q}");
                let status = handle.block_on(async {
                    let mut c = app_ref.as_account(sys).await;
                    let r = if *method == Method::GET {
                        c.get(&url).await
                    } else {
                        c.json(method.clone(), &url, &body).await
                    };
                    if r.status.is_client_error() && r.status != 404 {
                        let err = serde_json::from_slice::<Value>(&r.bytes).ok();
                        assert!(err.as_ref().is_some_and(|e| e["error"]["message"].is_string()), "{method} {url}: 4xx without a JSON error: {}", r.text());
                    }
                    r.status
                });
                if status.is_server_error() {
                    failures.lock().unwrap().push(format!("{method} {url} body {body} → {status}"));
                }
                prop_assert!(!status.is_server_error(), "{} {} → {}", method, url, status);
                Ok(())
            });
            if let Err(e) = result {
                panic!("{e}\nfailures: {:?}", failures.lock().unwrap());
            }
        });
    }
}

both! {
    async fn no_form_input_makes_a_page_answer_5xx(kind: Kind) {
        let app = TestApp::new(kind).await;
        let t = app.tree().await;
        let sys = app.account("sys", t.root, &["sysadmin"]).await;
        let posts = [
            "/org/units".to_string(), format!("/org/units/{}", t.a), format!("/org/units/{}/move", t.a1), format!("/org/units/{}/merge", t.a1),
            "/org/people".to_string(), "/org/branches".to_string(), "/admin/accounts".to_string(), "/admin/dicts/unit_kind/items".to_string(),
            "/admin/settings".to_string(), "/account/password".to_string(), "/account/tokens".to_string(), "/lang".to_string(),
        ];
        let handle = tokio::runtime::Handle::current();
        let app_ref = &app;
        tokio::task::block_in_place(|| {
            let mut runner = TestRunner::new(PtConfig { cases: 200, failure_persistence: None, ..PtConfig::default() });
            let field = prop_oneof![Just("name"), Just("kind"), Just("parent_id"), Just("target_id"), Just("unit_id"), Just("code"),
                                    Just("username"), Just("display_name"), Just("label"), Just("sort_order"), Just("birth_date"),
                                    Just("attachment_max_mb"), Just("org_name"), Just("current"), Just("new"), Just("days"), Just("lang")];
            let value = prop_oneof![Just(String::new()), Just("-9999999999999999999".to_string()), Just("２０２６年２月３０日".to_string()), "\\PC{0,30}"];
            let strategy = (0..posts.len(), prop::collection::vec((field, value), 0..6));
            runner.run(&strategy, |(i, fields)| {
                let status = handle.block_on(async {
                    let mut c = app_ref.as_account(sys).await;
                    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
                    c.post_form(&posts[i], &pairs).await.status
                });
                prop_assert!(!status.is_server_error(), "{} {:?} → {}", posts[i], fields, status);
                Ok(())
            }).unwrap();
        });
    }
}

both! {
    async fn a_nul_character_anywhere_is_answered_without_a_500(kind: Kind) {
        let app = TestApp::new(kind).await;
        let t = app.tree().await;
        let sys = app.account("sys", t.root, &["sysadmin"]).await;
        let mut c = app.as_account(sys).await;
        c.get("/api/v1/dicts/%00/items").await.assert_status(404);
        c.get("/api/v1/units?q=a%00b&kind=%00").await.assert_status(200);
        c.get("/org/people?q=%00").await.assert_status(200);
        let (_, r) = app.sign_in("adm\u{0}in", "x").await;
        r.assert_status(422);
        let named: String = app.db().scalar(zhengyan::db::Query::new("select username from login_history")).await.unwrap();
        assert_eq!(named, "admin", "stored without the NUL");
    }
}

both! {
    async fn administration_has_the_same_operations_in_the_api(kind: Kind) {
        let app = TestApp::new(kind).await;
        let t = app.tree().await;
        let sys = app.account("sys", t.root, &["sysadmin"]).await;
        let sec = app.account("sec", t.root, &["secadmin"]).await;
        let staff = app.account("staff", t.a, &["research_staff"]).await;
        let mut g = app.as_account(sec).await;
        let policy = g.get("/api/v1/security/policy").await;
        policy.assert_status(200);
        assert_eq!(policy.json()["idle_minutes"], 30);
        let weak = g.json(Method::PUT, "/api/v1/security/policy", &json!({"password_min_length": "6", "password_min_classes": "3",
            "max_failures": "5", "lock_minutes": "15", "idle_minutes": "30", "session_hours": "12", "max_failures_per_ip": "30"})).await;
        weak.assert_status(422);
        assert_eq!(weak.json()["error"]["fields"]["password_min_length"], "应在8到64之间");
        let ok = g.json(Method::PUT, "/api/v1/security/policy", &json!({"password_min_length": "10", "password_min_classes": "3",
            "max_failures": "5", "lock_minutes": "15", "idle_minutes": "20", "session_hours": "12", "max_failures_per_ip": "30",
            "totp_required_for_admins": "on"})).await;
        ok.assert_status(200);
        assert_eq!(ok.json()["idle_minutes"], 20);
        assert!(g.get("/api/v1/security/logins").await.json()["total"].is_number());
        g.json(Method::POST, &format!("/api/v1/accounts/{staff}/unlock"), &json!({})).await.assert_status(204);
        let mut s = app.as_account(sys).await;
        s.get("/api/v1/security/policy").await.assert_status(403);
        s.json(Method::POST, &format!("/api/v1/accounts/{staff}/disable"), &json!({})).await.assert_status(204);
        s.json(Method::POST, &format!("/api/v1/accounts/{staff}/enable"), &json!({})).await.assert_status(204);
        let reset = s.json(Method::POST, &format!("/api/v1/accounts/{staff}/reset-password"), &json!({})).await;
        assert_eq!(reset.json()["initial_password"].as_str().unwrap().chars().count(), 16);
        let site = s.json(Method::PUT, "/api/v1/settings", &json!({"org_name": "中共云川市委政策研究室", "system_name": "政研工作平台", "attachment_max_mb": "10"})).await;
        site.assert_status(200);
        let created = s.json(Method::POST, "/api/v1/branches", &json!({"name": "综合科党小组", "unit_id": t.a.to_string()})).await.json();
        let branch = created["id"].as_i64().unwrap();
        assert_eq!(s.get("/api/v1/branches").await.json().as_array().unwrap().len(), 1);
        s.json(Method::POST, &format!("/api/v1/branches/{branch}/dissolve"), &json!({})).await.assert_status(204);
        s.json(Method::POST, &format!("/api/v1/branches/{branch}/dissolve"), &json!({})).await.assert_status(409);
        let mut tx = app.db().begin().await.unwrap();
        let n = zhengyan::notify::send(&mut tx, staff, &zhengyan::notify::Outgoing { kind: "deadline", title: "到期提醒", body: "", link: "/home" }, crate::support::t0()).await.unwrap();
        tx.commit().await.unwrap();
        let mut me = app.as_account(staff).await;
        assert_eq!(me.get("/api/v1/notifications").await.json().as_array().unwrap().len(), 1);
        me.json(Method::POST, &format!("/api/v1/notifications/{n}/read"), &json!({})).await.assert_status(204);
        s.json(Method::POST, &format!("/api/v1/notifications/{n}/read"), &json!({})).await.assert_status(404);
    }
}
