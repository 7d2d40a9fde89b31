//! Reform tasks over HTTP on both databases: the lifecycle guards, the
//! report → return → resubmit → accept loop with its colour change, data scopes
//! on every route (pages, API, counts, exports), and the ledger import's
//! all-or-nothing errors.

use axum::http::Method;
use serde_json::json;
use zhengyan::authz::{Action, Module, ScopeKind};
use zhengyan::db::Query;

use crate::both;
use crate::support::fixtures::Tree;
use crate::support::{Client, TestApp};

/// The reform office in `b`, a liaison in `c` and one in `a`; one task led by
/// `c` (with `c1` cooperating) and one led by `a`.
struct World {
    t: Tree,
    office: i64,
    liaison_c: i64,
    liaison_a: i64,
    task_c: i64,
    task_a: i64,
}

async fn create_task(office: &mut Client<'_>, title: &str, lead: i64, coop: &[i64], deadline: &str) -> i64 {
    let body = json!({
        "title": title,
        "year": "2026",
        "source": "city",
        "field": "economy",
        "lead_unit_id": lead.to_string(),
        "unit_ids": coop.iter().map(|u| u.to_string()).collect::<Vec<_>>(),
        "leader_name": "王建国",
        "goals": "年底前形成制度成果",
        "start_on": "2026-01-05",
        "deadline": deadline,
        "tags": "破零",
    });
    let r = office.json(Method::POST, "/api/v1/reform/tasks", &body).await;
    r.assert_status(200);
    r.json()["id"].as_i64().expect("id")
}

async fn world(app: &TestApp) -> World {
    let t = app.tree().await;
    let office = app.account("gb", t.b, &["reform_staff"]).await;
    let liaison_c = app.account("lc", t.c, &["unit_liaison"]).await;
    let liaison_a = app.account("la", t.a, &["unit_liaison"]).await;
    let mut c = app.as_account(office).await;
    let task_c = create_task(&mut c, "临江区建立农村产权流转交易平台", t.c, &[t.c1], "2026-12-31").await;
    let task_a = create_task(&mut c, "推行涉企政策“免申即享”", t.a, &[], "2026-12-31").await;
    World { t, office, liaison_c, liaison_a, task_c, task_a }
}

async fn advance(c: &mut Client<'_>, id: i64, body: serde_json::Value) -> crate::support::Resp {
    c.json(Method::POST, &format!("/api/v1/reform/tasks/{id}/advance"), &body).await
}

async fn stage_of(app: &TestApp, id: i64) -> String {
    app.db().scalar(Query::new("select stage from reform_tasks where id = $1").bind(id)).await.unwrap()
}

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

