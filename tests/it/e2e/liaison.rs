//! The grassroots loop of issue 5 in a real browser at phone width (390 px):
//! a contact-point liaison reports a problem with a photo and gets a tracking
//! number; the research office dispatches it; the unit replies; the liaison
//! rates 不满意 with a reason and the case reopens; the unit replies again;
//! the liaison rates 满意 and the case closes.

use zhengyan::db::Query;

use super::{Browser, serve};
use crate::support::fixtures::PASSWORD;
use crate::support::{Kind, TestApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_liaison_reports_from_a_phone_and_the_case_goes_round_to_satisfied() {
    let app = TestApp::new(Kind::Sqlite).await;
    let t = app.tree().await;
    let dept = app.unit(Some(t.root), "市城管局", "department").await;
    let cp = app.unit(Some(t.c1), "东湖社区联系点", "contact_point").await;
    app.db()
        .exec(
            Query::new(
                "insert into liaison_points (unit_id, kind, place, status, updated_at) \
                 values ($1, 'community', '东湖社区', 'active', 0)",
            )
            .bind(cp),
        )
        .await
        .unwrap();
    app.account("office", t.a, &["research_staff"]).await;
    app.account("cgj", dept, &["unit_liaison"]).await;
    app.account("donghu", cp, &["contact_liaison"]).await;
    let photo = std::env::temp_dir().join(format!("zy-photo-{}.png", std::process::id()));
    std::fs::write(
        &photo,
        zhengyan::liaison::chart::columns(
            &[zhengyan::liaison::chart::Column { label: 1, value: 1.0, accent: true }],
            false,
        ),
    )
    .unwrap();

    let base = serve(&app).await;
    let mut b = Browser::start(base, "liaison-journey", 390, 844).await;

    // The liaison reports from a phone.
    b.sign_in("donghu", PASSWORD).await;
    b.go("/liaison/new").await;
    b.fill("title", "东湖社区北门路灯不亮").await;
    b.fill("content", "东湖社区北门外三盏路灯坏了半个月，晚上居民出行摸黑，老人容易摔倒，请尽快维修。").await;
    b.fill("place", "东湖社区北门").await;
    b.attach("#f-files", &photo).await;
    b.shot("liaison-fills-the-form").await;
    b.click("#submit-form button").await;
    let state = b.wait_text("#case-state", "待交办").await;
    assert!(state.contains("待交办"), "{state}");
    assert!(b.text(".flash").await.contains("受理编号JC2026000001"), "a tracking number");
    assert!(b.text("#files").await.contains(".png"), "the photo is kept with the case");
    let width: i64 =
        b.c.execute("return document.documentElement.scrollWidth;", vec![]).await.unwrap().as_i64().unwrap();
    assert!(width <= 390, "nothing wider than the phone: {width}");
    b.shot("tracking-number").await;
    let case_url = b.c.current_url().await.unwrap().path().to_string();
    b.sign_out().await;

    // The office dispatches it.
    b.sign_in("office", PASSWORD).await;
    b.go(&case_url).await;
    // Units are indented by depth in the choice (the city is 0, its departments 1).
    b.choose("unit_id", "\u{3000}市城管局").await;
    b.choose("category", "城市管理").await;
    b.fill("text", "请核实后尽快修复并答复联系点。").await;
    b.click("#dispatch-form button").await;
    assert!(b.wait_text("#case-state", "办理中").await.contains("办理中"));
    assert!(b.text("#handler").await.contains("市城管局"));
    b.shot("office-dispatched").await;
    b.sign_out().await;

    // The unit replies.
    b.sign_in("cgj", PASSWORD).await;
    b.go(&case_url).await;
    b.fill("text", "已安排维修班组更换灯具，北门路灯已恢复照明。").await;
    b.choose("solved", "已解决").await;
    b.click("#reply-form button[value='reply']").await;
    assert!(b.wait_text("#case-state", "待评价").await.contains("待评价"));
    b.shot("unit-replied").await;
    b.sign_out().await;

    // The liaison is not satisfied: the case reopens with the reason.
    b.sign_in("donghu", PASSWORD).await;
    b.go(&case_url).await;
    b.click("#rate-form input[value='unsatisfied']").await;
    b.fill("text", "只修好了一盏，另外两盏还是不亮。").await;
    b.shot("liaison-not-satisfied").await;
    b.click("#rate-form button").await;
    assert!(b.wait_text("#case-state", "办理中").await.contains("办理中"), "reopened");
    assert!(b.text("#rating").await.contains("另外两盏还是不亮"));
    b.sign_out().await;

    // The unit replies again.
    b.sign_in("cgj", PASSWORD).await;
    b.go(&case_url).await;
    b.fill("text", "已更换另外两盏灯具，三盏路灯全部恢复，并加装了定时开关。").await;
    b.choose("solved", "已解决").await;
    b.click("#reply-form button[value='reply']").await;
    assert!(b.wait_text("#case-state", "待评价").await.contains("待评价"));
    b.sign_out().await;

    // Satisfied: the case closes.
    b.sign_in("donghu", PASSWORD).await;
    b.go(&case_url).await;
    b.click("#rate-form input[value='satisfied']").await;
    b.click("#rate-form button").await;
    assert!(b.wait_text("#case-state", "已办结").await.contains("已办结"));
    assert!(b.text("#closed").await.contains("联系点认可"));
    b.shot("closed-satisfied").await;
    let (state, reopens, rating): (String, i64, String) =
        app.db().one(Query::new("select state, reopens, rating from liaison_cases")).await.unwrap();
    assert_eq!((state.as_str(), reopens, rating.as_str()), ("closed", 1, "satisfied"));
    let _ = std::fs::remove_file(&photo);
    b.close().await;
}
