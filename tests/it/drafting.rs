//! The drafting desk over HTTP on both databases: the chain with a return and
//! its comments, versions (typed and uploaded as Word), the comparison,
//! publication, the figures, and who may see and act.

use axum::http::Method;
use serde_json::json;
use zhengyan::db::Query;

use crate::both;
use crate::support::TestApp;

/// A minimal Word document whose paragraphs are `paras`.
pub fn docx(paras: &[&str]) -> Vec<u8> {
    use std::io::Write;
    let mut buf = std::io::Cursor::new(Vec::new());
    let mut z = zip::ZipWriter::new(&mut buf);
    let opts = zip::write::SimpleFileOptions::default();
    z.start_file("[Content_Types].xml", opts).unwrap();
    z.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#).unwrap();
    z.start_file("word/document.xml", opts).unwrap();
    let body: String = paras.iter().map(|p| format!("<w:p><w:r><w:t>{p}</w:t></w:r></w:p>")).collect();
    z.write_all(format!(r#"<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#).as_bytes()).unwrap();
    z.finish().unwrap();
    buf.into_inner()
}

/// Drafter and reviewer in the research office (`b`), the final checker a
/// leader, an outsider liaison in `c`; one task of 24 hours.
pub struct Desk {
    pub drafter: i64,
    pub reviewer: i64,
    pub checker: i64,
    pub outsider: i64,
    pub task: i64,
}

pub async fn desk(app: &TestApp) -> Desk {
    let t = app.tree().await;
    let drafter = app.account("drafter", t.b, &["research_staff"]).await;
    let reviewer = app.account("reviewer", t.b, &["research_staff"]).await;
    let checker = app.account("checker", t.root, &["leader"]).await;
    let outsider = app.account("outsider", t.c, &["unit_liaison"]).await;
    let mut c = app.as_account(drafter).await;
    let r = c
        .json(
            Method::POST,
            "/api/v1/drafting/tasks",
            &json!({
                "title": "在全市优化营商环境大会上的讲话",
                "kind": "speech",
                "requester": "市委主要领导",
                "unit_id": t.b.to_string(),
                "due_hours": "24",
                "drafter_ids": [drafter.to_string()],
                "reviewer_id": reviewer.to_string(),
                "checker_id": checker.to_string(),
            }),
        )
        .await;
    r.assert_status(201);
    Desk { drafter, reviewer, checker, outsider, task: r.json()["id"].as_i64().unwrap() }
}

async fn state(app: &TestApp, id: i64) -> String {
    app.db().scalar(Query::new("select state from drafting_tasks where id = $1").bind(id)).await.unwrap()
}

both! {
    async fn the_chain_runs_with_a_return_and_every_version_is_kept(kind: Kind) {
        let app = TestApp::new(kind).await;
        let d = desk(&app).await;
        let id = d.task;
        let mut drafter = app.as_account(d.drafter).await;
        let mut reviewer = app.as_account(d.reviewer).await;
        let mut checker = app.as_account(d.checker).await;
        let step = |s: &str, comment: &str| json!({ "step": s, "comment": comment });
        let steps = format!("/api/v1/drafting/tasks/{id}/steps");

        // Nothing to submit yet.
        drafter.json(Method::POST, &steps, &step("submit", "")).await.assert_status(409);
        let v1 = "一、充分认识优化营商环境的重要意义\n坚持问题导向，破解企业办事难题。";
        let r = drafter.json(Method::POST, &format!("/api/v1/drafting/tasks/{id}/versions"), &json!({ "text": v1 })).await;
        r.assert_status(201);
        assert_eq!(r.json()["no"], 1);
        drafter.json(Method::POST, &steps, &step("submit", "")).await.assert_status(200);
        assert_eq!(state(&app, id).await, "review");

        // In review: no new version, the checker may not review, a return needs comments.
        drafter.json(Method::POST, &format!("/api/v1/drafting/tasks/{id}/versions"), &json!({ "text": "改" })).await.assert_status(409);
        checker.json(Method::POST, &steps, &step("approve", "")).await.assert_status(409);
        let r = reviewer.json(Method::POST, &steps, &step("return", "")).await;
        r.assert_status(422);
        assert!(r.json()["error"]["fields"]["comment"].is_string(), "{}", r.text());
        reviewer.json(Method::POST, &steps, &step("return", "第二段改为目标导向，补充数据")).await.assert_status(200);
        assert_eq!(state(&app, id).await, "drafting");
        let told: i64 = app.db().scalar(Query::new("select count(*) from notifications where account_id = $1 and title like '文稿被退回%'").bind(d.drafter)).await.unwrap();
        assert_eq!(told, 1, "the drafter is told of the return");

        // v2 arrives as a Word document through the page; its text is read.
        drafter.get(&format!("/drafting/{id}")).await.assert_status(200);
        let doc = docx(&["一、充分认识优化营商环境的重要意义", "坚持目标导向，破解企业办事难题。2026年新增市场主体1.2万户。"]);
        let r = drafter.upload(&format!("/drafting/{id}/versions"), "讲话稿第二稿.docx", &doc, &[("note", "按审核意见修改")]).await;
        r.assert_status(303);
        let (no, body, attachment): (i64, String, Option<i64>) = app.db()
            .one(Query::new("select no, body, attachment_id from drafting_versions where task_id = $1 order by no desc limit 1").bind(id))
            .await.unwrap();
        assert_eq!(no, 2);
        assert!(body.contains("坚持目标导向"), "{body}");
        assert!(attachment.is_some(), "the uploaded file is kept");
        let v = reviewer.get(&format!("/drafting/{id}/versions/2")).await;
        v.assert_status(200);
        assert_eq!(v.select("#version-text p").len(), 2, "one paragraph per line");

        // The comparison marks what changed.
        let r = reviewer.get(&format!("/api/v1/drafting/tasks/{id}/compare?a=1&b=2")).await;
        r.assert_status(200);
        let cmp = r.json();
        let rows = cmp["rows"].as_array().unwrap();
        assert_eq!(rows[0]["kind"], "same");
        assert!(rows[1]["left"].as_str().unwrap().contains("<del>问题</del>"), "{cmp}");
        assert!(rows[1]["right"].as_str().unwrap().contains("<ins>目标</ins>"), "{cmp}");
        let page = reviewer.get(&format!("/drafting/{id}/compare?a=1&b=2")).await;
        page.assert_status(200);
        assert!(!page.select("#diff del").is_empty() && !page.select("#diff ins").is_empty());

        // Publication only after issue.
        let pubs = format!("/api/v1/drafting/tasks/{id}/publications");
        drafter.json(Method::POST, &pubs, &json!({ "outlet": "《决策参考》", "published_on": "2026-11-24" })).await.assert_status(409);

        drafter.json(Method::POST, &steps, &step("submit", "")).await.assert_status(200);
        reviewer.json(Method::POST, &steps, &step("approve", "")).await.assert_status(200);
        assert_eq!(state(&app, id).await, "check");
        reviewer.json(Method::POST, &steps, &step("approve", "")).await.assert_status(409);
        app.advance_minutes(600);
        // Sessions lapse when idle for hours; sign in again.
        let mut checker = app.as_account(d.checker).await;
        let mut drafter = app.as_account(d.drafter).await;
        checker.json(Method::POST, &steps, &step("approve", "同意")).await.assert_status(200);
        assert_eq!(state(&app, id).await, "final");
        checker.json(Method::POST, &steps, &step("issue", "")).await.assert_status(409);
        drafter.json(Method::POST, &steps, &step("issue", "")).await.assert_status(200);
        assert_eq!(state(&app, id).await, "issued");
        let r = drafter.json(Method::POST, &pubs, &json!({ "outlet": "", "published_on": "不是日期" })).await;
        r.assert_status(422);
        drafter.json(Method::POST, &pubs, &json!({ "outlet": "《决策参考》", "published_on": "2026-11-24", "reach": "全文刊发" })).await.assert_status(201);

        // The history holds every step with the return's comments.
        let detail = drafter.get(&format!("/api/v1/drafting/tasks/{id}")).await.json();
        let actions: Vec<&str> = detail["history"].as_array().unwrap().iter().map(|h| h["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["submit", "return", "submit", "approve", "approve", "issue"]);
        assert_eq!(detail["history"][1]["comment"], "第二段改为目标导向，补充数据");
        assert_eq!(detail["versions"].as_array().unwrap().len(), 2);
        let audited: i64 = app.db().scalar(Query::new("select count(*) from audit_events where action like 'drafting.%'")).await.unwrap();
        assert_eq!(audited, 1 + 2 + 6 + 1, "create, two versions, six steps, one publication");

        // Issued 10 hours after it was opened, within its 24 hours.
        let f = drafter.get("/api/v1/drafting/figures?year=2026").await.json();
        assert_eq!(f["issued"], 1);
        assert_eq!(f["on_time"], 1);
        assert_eq!(f["median_hours"], 10.0);
        let speech = f["rows"].as_array().unwrap().iter().find(|r| r["kind"] == "讲话稿").unwrap().clone();
        assert_eq!(speech["months"][10], 1, "opened in November");
    }
}

both! {
    async fn only_the_desk_and_the_named_people_see_a_draft(kind: Kind) {
        let app = TestApp::new(kind).await;
        let d = desk(&app).await;
        let mut outsider = app.as_account(d.outsider).await;
        outsider.get(&format!("/api/v1/drafting/tasks/{}", d.task)).await.assert_status(403);
        outsider.get(&format!("/drafting/{}", d.task)).await.assert_status(403);
        outsider.get(&format!("/api/v1/drafting/tasks/{}/compare?a=1&b=1", d.task)).await.assert_status(403);
        // The checker (a leader elsewhere in the tree) sees it in the list of what waits for them.
        let mut checker = app.as_account(d.checker).await;
        let page = checker.get("/drafting?year=2026").await;
        page.assert_status(200);
        assert_eq!(page.select("#drafts tbody a").len(), 1);
        let mine = checker.get("/drafting?year=2026&mine=1").await;
        assert_eq!(mine.select("#drafts tbody a").len(), 0, "nothing waits for the checker while it is drafted");
        // A reviewer who is not a drafter cannot add versions.
        let mut reviewer = app.as_account(d.reviewer).await;
        reviewer
            .json(Method::POST, &format!("/api/v1/drafting/tasks/{}/versions", d.task), &json!({ "text": "代拟" }))
            .await
            .assert_status(403);
        // Bad input is named by field.
        let mut drafter = app.as_account(d.drafter).await;
        let r = drafter.json(Method::POST, "/api/v1/drafting/tasks", &json!({ "title": "", "kind": "x", "due_hours": "0" })).await;
        r.assert_status(422);
        let fields = r.json()["error"]["fields"].clone();
        for f in ["title", "kind", "due_hours", "unit_id", "drafter_ids", "reviewer_id", "checker_id"] {
            assert!(fields[f].is_string(), "{f}: {fields}");
        }
    }
}
