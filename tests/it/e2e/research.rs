//! The instruction journey of issue 4 in a real browser: the research office
//! records a city leader's instruction on an output, naming a county liaison
//! to follow it up; the follow-up appears on the liaison's 工作台, coloured;
//! the liaison reports what was done; the office confirms it and it leaves the
//! 工作台. The output then goes into an issue of 《决策参考》, exported as Word.

use axum::http::Method;
use serde_json::json;
use zhengyan::db::Query;

use super::{Browser, serve};
use crate::support::fixtures::PASSWORD;
use crate::support::{Kind, TestApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instruction_on_an_output_reaches_the_owners_workbench_and_is_followed_up() {
    let app = TestApp::new(Kind::Sqlite).await;
    let t = app.tree().await;
    let staff = app.account("staff", t.a, &["research_staff"]).await;
    app.account("owner", t.c, &["unit_liaison"]).await;
    let mut api = app.as_account(staff).await;
    let r = api
        .json(
            Method::POST,
            "/api/v1/research/outputs",
            &json!({ "title": "关于县域产业园区转型升级的调研报告", "kind": "report", "unit_id": t.a.to_string(),
                     "finished_on": "2026-11-20", "authors": "李某 王某",
                     "text": "一、基本情况\n全市园区亩均效益仍然偏低。\n二、对策建议\n建立园区亩均效益评价机制。" }),
        )
        .await;
    r.assert_status(201);
    let output = r.json()["id"].as_i64().unwrap();

    let base = serve(&app).await;
    let mut b = Browser::start(base, "instruction-journey", 1366, 900).await;

    b.sign_in("staff", PASSWORD).await;
    b.go(&format!("/research/outputs/{output}")).await;
    b.fill("leader", "市委书记 张某某").await;
    b.choose("level", "市委主要领导").await;
    b.set_date("instructed_on", "2026-11-22").await;
    b.fill("content", "报告提出的建议很有针对性，请临江区结合实际抓好落实。").await;
    b.fill("follow_up", "制定园区亩均效益评价办法并报送落实情况").await;
    b.choose("owner_id", "测试owner（临江区）").await;
    b.set_date("due_on", "2026-11-27").await;
    b.shot("office-records-instruction").await;
    b.click("#instruction-form button").await;
    let state = b.wait_text("#follow-state", "跟进中").await;
    assert!(state.contains("跟进中"), "{state}");
    b.sign_out().await;

    b.sign_in("owner", PASSWORD).await;
    let row = b.wait_text("#follow-ups", "制定园区亩均效益评价办法").await;
    assert!(row.contains("市委书记 张某某") && row.contains("2026-11-27"), "{row}");
    assert!(b.text("#follow-ups td .badge-yellow").await.contains("距完成时限还有4天"));
    b.shot("owner-workbench").await;
    b.click("#follow-ups tbody a").await;
    b.fill("text", "已起草园区亩均效益评价办法，正在征求意见").await;
    b.click("#report-form button").await;
    assert!(b.wait_text("#follow-state", "已报结果").await.contains("已报结果"));
    b.sign_out().await;

    b.sign_in("staff", PASSWORD).await;
    b.go("/research/instructions").await;
    b.click("#instructions tbody a").await;
    b.click("#confirm-form button[value='confirm']").await;
    assert!(b.wait_text("#follow-state", "已落实").await.contains("已落实"));
    assert!(b.text("#history").await.contains("征求意见"));
    b.shot("office-confirms").await;

    // The output goes into 《决策参考》 and the issue downloads as Word.
    b.go("/research/journal").await;
    b.fill("distribution", "市委常委，市人大常委会、市政府、市政协主要领导").await;
    b.click("#issue-form button").await;
    b.wait_text("h1", "2026年第1期").await;
    b.choose(
        "output_id",
        &format!("成果2026-{output:05} 关于县域产业园区转型升级的调研报告（市委政策研究室）"),
    )
    .await;
    b.click("#article-form button").await;
    b.wait_text("#articles", "关于县域产业园区转型升级的调研报告").await;
    b.click("#publish-form button").await;
    assert!(b.wait_text("#issue-state", "已印发").await.contains("已印发"));
    b.shot("issue-published").await;
    b.click("#issue-docx").await;
    let (name, bytes) = b.download().await;
    assert!(name.ends_with(".docx") && name.contains("决策参考"), "{name}");
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut doc = String::new();
    std::io::Read::read_to_string(&mut z.by_name("word/document.xml").unwrap(), &mut doc).unwrap();
    assert!(doc.contains("建立园区亩均效益评价机制"));
    b.sign_out().await;

    b.sign_in("owner", PASSWORD).await;
    b.wait_text("#cards", "未读消息").await;
    assert!(!b.has("#follow-ups").await, "a confirmed follow-up leaves the 工作台");
    let done: String = app.db().scalar(Query::new("select state from research_instructions")).await.unwrap();
    assert_eq!(done, "done");
    b.close().await;
}