both! {
    async fn a_stage_closes_only_with_its_evidence_and_a_step_back_needs_a_reason(kind: Kind) {
        let app = TestApp::new(kind).await;
        let w = world(&app).await;
        let mut office = app.as_account(w.office).await;
        let id = w.task_c;
        // 改革立项 needs its basis.
        let r = advance(&mut office, id, json!({})).await;
        r.assert_status(422);
        assert!(r.json()["error"]["fields"]["basis"].is_string(), "{}", r.text());
        advance(&mut office, id, json!({ "basis": "市委深改委年度工作要点" })).await.assert_status(200);
        assert_eq!(stage_of(&app, id).await, "plan");
        // 方案研究 needs the plan document uploaded to this task.
        let r = advance(&mut office, id, json!({ "plan_title": "实施方案" })).await;
        r.assert_status(422);
        assert!(r.json()["error"]["fields"]["attachment"].is_string(), "{}", r.text());
        let other: i64 = {
            let r = office
                .upload("/api/v1/attachments", "方案.pdf", PDF, &[("owner_type", "reform_task"), ("owner_ref", &w.task_a.to_string())])
                .await;
            r.assert_status(200);
            r.json()["id"].as_i64().unwrap()
        };
        let r = advance(&mut office, id, json!({ "plan_title": "实施方案", "attachment_id": other })).await;
        r.assert_status(422);
        assert_eq!(stage_of(&app, id).await, "plan", "a document of another task is not this task's plan");
        office
            .upload(&format!("/reform/tasks/{id}/advance"), "实施方案.pdf", PDF, &[("plan_title", "实施方案")])
            .await
            .assert_status(303);
        assert_eq!(stage_of(&app, id).await, "review");
        // 专家论证 needs an expert with an opinion.
        advance(&mut office, id, json!({ "experts": [{ "name": "周明远", "opinion": "" }] })).await.assert_status(422);
        advance(&mut office, id, json!({ "experts": [{ "name": "周明远", "title": "教授", "opinion": "方案可行" }] }))
            .await
            .assert_status(200);
        // 审议决定 needs the meeting, date, document number and decision.
        let r = advance(&mut office, id, json!({ "meeting": "市委深改委会议", "date": "2026-03-01", "decision": "通过" })).await;
        r.assert_status(422);
        assert!(r.json()["error"]["fields"]["doc_no"].is_string());
        advance(&mut office, id, json!({ "meeting": "市委深改委会议", "date": "2026-03-01", "doc_no": "云改发〔2026〕3号", "decision": "通过" }))
            .await
            .assert_status(200);
        assert_eq!(stage_of(&app, id).await, "implementation");
        // A step back needs a reason, and lands on the previous stage only.
        let back = format!("/api/v1/reform/tasks/{id}/back");
        office.json(Method::POST, &back, &json!({ "reason": "" })).await.assert_status(422);
        office.json(Method::POST, &back, &json!({ "reason": "方案需按新要求修改" })).await.assert_status(200);
        assert_eq!(stage_of(&app, id).await, "decision");
        advance(&mut office, id, json!({ "meeting": "市委深改委会议", "date": "2026-04-01", "doc_no": "云改发〔2026〕9号", "decision": "修改后通过" }))
            .await
            .assert_status(200);
        advance(&mut office, id, json!({ "summary": "已全面实施" })).await.assert_status(200);
        advance(&mut office, id, json!({ "summary": "督察考评良好" })).await.assert_status(200);
        // A failed acceptance cannot close the task.
        let r = advance(&mut office, id, json!({ "result": "failed", "date": "2026-11-01", "decision": "未达预期" })).await;
        r.assert_status(422);
        assert_eq!(stage_of(&app, id).await, "acceptance");
        advance(&mut office, id, json!({ "result": "passed", "date": "2026-11-20", "decision": "同意结项" })).await.assert_status(200);
        let (stage, status, progress, colour): (String, String, i64, String) = app
            .db()
            .one(Query::new("select stage, status, progress, colour from reform_tasks where id = $1").bind(id))
            .await
            .unwrap();
        assert_eq!((stage.as_str(), status.as_str(), progress, colour.as_str()), ("done", "done", 100, "blue"));
        // The first stage cannot step back.
        let first = w.task_a;
        let r = office.json(Method::POST, &format!("/api/v1/reform/tasks/{first}/back"), &json!({ "reason": "重来" })).await;
        r.assert_status(422);
        assert!(r.text().contains("改革立项是第一个阶段"), "{}", r.text());
        // Every move is in the timeline and in the audit trail.
        let events: Vec<(String, String, String)> = app
            .db()
            .all(Query::new("select kind, from_stage, to_stage from reform_task_events where task_id = $1 order by id").bind(id))
            .await
            .unwrap();
        let moves: Vec<String> = events.iter().filter(|e| e.0 != "create").map(|e| format!("{}:{}>{}", e.0, e.1, e.2)).collect();
        assert_eq!(
            moves,
            [
                "forward:approval>plan",
                "forward:plan>review",
                "forward:review>decision",
                "forward:decision>implementation",
                "back:implementation>decision",
                "forward:decision>implementation",
                "forward:implementation>supervision",
                "forward:supervision>acceptance",
                "forward:acceptance>done",
            ]
        );
        let audited: i64 = app
            .db()
            .scalar(Query::new("select count(*) from audit_events where action in ('reform.stage_advance', 'reform.stage_back') and object_id = $1").bind(id.to_string()))
            .await
            .unwrap();
        assert_eq!(audited, 9);
        let page = office.get(&format!("/reform/tasks/{id}")).await;
        page.assert_status(200);
        assert!(page.text().contains("方案需按新要求修改"), "the step back's reason is in the timeline");
    }
}

