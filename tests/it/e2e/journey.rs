//! The platform journey of issue 2: a new system administrator signs in, changes
//! the initial password, binds TOTP, sees the 工作台 in Chinese, opens the
//! organisation tree, adds a unit and signs out — on a desktop and on a phone.

use fantoccini::Locator;
use zhengyan::db::Query;

use super::{Browser, serve};
use crate::support::{Kind, TestApp};

async fn new_admin(app: &TestApp) -> (i64, i64) {
    let t = app.tree().await;
    let id = app.account("sysadm", t.root, &["sysadmin"]).await;
    // A fresh administrator: initial password, no TOTP yet.
    let hash = zhengyan::auth::password::hash_now("Init@2026x").expect("hash");
    app.db()
        .exec(
            Query::new("update accounts set password_hash = $1, must_change_password = true where id = $2")
                .bind(hash)
                .bind(id),
        )
        .await
        .expect("update");
    (id, t.a)
}

async fn journey(width: u32, height: u32, name: &str) {
    let app = TestApp::new(Kind::Sqlite).await;
    let (_, office) = new_admin(&app).await;
    let base = serve(&app).await;
    let mut b = Browser::start(base, name, width, height).await;

    b.go("/").await;
    b.wait_path("/login").await;
    b.shot("login").await;
    b.fill("username", "sysadm").await;
    b.fill("password", "Init@2026x").await;
    b.click("#login-submit").await;

    b.wait_path("/account/password").await;
    b.shot("forced-password-change").await;
    b.fill("current", "Init@2026x").await;
    b.fill("new", "short").await;
    b.fill("confirm", "short").await;
    b.click("#password-form button[type=submit]").await;
    let error = b.text("#e-new").await;
    assert!(b.c.current_url().await.unwrap().path() == "/account/password");
    assert!(error.contains("密码长度至少8位"), "inline error beside the field: {error}");
    b.shot("password-error-inline").await;
    b.fill("current", "Init@2026x").await;
    b.fill("new", "Yunchuan#2026").await;
    b.fill("confirm", "Yunchuan#2026").await;
    b.click("#password-form button[type=submit]").await;

    // Administrators must bind TOTP before going on (the default policy).
    b.wait_path("/account/totp").await;
    b.shot("totp-enrolment").await;
    let secret = b.text("#totp-secret").await;
    let code = zhengyan::auth::totp::code_at(secret.trim(), app.state.clock.now()).expect("code");
    b.fill("code", &code).await;
    b.click("#totp-enable").await;
    b.wait_path("/account").await;
    assert!(b.text("#alerts .flash").await.contains("动态口令已启用"));

    b.go("/home").await;
    b.wait_path("/home").await;
    let heading = b.text("h1").await;
    assert!(heading.contains("好") && heading.contains("测试sysadm"), "a Chinese greeting: {heading}");
    b.shot("workbench").await;
    if width < 860 {
        // On a phone the side menu folds away behind the ☰ button.
        assert_eq!(b.text(".nav").await, "", "the menu is folded at phone width");
        b.click(".nav-toggle-label").await;
        b.shot("phone-menu-open").await;
    }
    assert!(b.text(".nav").await.contains("组织机构"));

    // The organisation tree: open a branch (htmx loads its children), then add a unit.
    b.go("/org/units").await;
    b.shot("org-tree").await;
    b.click("#tree details summary").await;
    for _ in 0..40 {
        if b.text("#tree").await.contains("市委政策研究室") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(b.text("#tree").await.contains("市委政策研究室"), "children load when a branch opens");
    b.shot("org-tree-open").await;
    b.go(&format!("/org/units/{office}")).await;
    b.click("#add-child").await;
    b.wait_path("/org/units/new").await;
    b.fill("name", "调研信息科").await;
    b.choose("kind", "内设科室").await;
    b.shot("unit-form").await;
    b.click("#unit-save").await;
    let flash = b.text("#alerts .flash").await;
    assert!(flash.contains("单位已新增"), "{flash}");
    assert_eq!(b.text("h1").await.split_whitespace().next(), Some("调研信息科"));
    b.shot("unit-added").await;

    if width < 860 {
        // The sign-out button sits in the top bar on a phone too.
        b.c.execute("window.scrollTo(0, 0)", vec![]).await.expect("scroll");
    }
    b.click("#logout").await;
    b.wait_path("/login").await;
    assert!(b.text(".flash").await.contains("您已安全退出"));
    b.shot("signed-out").await;
    let after: i64 = app
        .db()
        .scalar(Query::new("select count(*) from units where name = '调研信息科'"))
        .await
        .expect("count");
    assert_eq!(after, 1, "the unit was stored once");
    let trail: i64 = app
        .db()
        .scalar(Query::new("select count(*) from audit_events where action in ('auth.login', 'auth.password_changed', 'auth.totp_enabled', 'unit.create', 'auth.logout')"))
        .await
        .expect("audit");
    assert!(trail >= 5, "every step is in the audit trail");
    let no_external = b.c.execute("return performance.getEntriesByType('resource').filter(e => !e.name.startsWith(location.origin)).length", vec![]).await.expect("js");
    assert_eq!(no_external, serde_json::json!(0), "no request leaves the server");
    let _ = b.c.find(Locator::Css("body")).await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_administrator_signs_in_changes_the_password_and_adds_a_unit_on_a_desktop() {
    journey(1280, 860, "desktop").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_journey_works_at_phone_width() {
    journey(390, 844, "phone").await;
}
