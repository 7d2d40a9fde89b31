//! The reform journey of issue 3 in a real browser: a county liaison reports
//! progress with an attachment; the reform office returns it with a reason;
//! the liaison resubmits; the office accepts; the task's colour changes; the
//! office exports the ledger and the file holds the right rows.

use serde_json::json;
use zhengyan::db::Query;

use super::{Browser, serve};
use crate::support::fixtures::PASSWORD;
use crate::support::{Kind, TestApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_county_liaison_reports_and_the_office_returns_then_accepts() {
    let app = TestApp::new(Kind::Sqlite).await;
    let t = app.tree().await;
    let office = app.account("gb01", t.b, &["reform_staff"]).await;
    app.account("lc01", t.c, &["unit_liaison"]).await;
    // Two tasks of the county, one of another unit; all behind the calendar in late November.
    let mut api = app.as_account(office).await;
    let mut ids = Vec::new();
    for (title, lead) in [
        ("临江区推行“积分制”乡村治理", t.c),
        ("临江区建立新就业群体服务站", t.c),
        ("推行惠企政策“免申即享”", t.a),
    ] {
        let body = json!({ "title": title, "year": "2026", "source": "breaking_zero", "lead_unit_id": lead.to_string(),
            "start_on": "2026-01-05", "deadline": "2026-12-31", "tags": "破零" });
        let r = api.json(axum::http::Method::POST, "/api/v1/reform/tasks", &body).await;
        r.assert_status(200);
        ids.push(r.json()["id"].as_i64().unwrap());
    }
    api.json(
        axum::http::Method::POST,
        &format!("/api/v1/reform/tasks/{}/advance", ids[0]),
        &json!({ "basis": "县委深改委会议确定" }),
    )
    .await
    .assert_status(200);
    let task = ids[0];
    let evidence = tempfile::tempdir().unwrap();
    let pdf = evidence.path().join("积分制实施情况.pdf");
    std::fs::write(
        &pdf,
        b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
    )
    .unwrap();

    let base = serve(&app).await;
    let mut b = Browser::start(base, "reform-journey", 1366, 900).await;

    // The liaison reports with an attachment.
    b.sign_in("lc01", PASSWORD).await;
    b.go(&format!("/reform/tasks/{task}")).await;
    assert!(b.text("#task-colour").await.contains("预警"), "behind the calendar: yellow");
    b.shot("liaison-task-yellow").await;
    b.fill("percent", "35").await;
    b.fill("content", "全县积分制覆盖46个村，累计兑换积分1.2万分").await;
    b.fill("next_steps", "年底前覆盖全部行政村").await;
    b.attach("#f-files", &pdf).await;
    b.shot("liaison-report-form").await;
    b.click("#report-submit").await;
    // The upload takes its time: wait for the report itself, not for any page.
    let mut report = 0_i64;
    for _ in 0..200 {
        let found: Option<i64> =
            app.db().scalar(Query::new("select max(id) from reform_reports")).await.unwrap();
        if let Some(id) = found {
            report = id;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(report > 0, "the report was saved");
    b.find(&format!("#report-{report}")).await;
    b.shot("liaison-report-sent").await;
    let files: i64 = app
        .db()
        .scalar(
            Query::new(
                "select count(*) from attachments where owner_type = 'reform_report' and owner_ref = $1",
            )
            .bind(report.to_string()),
        )
        .await
        .unwrap();
    assert_eq!(files, 1, "the attachment went in with the report");
    b.sign_out().await;

    // The office returns it with a reason.
    b.sign_in("gb01", PASSWORD).await;
    b.go("/reform/reports").await;
    b.shot("office-review-queue").await;
    b.go(&format!("/reform/tasks/{task}")).await;
    b.find(&format!("#return-reason-{report}"))
        .await
        .send_keys("请补充积分兑换的具体数据和佐证照片")
        .await
        .unwrap();
    b.click(&format!("#return-{report}")).await;
    b.find(&format!("#report-{report}.report-returned")).await;
    b.shot("office-returned").await;
    b.sign_out().await;

    // The liaison sees the reason and resubmits.
    b.sign_in("lc01", PASSWORD).await;
    b.go(&format!("/reform/tasks/{task}")).await;
    let returned = b.text(&format!("#report-{report}")).await;
    assert!(returned.contains("请补充积分兑换的具体数据和佐证照片"), "the reason is shown: {returned}");
    b.shot("liaison-sees-reason").await;
    let form = format!("#resubmit-{report}");
    b.click(&format!("#report-{report} details.resubmit summary")).await;
    b.find(&format!("{form} [name='percent']")).await.clear().await.unwrap();
    b.find(&format!("{form} [name='percent']")).await.send_keys("93").await.unwrap();
    b.find(&format!("{form} [name='content']")).await.clear().await.unwrap();
    b.find(&format!("{form} [name='content']"))
        .await
        .send_keys("积分制覆盖全县98个村，兑换积分3.6万分，附兑换台账")
        .await
        .unwrap();
    b.click(&format!("{form} button")).await;
    let second: i64 = loop {
        let id: i64 = app.db().scalar(Query::new("select max(id) from reform_reports")).await.unwrap();
        if id != report {
            break id;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    b.find(&format!("#report-{second}")).await;
    b.shot("liaison-resubmitted").await;
    b.sign_out().await;

    // The office accepts; the colour changes.
    b.sign_in("gb01", PASSWORD).await;
    b.go(&format!("/reform/tasks/{task}")).await;
    assert!(b.text("#task-colour").await.contains("预警"));
    b.click(&format!("#accept-{second}")).await;
    let colour = b.wait_text("#task-colour", "正常推进").await;
    assert!(colour.contains("正常推进"), "accepting 93% turns the task green: {colour}");
    b.shot("office-accepted-green").await;
    let timeline = b.text("#timeline").await;
    assert!(timeline.contains("预警") || timeline.contains("正常"), "{timeline}");

    // The ledger export, filtered to the county, holds its two tasks.
    b.go(&format!("/reform?year=2026&unit={}", t.c)).await;
    b.shot("office-list-county").await;
    b.click("#ledger-export").await;
    let (name, bytes) = b.download().await;
    assert!(name.ends_with(".xlsx"), "{name}");
    let mut titles = crate::reform::ledger_titles(&bytes);
    titles.sort();
    assert_eq!(titles, ["临江区建立新就业群体服务站", "临江区推行“积分制”乡村治理"]);
    b.close().await;
}