both! {
    async fn a_report_is_returned_resubmitted_accepted_and_the_colour_follows(kind: Kind) {
        let app = TestApp::new(kind).await;
        let w = world(&app).await;
        let mut office = app.as_account(w.office).await;
        let id = w.task_c;
        for body in [
            json!({ "basis": "上级部署" }),
        ] {
            advance(&mut office, id, body).await.assert_status(200);
        }
        // Late November with 5% done against a year-end deadline: behind the calendar.
        let colour = |app: &TestApp| {
            let db = app.db().clone();
            async move { db.scalar::<String>(Query::new("select colour from reform_tasks where id = $1").bind(id)).await.unwrap() }
        };
        let mut liaison = app.as_account(w.liaison_c).await;
        let sent = liaison
            .upload(
                &format!("/reform/tasks/{id}/reports"),
                "佐证材料.pdf",
                PDF,
                &[("percent", "30"), ("content", "完成平台选址和制度起草"), ("problems", ""), ("next_steps", "上线试运行")],
            )
            .await;
        sent.assert_status(303);
        let rid: i64 = app.db().scalar(Query::new("select max(id) from reform_reports where task_id = $1").bind(id)).await.unwrap();
        let files: i64 = app
            .db()
            .scalar(Query::new("select count(*) from attachments where owner_type = 'reform_report' and owner_ref = $1").bind(rid.to_string()))
            .await
            .unwrap();
        assert_eq!(files, 1, "the attachment is stored with the report");
        // A second report while one waits is refused.
        let again = liaison
            .upload(&format!("/reform/tasks/{id}/reports"), "b.pdf", PDF, &[("percent", "40"), ("content", "再报")])
            .await;
        assert_eq!(again.status, 303);
        let waiting: i64 = app.db().scalar(Query::new("select count(*) from reform_reports where task_id = $1").bind(id)).await.unwrap();
        assert_eq!(waiting, 1);
        // The liaison cannot review; the office returns only with a reason.
        liaison.post_form(&format!("/reform/reports/{rid}/accept"), &[]).await.assert_status(403);
        let r = office.post_form(&format!("/reform/reports/{rid}/return"), &[("reason", "")]).await;
        assert_ne!(r.status, 500);
        let status: String = app.db().scalar(Query::new("select status from reform_reports where id = $1").bind(rid)).await.unwrap();
        assert_eq!(status, "submitted");
        office.post_form(&format!("/reform/reports/{rid}/return"), &[("reason", "请补充量化数据")]).await.assert_status(303);
        let (status, reason): (String, String) =
            app.db().one(Query::new("select status, return_reason from reform_reports where id = $1").bind(rid)).await.unwrap();
        assert_eq!((status.as_str(), reason.as_str()), ("returned", "请补充量化数据"));
        let before = colour(&app).await;
        assert_eq!(before, "yellow", "5% done in late November is behind the calendar");
        liaison
            .upload(&format!("/reform/reports/{rid}/resubmit"), "补充.pdf", PDF, &[("percent", "92"), ("content", "平台已上线，交易额1200万元")])
            .await
            .assert_status(303);
        let (rid2, version, supersedes): (i64, i64, Option<i64>) = app
            .db()
            .one(Query::new("select id, version, supersedes_id from reform_reports where task_id = $1 and status = 'submitted'").bind(id))
            .await
            .unwrap();
        assert_eq!((version, supersedes), (2, Some(rid)));
        office.post_form(&format!("/reform/reports/{rid2}/accept"), &[]).await.assert_status(303);
        let progress: i64 = app.db().scalar(Query::new("select progress from reform_tasks where id = $1").bind(id)).await.unwrap();
        assert_eq!(progress, 92);
        assert_eq!(colour(&app).await, "green", "accepting 92% lifts the task out of yellow");
        let history: i64 = app.db().scalar(Query::new("select count(*) from reform_colour_history where task_id = $1").bind(id)).await.unwrap();
        assert!(history >= 2, "colour changes are kept");
    }
}

