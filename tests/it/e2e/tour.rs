//! A tour of the demo city in a real browser, one screenshot per page, as the
//! three administrators and a county liaison (whose view stops at the county).

use zhengyan::db::Query;

use super::{Browser, serve};
use crate::support::{Kind, TestApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tour_of_the_demo_city() {
    let app = TestApp::new(Kind::Sqlite).await;
    zhengyan::demo::seed(&app.state).await.unwrap().unwrap();
    let county: i64 =
        app.db().scalar(Query::new("select id from units where name = '临江区'")).await.unwrap();
    let research: i64 =
        app.db().scalar(Query::new("select id from units where short_name = '市委政研室'")).await.unwrap();
    let person: i64 =
        app.db().scalar(Query::new("select min(id) from persons where branch_id is not null")).await.unwrap();
    let role: i64 =
        app.db().scalar(Query::new("select id from roles where code = 'unit_liaison'")).await.unwrap();
    let staff: i64 =
        app.db().scalar(Query::new("select id from accounts where username = 'zys01'")).await.unwrap();
    let base = serve(&app).await;
    let mut b = Browser::start(base, "tour", 1366, 900).await;

    b.sign_in("admin", zhengyan::demo::DEMO_PASSWORD).await;
    b.shot("sysadmin-workbench").await;
    for (path, name) in [
        (format!("/org/units/{research}"), "unit-detail"),
        (format!("/org/units?under={county}"), "units-under-county"),
        ("/org/people".to_string(), "people"),
        (format!("/org/people/{person}"), "person-detail"),
        ("/admin/accounts".to_string(), "accounts"),
        ("/admin/dicts/reform_source".to_string(), "dictionary"),
    ] {
        b.go(&path).await;
        b.shot(name).await;
    }
    b.sign_out().await;

    b.sign_in("secadmin", zhengyan::demo::DEMO_PASSWORD).await;
    b.shot("secadmin-workbench").await;
    for (path, name) in [
        (format!("/admin/roles/{role}"), "role-matrix"),
        (format!("/admin/grants/{staff}"), "grants"),
        ("/admin/security".to_string(), "security-policy"),
        ("/admin/logins".to_string(), "login-log"),
    ] {
        b.go(&path).await;
        b.shot(name).await;
    }
    b.sign_out().await;

    b.sign_in("auditor", zhengyan::demo::DEMO_PASSWORD).await;
    b.go("/audit?action=auth.").await;
    b.shot("audit-trail").await;
    b.click("#audit-verify").await;
    assert!(b.text("#verify-result").await.starts_with("校验通过"));
    b.shot("audit-verified").await;
    b.go("/audit/3").await;
    b.shot("audit-record").await;
    b.sign_out().await;

    b.sign_in("xq01", zhengyan::demo::DEMO_PASSWORD).await;
    b.go("/org/units").await;
    let tree = b.text("#tree").await;
    assert!(tree.starts_with("临江区"), "a county liaison's tree starts at the county: {tree}");
    assert!(!tree.contains("市委政策研究室"));
    b.shot("county-liaison-units").await;
    b.click("form[action='/lang'] button").await;
    // The switch returns to the page it was pressed on; wait for that before moving on.
    b.wait_path("/org/units").await;
    b.find("#logout").await;
    b.go("/home").await;
    b.shot("county-liaison-workbench-english").await;
    b.go("/api/v1/docs").await;
    b.find("#api .panel h3").await;
    b.shot("api-docs").await;
    b.close().await;
}

/// Opens `path`, checks it is a page of the app (not an error page) and takes its picture.
async fn visit(b: &mut Browser, path: &str, name: &str) {
    b.go(path).await;
    b.find(".page-head h1").await;
    b.shot(name).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tour_of_the_demo_reform_year() {
    let app = TestApp::new(Kind::Sqlite).await;
    zhengyan::demo::seed(&app.state).await.unwrap().unwrap();
    let id = |sql: &'static str| {
        let db = app.db().clone();
        async move { db.scalar::<i64>(Query::new(sql)).await.unwrap() }
    };
    let done = id("select min(id) from reform_tasks where status = 'done'").await;
    let red = id("select min(id) from reform_tasks where colour = 'red'").await;
    let inspection = id("select min(id) from reform_inspections").await;
    let item = id("select min(id) from rectifications").await;
    let county = id("select id from units where name = '临江区'").await;
    let foreign = id("select min(t.id) from reform_tasks t where t.lead_unit_id <> (select id from units where name = '临江区') \
         and not exists (select 1 from reform_task_units x join units u on u.id = x.unit_id where x.task_id = t.id and u.name = '临江区')").await;
    let base = serve(&app).await;
    let mut b = Browser::start(base, "reform-tour", 1366, 900).await;

    b.sign_in("ggb01", zhengyan::demo::DEMO_PASSWORD).await;
    b.shot("reform-office-workbench").await;
    for (path, name) in [
        ("/reform".to_string(), "task-list"),
        ("/reform?colour=red".to_string(), "task-list-red"),
        (format!("/reform/tasks/{red}"), "task-red"),
        (format!("/reform/tasks/{done}"), "task-done-timeline"),
        ("/reform/reports".to_string(), "report-review-queue"),
        ("/reform/halfway".to_string(), "double-half"),
        ("/reform/inspections".to_string(), "inspections"),
        (format!("/reform/inspections/{inspection}"), "inspection"),
        ("/reform/rectifications".to_string(), "rectifications"),
        (format!("/reform/rectifications/{item}"), "rectification"),
        ("/reform/notices".to_string(), "notices"),
        ("/reform/cases".to_string(), "typical-cases"),
        ("/reform/pilots".to_string(), "pilots"),
        ("/reform/assessment".to_string(), "assessment-ranking"),
        (format!("/reform/assessment/units/{county}"), "assessment-breakdown"),
        ("/reform/assessment/scheme".to_string(), "assessment-scheme"),
        ("/reform/evaluations".to_string(), "evaluations"),
        ("/reform/import".to_string(), "ledger-import"),
    ] {
        visit(&mut b, &path, name).await;
    }
    b.sign_out().await;

    // A county liaison sees its own county's tasks only.
    b.sign_in("xq01", zhengyan::demo::DEMO_PASSWORD).await;
    visit(&mut b, "/reform", "county-task-list").await;
    let rows = b.text("#tasks").await;
    assert!(rows.contains("临江区"), "the county's own tasks are listed: {rows}");
    b.go(&format!("/reform/tasks/{foreign}")).await;
    assert_eq!(b.text("h1").await, "无权访问", "another unit's task is refused");
    b.shot("county-refused-foreign-task").await;
    b.close().await;

    let mut phone = Browser::start(serve(&app).await, "reform-phone", 390, 844).await;
    phone.sign_in("xq01", zhengyan::demo::DEMO_PASSWORD).await;
    visit(&mut phone, "/reform", "county-task-list-phone").await;
    phone.close().await;
}
