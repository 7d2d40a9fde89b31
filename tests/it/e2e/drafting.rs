//! The drafting journey of issue 4 in a real browser: the drafter uploads the
//! first version as a Word file; the reviewer returns it with comments; the
//! second version is uploaded; the reviewer views the side-by-side comparison
//! and approves; the leader's final check approves; the drafter issues it.

use zhengyan::db::Query;

use super::{Browser, serve};
use crate::drafting::{desk, docx};
use crate::support::fixtures::PASSWORD;
use crate::support::{Kind, TestApp};

async fn version_count(app: &TestApp, id: i64) -> i64 {
    app.db().scalar(Query::new("select versions from drafting_tasks where id = $1").bind(id)).await.unwrap()
}

async fn upload(b: &mut Browser, app: &TestApp, id: i64, file: &std::path::Path, note: &str, want: i64) {
    b.go(&format!("/drafting/{id}")).await;
    b.attach("#f-file", file).await;
    b.fill("note", note).await;
    b.click("#version-form button").await;
    for _ in 0..200 {
        if version_count(app, id).await == want {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(version_count(app, id).await, want, "version {want} saved");
    let listed = b.wait_text("#versions", &format!("第{want}稿")).await;
    assert!(listed.contains(&format!("第{want}稿")), "{listed}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_draft_goes_through_review_return_diff_check_and_issue() {
    let app = TestApp::new(Kind::Sqlite).await;
    let d = desk(&app).await;
    let id = d.task;
    let files = tempfile::tempdir().unwrap();
    let v1 = files.path().join("讲话稿第一稿.docx");
    std::fs::write(&v1, docx(&["一、充分认识优化营商环境的重要意义", "坚持问题导向，破解企业办事难题。"]))
        .unwrap();
    let v2 = files.path().join("讲话稿第二稿.docx");
    std::fs::write(
        &v2,
        docx(&[
            "一、充分认识优化营商环境的重要意义",
            "坚持目标导向，破解企业办事难题，今年新增市场主体1.2万户。",
        ]),
    )
    .unwrap();

    let base = serve(&app).await;
    let mut b = Browser::start(base, "drafting-journey", 1366, 900).await;

    b.sign_in("drafter", PASSWORD).await;
    upload(&mut b, &app, id, &v1, "初稿", 1).await;
    b.shot("drafter-v1").await;
    b.click("#submit-form button").await;
    assert!(b.wait_text("#state", "待审核").await.contains("待审核"));
    b.sign_out().await;

    b.sign_in("reviewer", PASSWORD).await;
    b.go("/drafting?mine=1").await;
    b.click("#drafts tbody a").await;
    b.fill("comment", "第二段改为目标导向，补充市场主体数据").await;
    b.shot("reviewer-comments").await;
    b.click("#return").await;
    assert!(b.wait_text("#state", "起草中").await.contains("起草中"));
    assert!(b.text("#history").await.contains("第二段改为目标导向"));
    b.sign_out().await;

    b.sign_in("drafter", PASSWORD).await;
    upload(&mut b, &app, id, &v2, "按审核意见修改", 2).await;
    b.click("#submit-form button").await;
    b.wait_text("#state", "待审核").await;
    b.sign_out().await;

    b.sign_in("reviewer", PASSWORD).await;
    b.go(&format!("/drafting/{id}")).await;
    b.click("#compare-last").await;
    let summary = b.wait_text("#diff-summary", "改动").await;
    assert!(summary.contains("改动 1 段"), "{summary}");
    assert_eq!(b.text("#diff tr.diff-changed td del").await, "问题");
    b.shot("reviewer-diff").await;
    b.go(&format!("/drafting/{id}")).await;
    b.click("#approve").await;
    assert!(b.wait_text("#state", "待把关").await.contains("待把关"));
    b.sign_out().await;

    b.sign_in("checker", PASSWORD).await;
    b.go(&format!("/drafting/{id}")).await;
    b.click("#approve").await;
    assert!(b.wait_text("#state", "已定稿").await.contains("已定稿"));
    b.sign_out().await;

    b.sign_in("drafter", PASSWORD).await;
    b.go(&format!("/drafting/{id}")).await;
    b.click("#issue-form button").await;
    assert!(b.wait_text("#state", "已印发").await.contains("已印发"));
    b.shot("drafter-issued").await;
    let state: String =
        app.db().scalar(Query::new("select state from drafting_tasks where id = $1").bind(id)).await.unwrap();
    assert_eq!(state, "issued");
    b.close().await;
}