both! {
    async fn another_unit_is_refused_on_every_route_and_absent_from_lists_counts_and_exports(kind: Kind) {
        let app = TestApp::new(kind).await;
        let w = world(&app).await;
        // A report waiting on the other unit's task, and a milestone on it.
        let mut la = app.as_account(w.liaison_a).await;
        la.json(Method::POST, &format!("/api/v1/reform/tasks/{}/reports", w.task_a), &json!({ "percent": "20", "content": "起草方案" }))
            .await
            .assert_status(200);
        let foreign_report: i64 =
            app.db().scalar(Query::new("select id from reform_reports where task_id = $1").bind(w.task_a)).await.unwrap();
        let mut office = app.as_account(w.office).await;
        office
            .json(Method::POST, &format!("/api/v1/reform/tasks/{}/milestones", w.task_a), &json!({ "name": "方案印发", "due_on": "2026-12-01" }))
            .await
            .assert_status(200);
        let milestone: i64 =
            app.db().scalar(Query::new("select id from reform_milestones where task_id = $1").bind(w.task_a)).await.unwrap();

        let mut c = app.as_account(w.liaison_c).await;
        let a = w.task_a;
        for path in [
            format!("/reform/tasks/{a}"),
            format!("/reform/tasks/{a}/edit"),
            format!("/api/v1/reform/tasks/{a}"),
            format!("/api/v1/reform/tasks/{a}/reports"),
        ] {
            c.get(&path).await.assert_status(403);
        }
        for (path, fields) in [
            (format!("/reform/tasks/{a}"), vec![("title", "改名")]),
            (format!("/reform/tasks/{a}/status"), vec![("status", "suspended"), ("reason", "x")]),
            (format!("/reform/tasks/{a}/back"), vec![("reason", "x")]),
            (format!("/reform/tasks/{a}/milestones"), vec![("name", "x"), ("due_on", "2026-12-01")]),
            (format!("/reform/tasks/{a}/milestones/{milestone}/done"), vec![]),
            (format!("/reform/reports/{foreign_report}/accept"), vec![]),
            (format!("/reform/reports/{foreign_report}/return"), vec![("reason", "x")]),
            (format!("/reform/tasks/{a}/rating"), vec![("comment", "x")]),
        ] {
            let r = c.post_form(&path, &fields).await;
            assert_eq!(r.status, 403, "POST {path}: {}", r.text());
        }
        for (path, body) in [
            (format!("/api/v1/reform/tasks/{a}/reports"), json!({ "percent": "50", "content": "越权报送" })),
            (format!("/api/v1/reform/tasks/{a}/advance"), json!({ "basis": "x" })),
            (format!("/api/v1/reform/tasks/{a}/back"), json!({ "reason": "x" })),
            (format!("/api/v1/reform/tasks/{a}/status"), json!({ "status": "suspended", "reason": "x" })),
            (format!("/api/v1/reform/reports/{foreign_report}/accept"), json!({})),
            (format!("/api/v1/reform/reports/{foreign_report}/resubmit"), json!({ "percent": "50", "content": "x" })),
        ] {
            let r = c.json(Method::POST, &path, &body).await;
            assert!(r.status == 403 || r.status == 409, "POST {path}: {} {}", r.status, r.text());
            assert_ne!(r.status, 200);
        }
        let r = c.json(Method::PUT, &format!("/api/v1/reform/tasks/{a}"), &json!({ "title": "x" })).await;
        assert_eq!(r.status, 403);
        // Office-only pages and actions.
        for path in ["/reform/import", "/reform/assessment/scheme", "/reform/tasks/new"] {
            let r = c.get(path).await;
            assert_eq!(r.status, 403, "GET {path}");
        }
        let scores = c.get("/reform/evaluations?year=2026").await;
        scores.assert_status(200);
        assert!(scores.text().contains("临江区") && !scores.text().contains("市委政策研究室"), "scores of the own unit only");
        c.post_form("/reform/inspections", &[("title", "x")]).await.assert_status(403);
        c.post_form("/reform/notices", &[("title", "x")]).await.assert_status(403);
        c.post_form("/reform/assessment/scheme", &[("year", "2026")]).await.assert_status(403);
        c.json(Method::POST, "/api/v1/reform/tasks", &json!({ "title": "x" })).await.assert_status(403);
        // Lists and counts hold only the unit's own task.
        let list = c.get("/reform?year=2026").await;
        list.assert_status(200);
        let text = list.text();
        assert!(text.contains("临江区建立农村产权流转交易平台"));
        assert!(!text.contains("免申即享"), "the other unit's task is not listed");
        let api = c.get("/api/v1/reform/tasks?year=2026").await;
        api.assert_status(200);
        let body = api.json();
        assert_eq!(body["total"], 1, "{body}");
        let counts = c.get("/api/v1/reform/tasks/counts?year=2026").await.json();
        let total: i64 = counts.as_array().map_or(0, |a| a.iter().map(|x| x["count"].as_i64().unwrap_or(0)).sum());
        assert_eq!(total, 1, "counts cover the own task only: {counts}");
        let halfway = c.get("/api/v1/reform/halfway?date=2026-11-23").await.json();
        assert_eq!(halfway["overall"]["total"], 1, "{halfway}");
        let queue = c.get("/api/v1/reform/reports/queue").await;
        assert!(queue.status == 403 || queue.json().as_array().is_some_and(|q| q.is_empty()));
        // The cooperating unit c1 sees the task it works on; its parent's liaison
        // sees nothing more than its own unit allows.
        let lc1 = app.account("lc1", w.t.c1, &["unit_liaison"]).await;
        let mut c1 = app.as_account(lc1).await;
        c1.get(&format!("/reform/tasks/{}", w.task_c)).await.assert_status(200);
        c1.get(&format!("/reform/tasks/{a}")).await.assert_status(403);
        // Exports hold the rows the scope allows, counted inside the query.
        let role = app
            .role("county_exporter", &[(Module::Reform, Action::Read, ScopeKind::Unit), (Module::Reform, Action::Export, ScopeKind::Unit)])
            .await;
        let exporter = app.account("ex", w.t.c, &[&role]).await;
        let mut ex = app.as_account(exporter).await;
        for path in ["/reform/export?year=2026", "/api/v1/reform/ledger?year=2026"] {
            let r = ex.get(path).await;
            r.assert_status(200);
            let titles = ledger_titles(&r.bytes);
            assert_eq!(titles, ["临江区建立农村产权流转交易平台"], "{path}");
        }
        c.get("/reform/export?year=2026").await.assert_status(403);
    }
}

/// The task titles in an exported ledger.
pub fn ledger_titles(bytes: &[u8]) -> Vec<String> {
    ledger_column(bytes, "改革任务").into_iter().filter(|t| !t.is_empty()).collect()
}

/// An xlsx with the given rows (first row the header).
fn xlsx(rows: &[&[&str]]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, *v).expect("cell");
        }
    }
    book.save_to_buffer().expect("xlsx")
}

/// (what is wrong, the file, words the errors must hold, the (row, column) named).
type BadLedger = (&'static str, Vec<u8>, &'static str, Option<(i64, &'static str)>);

async fn import(c: &mut Client<'_>, bytes: &[u8]) -> crate::support::Resp {
    c.upload("/api/v1/reform/ledger", "台账.xlsx", bytes, &[]).await
}

both! {
    async fn a_ledger_with_any_error_writes_nothing_and_names_row_and_column(kind: Kind) {
        let app = TestApp::new(kind).await;
        let t = app.tree().await;
        let office = app.account("gb", t.b, &["reform_staff"]).await;
        let mut c = app.as_account(office).await;
        let count = |app: &TestApp| {
            let db = app.db().clone();
            async move { db.scalar::<i64>(Query::new("select count(*) from reform_tasks")).await.unwrap() }
        };
        let audit_before: i64 = app.db().scalar(Query::new("select count(*) from audit_events")).await.unwrap();
        let head: &[&str] = &["序号", "改革任务", "来源", "牵头部门", "配合单位", "完成时间"];
        let good: &[&str] = &["1", "推进城市社区网格化治理", "市委部署", "临江区", "", "2026年10月底前"];
        let cases: Vec<BadLedger> = vec![
            ("missing column", xlsx(&[&["序号", "改革任务", "来源", "完成时间"], &["1", "任务甲", "市委部署", "2026-10-31"]]), "牵头单位", None),
            ("bad date", xlsx(&[head, good, &["2", "推进老旧小区改造", "市委部署", "临江区", "", "明年春天"]]), "完成时限", Some((3, "完成时限"))),
            ("unknown unit", xlsx(&[head, good, &["2", "推进老旧小区改造", "市委部署", "不存在的局", "", "2026.10"]]), "牵头单位", Some((3, "牵头单位"))),
            ("duplicate row", xlsx(&[head, good, good]), "重复", Some((3, "改革任务"))),
            ("empty file", xlsx(&[]), "", None),
            ("not an xlsx", b"%PDF-1.4 this is not a workbook".to_vec(), "", None),
        ];
        for (what, bytes, words, at) in cases {
            let r = import(&mut c, &bytes).await;
            assert_eq!(r.status, 422, "{what}: {}", r.text());
            let body = r.json();
            let rows = body["error"]["rows"].as_array().cloned().unwrap_or_default();
            assert!(!rows.is_empty(), "{what}: errors are listed: {body}");
            let all = serde_json::to_string(&rows).unwrap();
            assert!(all.contains(words), "{what}: {all}");
            if let Some((row, column)) = at {
                assert!(
                    rows.iter().any(|e| e["row"] == row && e["column"] == column),
                    "{what}: row {row} column {column} in {all}"
                );
            }
            assert_eq!(count(&app).await, 0, "{what}: nothing written");
        }
        let audit_after: i64 = app.db().scalar(Query::new("select count(*) from audit_events")).await.unwrap();
        assert_eq!(audit_before, audit_after, "a refused import leaves no trace but the refusal");
        // The same rows without the mistakes go in, with the tolerant headers and dates.
        let r = import(&mut c, &xlsx(&[head, good, &["2", "推进老旧小区改造", "市委部署", "临江区", "", "2026.10"]])).await;
        r.assert_status(200);
        assert_eq!(count(&app).await, 2);
        let deadlines: Vec<(String,)> = app
            .db()
            .all(Query::new("select cast(deadline as text) from reform_tasks order by id"))
            .await
            .unwrap();
        assert_eq!(deadlines, [("2026-10-31".to_string(),), ("2026-10-31".to_string(),)]);
        // Importing the office's own export changes nothing.
        let exported = c.get("/reform/export?year=2026").await;
        exported.assert_status(200);
        let before: Vec<(i64, String, i64)> =
            app.db().all(Query::new("select id, title, updated_at from reform_tasks order by id")).await.unwrap();
        let r = import(&mut c, &exported.bytes).await;
        r.assert_status(200);
        let out = r.json();
        assert_eq!(out["created"], 0, "{out}");
        assert_eq!(out["updated"], 0, "{out}");
        let after: Vec<(i64, String, i64)> =
            app.db().all(Query::new("select id, title, updated_at from reform_tasks order by id")).await.unwrap();
        assert_eq!(before, after);
    }
}

/// The column headed `header` of every task row.
fn ledger_column(bytes: &[u8], header: &str) -> Vec<String> {
    use calamine::{Reader, Xlsx};
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).expect("xlsx");
    let sheet = book.worksheet_range_at(0).expect("sheet").expect("range");
    let rows: Vec<Vec<String>> = sheet.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    let head = rows.iter().position(|r| r.iter().any(|c| c == "改革任务")).expect("header row");
    let col = rows[head].iter().position(|c| c == header).expect("column");
    rows[head + 1..].iter().map(|r| r[col].clone()).collect()
}

both! {
    async fn towns_of_the_same_name_go_out_and_come_back_under_their_county(kind: Kind) {
        let app = TestApp::new(kind).await;
        let t = app.tree().await;
        let here = app.unit(Some(t.c), "城关镇", "town").await;
        let there = app.unit(Some(t.a), "城关镇", "town").await;
        let office = app.account("gb", t.b, &["reform_staff"]).await;
        let mut c = app.as_account(office).await;
        create_task(&mut c, "城关镇推行积分制治理", here, &[there, t.c1], "2026-12-31").await;

        // The export names each town with its parent; a unique name stays bare.
        let exported = c.get("/reform/export?year=2026").await;
        exported.assert_status(200);
        assert_eq!(ledger_column(&exported.bytes, "牵头单位"), ["临江区城关镇"]);
        assert_eq!(ledger_column(&exported.bytes, "配合单位"), ["市委政策研究室城关镇、城关街道"]);
        let r = import(&mut c, &exported.bytes).await;
        r.assert_status(200);
        assert_eq!((r.json()["created"].clone(), r.json()["updated"].clone()), (json!(0), json!(0)), "{}", r.text());

        // A new row may name the town either way with its county; the bare name is refused as ambiguous.
        let head: &[&str] = &["序号", "改革任务", "来源", "牵头单位", "配合单位", "完成时限"];
        let bare = xlsx(&[head, &["1", "城关镇建设便民服务站", "市委部署", "城关镇", "", "2026-10-31"]]);
        let r = import(&mut c, &bare).await;
        assert_eq!(r.status, 422, "{}", r.text());
        assert!(r.text().contains("临江区城关镇"), "the error says how to name it: {}", r.text());
        let named = xlsx(&[head, &["1", "城关镇建设便民服务站", "市委部署", "临江区城关镇", "市委政策研究室城关镇", "2026-10-31"]]);
        let r = import(&mut c, &named).await;
        r.assert_status(200);
        let got: (i64, i64) = app
            .db()
            .one(Query::new(
                "select t.lead_unit_id, tu.unit_id from reform_tasks t join reform_task_units tu on tu.task_id = t.id \
                 where t.title = '城关镇建设便民服务站'",
            ))
            .await
            .unwrap();
        assert_eq!(got, (here, there));
    }
}

/// Titles of an account's notifications of a kind, oldest first.
async fn notices(app: &TestApp, account: i64, kind: &str) -> Vec<String> {
    let rows: Vec<(String,)> = app
        .db()
        .all(
            Query::new("select title from notifications where account_id = $1 and kind = $2 order by id")
                .bind(account)
                .bind(kind),
        )
        .await
        .unwrap();
    rows.into_iter().map(|(t,)| t).collect()
}

both! {
    async fn the_daily_run_reminds_each_unit_once_and_then_names_what_is_overdue(kind: Kind) {
        let app = TestApp::new(kind).await;
        let w = world(&app).await;
        let mut office = app.as_account(w.office).await;
        let second = create_task(&mut office, "临江区推进社区食堂建设", w.t.c, &[], "2026-12-31").await;

        // 23 November, the report day is the 25th: both of 临江区's tasks in one notice, 市委政研室's alone.
        let run = zhengyan::jobs::run_daily(&app.state).await.unwrap();
        assert_eq!(run.reminders, 2, "{run:?}");
        assert_eq!(notices(&app, w.liaison_c, "reform.report_due").await, ["本单位2项改革任务须于2026-11-25前报送2026-11进展"]);
        assert_eq!(notices(&app, w.liaison_a, "reform.report_due").await, ["请按时报送改革进展：推行涉企政策“免申即享”"]);
        let again = zhengyan::jobs::run_daily(&app.state).await.unwrap();
        assert_eq!(again.reminders, 0, "a reminder goes out once: {again:?}");

        // 临江区 reports on one task; on the 26th only the other is overdue.
        let mut liaison = app.as_account(w.liaison_c).await;
        liaison
            .upload(&format!("/reform/tasks/{}/reports", w.task_c), "进展.pdf", PDF, &[("percent", "40"), ("content", "平台完成选址")])
            .await
            .assert_status(303);
        app.advance_minutes(3 * 24 * 60);
        zhengyan::jobs::run_daily(&app.state).await.unwrap();
        assert_eq!(
            notices(&app, w.liaison_c, "reform.report_due").await,
            ["本单位2项改革任务须于2026-11-25前报送2026-11进展", "改革进展逾期未报：临江区推进社区食堂建设"]
        );
        let overdue = app.as_account(w.office).await.get("/reform/reports").await;
        overdue.assert_status(200);
        assert!(overdue.text().contains(&format!("/reform/tasks/{second}")), "the overdue list names it");
        // Each slice of the run leaves its audit record with it.
        let runs: i64 = app
            .db()
            .scalar(Query::new("select count(*) from audit_events where action like 'jobs.daily%'"))
            .await
            .unwrap();
        assert!(runs >= 4, "{runs}");
    }
}

both! {
    async fn a_unit_added_or_renamed_is_offered_at_once_by_the_task_forms(kind: Kind) {
        let app = TestApp::new(kind).await;
        let t = app.tree().await;
        let admin = app.account("adm", t.root, &["sysadmin"]).await;
        let office = app.account("gb", t.b, &["reform_staff"]).await;
        let mut o = app.as_account(office).await;
        let form = o.get("/reform/tasks/new").await;
        form.assert_status(200);
        assert!(!form.text().contains("江口镇"));

        let mut a = app.as_account(admin).await;
        a.post_form("/org/units", &[("name", "江口镇"), ("kind", "town"), ("parent_id", &t.c.to_string())])
            .await
            .assert_status(303);
        let town: i64 = app.db().scalar(Query::new("select id from units where name = '江口镇'")).await.unwrap();
        assert!(o.get("/reform/tasks/new").await.text().contains("江口镇"), "a new unit is offered at once");
        // Villages and contact points do not lead reform tasks.
        a.post_form("/org/units", &[("name", "江口村", ), ("kind", "other"), ("parent_id", &town.to_string())])
            .await
            .assert_status(303);
        assert!(!o.get("/reform?year=2026").await.text().contains("江口村"));

        a.post_form(&format!("/org/units/{town}"), &[("name", "江口街道"), ("kind", "town"), ("sort_order", "0")])
            .await
            .assert_status(303);
        let list = o.get("/reform?year=2026").await.text();
        assert!(list.contains("江口街道") && !list.contains("江口镇"), "a new name is offered at once");
    }
}

both! {
    async fn the_list_its_counts_and_choices_follow_a_change_made_anywhere_at_once(kind: Kind) {
        let app = TestApp::new(kind).await;
        let w = world(&app).await;
        let mut o = app.as_account(w.office).await;
        let red = |c: serde_json::Value| {
            c.as_array().unwrap().iter().find(|r| r["colour"] == "red").map_or(0, |r| r["count"].as_i64().unwrap())
        };
        let counts = "/api/v1/reform/tasks/counts?year=2026";
        assert_eq!(red(o.get(counts).await.json()), 0);
        let by_unit = format!("/api/v1/reform/tasks?year=2026&unit={}", w.t.c1);
        assert_eq!(o.get(&by_unit).await.json()["total"], 1, "c1 cooperates on c's task");
        let page = o.get("/reform?year=2026&colour=red").await.text();
        assert!(!page.contains("免申即享"));
        // Writes made outside this node's code (another node, the database
        // itself) show at the next request, on the page and in the API.
        app.db()
            .exec(Query::new("update reform_tasks set colour = 'red', colour_reason = '已逾期' where id = $1").bind(w.task_a))
            .await
            .unwrap();
        assert_eq!(red(o.get(counts).await.json()), 1);
        assert!(o.get("/reform?year=2026&colour=red").await.text().contains("免申即享"));
        app.db().exec(Query::new("delete from reform_task_units where task_id = $1").bind(w.task_c)).await.unwrap();
        assert_eq!(o.get(&by_unit).await.json()["total"], 0, "c1 no longer cooperates");
        app.db()
            .exec(Query::new("update reform_task_tags set tag = '首创' where task_id = $1").bind(w.task_a))
            .await
            .unwrap();
        assert_eq!(o.get("/api/v1/reform/tasks?year=2026&tag=首创").await.json()["total"], 1);
        // Names shown in the rows: a unit renamed, a leader's name changed.
        let rows = format!("/api/v1/reform/tasks?year=2026&lead={}", w.t.a);
        assert_eq!(o.get(&rows).await.json()["items"][0]["leader"], "王建国");
        app.db().exec(Query::new("update units set name = '市发展改革委' where id = $1").bind(w.t.a)).await.unwrap();
        app.db().exec(Query::new("update reform_tasks set leader_account_id = $1 where id = $2").bind(w.office).bind(w.task_a)).await.unwrap();
        let leader: String =
            app.db().scalar(Query::new("select display_name from accounts where id = $1").bind(w.office)).await.unwrap();
        let items = o.get(&rows).await.json();
        assert_eq!(items["items"][0]["lead_unit_name"], "市发展改革委");
        assert_eq!(items["items"][0]["leader"], leader.as_str());
        app.db()
            .exec(Query::new("update accounts set display_name = '李明' where id = $1").bind(w.office))
            .await
            .unwrap();
        assert_eq!(o.get(&rows).await.json()["items"][0]["leader"], "李明");
        // The filters' choice lists as well.
        assert!(o.get("/reform?year=2026").await.text().contains("市委部署"));
        app.db()
            .exec(Query::new("update dict_items set label = '市委统一部署' where type_code = 'reform_source' and code = 'city'"))
            .await
            .unwrap();
        assert!(o.get("/reform?year=2026").await.text().contains("市委统一部署"));
    }
}
