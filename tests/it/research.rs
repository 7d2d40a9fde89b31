//! Research over HTTP on both databases: topics and their colours under the
//! fixed clock, the follow-up of a leader instruction up to the owner's
//! 工作台, 《决策参考》 numbering and export, funds that refuse overspending,
//! outputs read from PDF into the search (and hidden where they must be),
//! selection rounds and compilations.

use axum::http::Method;
use serde_json::json;
use zhengyan::db::Query;

use crate::both;
use crate::search::u;
use crate::support::{Client, TestApp};

/// An output of the research office (unit `a`) recorded through the API.
async fn output(c: &mut Client<'_>, unit: i64, title: &str, text: &str) -> i64 {
    let r = c
        .json(
            Method::POST,
            "/api/v1/research/outputs",
            &json!({ "title": title, "kind": "report", "unit_id": unit.to_string(), "authors": "李某 王某",
                     "series": "县域经济调研系列", "finished_on": "2026-11-20", "text": text }),
        )
        .await;
    r.assert_status(201);
    r.json()["id"].as_i64().unwrap()
}

fn topic_body(unit: i64, opening: &str) -> serde_json::Value {
    json!({
        "title": "县域产业园区转型升级路径研究", "kind": "countermeasure", "level": "key", "leader": "市委副书记 王某某",
        "lead_unit_id": unit.to_string(), "member_unit_ids": [], "team": "李某 组长\n王某 执笔人",
        "start_on": "2026-09-01", "opening_on": opening, "survey_on": "2026-11-30", "draft_on": "2026-12-10",
        "review_on": "2026-12-20", "closing_on": "2026-12-31",
    })
}

async fn topic_colour(app: &TestApp, id: i64) -> (String, String) {
    app.db()
        .one(Query::new("select colour, colour_reason from research_topics where id = $1").bind(id))
        .await
        .unwrap()
}

both! {
    async fn topic_milestones_colour_the_topic_and_keep_their_order(kind: Kind) {
        let app = TestApp::new(kind).await;
        let t = app.tree().await;
        let staff = app.account("staff", t.a, &["research_staff"]).await;
        let mut s = app.as_account(staff).await;

        // Bad input is named field by field.
        let mut bad = topic_body(t.a, "2026-08-01");
        bad["leader"] = json!("");
        bad["closing_on"] = json!("2026-12-01");
        let r = s.json(Method::POST, "/api/v1/research/topics", &bad).await;
        r.assert_status(422);
        let fields = &r.json()["error"]["fields"];
        for f in ["leader", "opening_on", "closing_on"] {
            assert!(fields[f].is_string(), "{f}: {}", r.text());
        }

        // Opening due 2026-11-01 and not held: 22 days late on 2026-11-23, past the 15-day limit.
        let r = s.json(Method::POST, "/api/v1/research/topics", &topic_body(t.a, "2026-11-01")).await;
        r.assert_status(201);
        let id = r.json()["id"].as_i64().unwrap();
        let (colour, reason) = topic_colour(&app, id).await;
        assert_eq!(colour, "red");
        assert!(reason.contains("里程碑“开题”已逾期22天"), "{reason}");
        let code: String = app.db().scalar(Query::new("select code from research_topics where id = $1").bind(id)).await.unwrap();
        assert_eq!(code, "课题2026-001");

        // Stages go in order.
        let ms = format!("/api/v1/research/topics/{id}/milestones");
        s.json(Method::POST, &ms, &json!({ "stage": "survey" })).await.assert_status(409);
        s.json(Method::POST, &ms, &json!({ "stage": "opening", "done_on": "2026-11-05" })).await.assert_status(204);
        s.json(Method::POST, &ms, &json!({ "stage": "opening" })).await.assert_status(409);
        // Survey due in 7 days: a warning, not red.
        let (colour, reason) = topic_colour(&app, id).await;
        assert_eq!((colour.as_str(), reason.contains("里程碑“调研”将于7天后到期")), ("yellow", true), "{reason}");
        for stage in ["survey", "draft", "review", "closing"] {
            s.json(Method::POST, &ms, &json!({ "stage": stage })).await.assert_status(204);
        }
        assert_eq!(topic_colour(&app, id).await.0, "blue");
        let page = s.get(&format!("/research/topics/{id}")).await;
        page.assert_status(200);
        assert_eq!(page.select("#milestones tbody tr").len(), 5);

        // A liaison of another unit sees nothing of it.
        let outsider = app.account("outsider", t.c, &["unit_liaison"]).await;
        let mut o = app.as_account(outsider).await;
        o.get(&format!("/research/topics/{id}")).await.assert_status(403);
        let list = o.get("/api/v1/research/topics?year=2026").await.json();
        assert_eq!(list.as_array().unwrap().len(), 0, "{list}");
        let audits: i64 = app.db().scalar(Query::new("select count(*) from audit_events where action like 'research.topic.%'")).await.unwrap();
        assert_eq!(audits, 6, "creation and five milestones are audited");
    }
}

both! {
    async fn an_instruction_follow_up_reaches_the_owner_and_closes_only_when_confirmed(kind: Kind) {
        let app = TestApp::new(kind).await;
        let t = app.tree().await;
        let staff = app.account("staff", t.a, &["research_staff"]).await;
        let owner = app.account("owner", t.c, &["unit_liaison"]).await;
        let mut s = app.as_account(staff).await;
        let out = output(&mut s, t.a, "关于县域产业园区转型升级的调研报告", "园区亩均效益偏低，建议建立评价机制。").await;
        let body = |follow: &str, due: &str| json!({
            "leader": "市委书记 张某某", "level": "city_principal", "instructed_on": "2026-11-20",
            "content": "此报告很好，请市发改委牵头研究落实。", "follow_up": follow, "target_kind": "output",
            "target_id": out.to_string(), "unit_id": t.c.to_string(), "owner_id": owner.to_string(), "due_on": due,
        });
        // A follow-up needs an owner and a due date; the due date cannot precede the instruction.
        let r = s.json(Method::POST, "/api/v1/research/instructions", &body("制定园区评价办法", "2026-11-01")).await;
        r.assert_status(422);
        assert!(r.json()["error"]["fields"]["due_on"].is_string(), "{}", r.text());
        let r = s.json(Method::POST, "/api/v1/research/instructions", &body("制定园区评价办法", "2026-11-27")).await;
        r.assert_status(201);
        let id = r.json()["id"].as_i64().unwrap();
        // An instruction that needs no action.
        s.json(Method::POST, "/api/v1/research/instructions", &body("", "")).await.assert_status(201);

        // The owner is told and sees it on the 工作台, yellow (due in 4 days).
        let mut o = app.as_account(owner).await;
        let home = o.get("/home").await;
        home.assert_status(200);
        assert_eq!(home.select("#follow-ups tbody tr").len(), 1, "{:?}", home.select("#follow-ups tbody tr"));
        assert!(home.select("#follow-ups").join("").contains("制定园区评价办法"));
        assert_eq!(home.attrs("#follow-ups td .badge-yellow", "class").len(), 1);
        let told: i64 = app.db().scalar(Query::new("select count(*) from notifications where account_id = $1 and kind = 'instruction'").bind(owner)).await.unwrap();
        assert_eq!(told, 1);

        let step = |s: &str, text: &str| json!({ "step": s, "text": text });
        let url = format!("/api/v1/research/instructions/{id}/follow-up");
        let r = o.json(Method::POST, &url, &step("report", " ")).await;
        r.assert_status(422);
        assert!(r.json()["error"]["fields"]["text"].is_string());
        s.json(Method::POST, &url, &step("report", "代为报送")).await.assert_status(409);
        s.json(Method::POST, &url, &step("confirm", "")).await.assert_status(409);
        o.json(Method::POST, &url, &step("report", "已起草评价办法征求意见稿")).await.assert_status(200);
        o.json(Method::POST, &url, &step("confirm", "")).await.assert_status(409);
        s.json(Method::POST, &url, &step("return", "")).await.assert_status(422);
        let r = s.json(Method::POST, &url, &step("return", "请补充出台时间")).await;
        r.assert_status(200);
        assert_eq!(r.json()["state"], "open");

        // Past the due date it turns red (the daily run recolours it).
        app.advance_minutes(6 * 24 * 60);
        zhengyan::jobs::run_daily(&app.state).await.unwrap();
        let (colour, reason): (String, String) = app.db().one(Query::new("select colour, colour_reason from research_instructions where id = $1").bind(id)).await.unwrap();
        assert_eq!(colour, "red", "{reason}");
        let mut o = app.as_account(owner).await;
        let mut s = app.as_account(staff).await;
        o.json(Method::POST, &url, &step("report", "评价办法已于12月1日印发")).await.assert_status(200);
        let r = s.json(Method::POST, &url, &step("confirm", "")).await;
        r.assert_status(200);
        assert_eq!(r.json()["state"], "done");
        let (colour, done): (String, Option<time::Date>) = app.db().one(Query::new("select colour, done_on from research_instructions where id = $1").bind(id)).await.unwrap();
        assert_eq!((colour.as_str(), done.is_some()), ("blue", true));
        let home = o.get("/home").await;
        assert!(home.select("#follow-ups").is_empty(), "done follow-ups leave the 工作台");
        let history: i64 = app.db().scalar(Query::new("select count(*) from research_followup_events where instruction_id = $1").bind(id)).await.unwrap();
        assert_eq!(history, 4);

        // The figure offices report: instructions and pieces per level.
        let counts = s.get("/api/v1/research/instructions/counts?year=2026").await.json();
        let city = counts.as_array().unwrap().iter().find(|c| c["level"] == "city_principal").unwrap().clone();
        assert_eq!((city["instructions"].as_i64(), city["pieces"].as_i64(), city["outputs"].as_i64()), (Some(2), Some(1), Some(1)), "{counts}");
        let page = s.get("/research/instructions?year=2026").await;
        page.assert_status(200);
        assert_eq!(page.select("#instructions tbody tr").len(), 2);
        // The instruction is found by the search, inside the scope.
        let res = s.get(&u("/api/v1/search?q=园区评价&kind=instruction")).await.json();
        assert_eq!(res["total"], 1, "{res}");

        // An instruction on a draft is recorded from its own form; mistakes come back beside the fields.
        let r = s.json(Method::POST, "/api/v1/drafting/tasks", &json!({
            "title": "全市园区工作会议讲话", "kind": "speech", "unit_id": t.a.to_string(), "due_hours": "24",
            "drafter_ids": [staff.to_string()], "reviewer_id": staff.to_string(), "checker_id": staff.to_string(),
        })).await;
        r.assert_status(201);
        let draft = r.json()["id"].as_i64().unwrap().to_string();
        let page = s.get(&format!("/research/instructions/new?target_kind=draft&target_id={draft}")).await;
        page.assert_status(200);
        let r = s.post_form("/research/instructions", &[("target_kind", "draft"), ("target_id", &draft), ("leader", ""), ("level", "city_leader"), ("instructed_on", "2026-12-30"), ("content", "阅")]).await;
        r.assert_status(422);
        assert_eq!((r.select("#e-leader").len(), r.select("#e-instructed_on").len()), (1, 1), "{}", r.text());
        let r = s.post_form("/research/instructions", &[("target_kind", "draft"), ("target_id", &draft), ("leader", "副市长 李某"), ("level", "city_leader"), ("instructed_on", "2026-11-29"), ("content", "阅")]).await;
        r.assert_status(303);
        let on_draft: i64 = app.db().scalar(Query::new("select count(*) from research_instructions where target_kind = 'draft'")).await.unwrap();
        assert_eq!(on_draft, 1);
    }
}

both! {
    async fn journal_issues_are_numbered_per_year_and_export_in_official_layout(kind: Kind) {
        let app = TestApp::new(kind).await;
        let t = app.tree().await;
        let staff = app.account("staff", t.a, &["research_staff"]).await;
        let mut s = app.as_account(staff).await;
        let out = output(&mut s, t.a, "关于社区治理的调研报告", "一、基本情况\n社区议事机制逐步健全。\n二、对策建议\n健全居民议事会。").await;
        let mut numbers = Vec::new();
        for theme in ["", "县域经济专辑", ""] {
            let r = s.json(Method::POST, "/api/v1/research/journal", &json!({ "theme": theme, "distribution": "市委常委" })).await;
            r.assert_status(201);
            numbers.push(r.json()["no"].as_i64().unwrap());
        }
        assert_eq!(numbers, [1, 2, 3]);
        // Two editors at once get two numbers, never the same.
        let mut a = app.as_account(staff).await;
        let mut b = app.as_account(staff).await;
        let body = json!({ "distribution": "市委常委" });
        let (ra, rb) = tokio::join!(
            a.json(Method::POST, "/api/v1/research/journal", &body),
            b.json(Method::POST, "/api/v1/research/journal", &body)
        );
        let mut two = vec![ra.json()["no"].as_i64().unwrap(), rb.json()["no"].as_i64().unwrap()];
        two.sort_unstable();
        assert_eq!(two, [4, 5]);
        let (issue, total): (i64, i64) = app.db().one(Query::new("select id, total_no from research_issues where year = 2026 and no = 2")).await.unwrap();
        assert_eq!(total, 2);

        let pubs = format!("/api/v1/research/journal/{issue}/publish");
        s.json(Method::POST, &pubs, &json!({})).await.assert_status(409);
        let arts = format!("/api/v1/research/journal/{issue}/articles");
        s.json(Method::POST, &arts, &json!({ "output_id": out.to_string() })).await.assert_status(204);
        s.json(Method::POST, &arts, &json!({ "output_id": out.to_string() })).await.assert_status(409);
        s.json(Method::POST, &pubs, &json!({})).await.assert_status(204);
        s.json(Method::POST, &arts, &json!({ "output_id": out.to_string() })).await.assert_status(409);

        let r = s.get(&format!("/research/journal/{issue}/docx")).await;
        r.assert_status(200);
        let bytes = r.bytes.clone();
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut doc = String::new();
        std::io::Read::read_to_string(&mut z.by_name("word/document.xml").unwrap(), &mut doc).unwrap();
        for want in ["决策参考", "2026年第2期（总第2期）", "关于社区治理的调研报告", "健全居民议事会", "报送：市委常委", "仿宋_GB2312"] {
            assert!(doc.contains(want), "{want}");
        }
        let page = s.get(&format!("/research/outputs/{out}")).await;
        page.assert_status(200);
        assert!(page.select("dd a").join("").contains("2026年第2期"), "the output shows where it was published");

        // A county liaison may not see or export the office's issue.
        let outsider = app.account("outsider", t.c, &["unit_liaison"]).await;
        let mut o = app.as_account(outsider).await;
        o.get(&format!("/research/journal/{issue}/docx")).await.assert_status(403);
    }
}

both! {
    async fn funds_refuse_overspending_and_every_step_is_audited(kind: Kind) {
        let app = TestApp::new(kind).await;
        let t = app.tree().await;
        let staff = app.account("staff", t.a, &["research_staff"]).await;
        let leader = app.account("leader", t.root, &["leader"]).await;
        let mut s = app.as_account(staff).await;
        let r = s.json(Method::POST, "/api/v1/research/topics", &topic_body(t.a, "2026-11-25")).await;
        let topic = r.json()["id"].as_i64().unwrap();
        s.post_form(&format!("/research/topics/{topic}/budgets"), &[("item", "问卷调查与数据采买"), ("amount", "2万")]).await.assert_status(303);
        let budget: i64 = app.db().scalar(Query::new("select id from research_budgets")).await.unwrap();
        let spend = |amount: &str, kind: &str, vendor: &str| json!({ "budget_id": budget.to_string(), "kind": kind, "description": "企业经营数据", "vendor": vendor, "amount": amount });
        let r = s.json(Method::POST, "/api/v1/research/spending", &spend("15000", "data", "")).await;
        r.assert_status(422);
        assert!(r.json()["error"]["fields"]["vendor"].is_string(), "a data purchase names its vendor");
        let r = s.json(Method::POST, "/api/v1/research/spending", &spend("15000", "data", "某数据公司")).await;
        r.assert_status(201);
        let first = r.json()["id"].as_i64().unwrap();
        // 15,000 pending + 6,000 > 20,000: refused.
        let r = s.json(Method::POST, "/api/v1/research/spending", &spend("6000", "survey", "")).await;
        r.assert_status(409);
        assert!(r.json()["error"]["message"].as_str().unwrap().contains("超出预算"), "{}", r.text());
        // Staff may not approve; the leader may.
        let decide = format!("/api/v1/research/spending/{first}/decision");
        s.json(Method::POST, &decide, &json!({ "approve": true })).await.assert_status(403);
        let mut l = app.as_account(leader).await;
        l.json(Method::POST, &decide, &json!({ "approve": false })).await.assert_status(422);
        l.json(Method::POST, &decide, &json!({ "approve": false, "note": "请压缩数据采买范围" })).await.assert_status(204);
        l.json(Method::POST, &decide, &json!({ "approve": true })).await.assert_status(409);
        let r = s.json(Method::POST, "/api/v1/research/spending", &spend("6000", "survey", "")).await;
        r.assert_status(201);
        let second = r.json()["id"].as_i64().unwrap();
        l.json(Method::POST, &format!("/api/v1/research/spending/{second}/decision"), &json!({ "approve": true })).await.assert_status(204);
        s.json(Method::POST, "/api/v1/research/spending", &spend("14000.01", "expert", "")).await.assert_status(409);
        s.json(Method::POST, "/api/v1/research/spending", &spend("14000", "expert", "")).await.assert_status(201);
        let audits: Vec<(String,)> = app.db().all(Query::new("select action from audit_events where action like 'research.spending.%' or action = 'research.budget.create' order by seq")).await.unwrap();
        let audits: Vec<&str> = audits.iter().map(|(a,)| a.as_str()).collect();
        assert_eq!(audits, ["research.budget.create", "research.spending.request", "research.spending.reject", "research.spending.request", "research.spending.approve", "research.spending.request"]);
        let page = s.get(&format!("/research/topics/{topic}")).await;
        page.assert_status(200);
        assert!(page.select("#budgets").join("").contains("20,000.00"), "{}", page.select("#budgets").join(""));
    }
}

both! {
    async fn a_pdf_output_is_read_searched_and_hidden_from_those_outside_the_scope(kind: Kind) {
        let app = TestApp::new(kind).await;
        let t = app.tree().await;
        let staff = app.account("staff", t.a, &["research_staff"]).await;
        let liaison = app.account("liaison", t.c, &["unit_liaison"]).await;
        let mut s = app.as_account(staff).await;
        s.get("/research/outputs").await.assert_status(200);
        let pdf = std::fs::read("tests/fixtures/report.pdf").unwrap();
        let r = s.upload("/research/outputs", "园区调研.pdf", &pdf, &[
            ("title", "关于县域产业园区转型的调研报告"), ("kind", "report"), ("unit_id", &t.a.to_string()),
            ("finished_on", "2026-11-20"), ("series", "县域经济调研系列"),
        ]).await;
        r.assert_status(303);
        let (id, body): (i64, String) = app.db().one(Query::new("select id, body from research_outputs")).await.unwrap();
        assert!(body.contains("亩均效益评价机制"), "{body}");
        // A file without readable text is refused beside the field.
        let mut s = app.as_account(staff).await;
        s.get("/research/outputs").await.assert_status(200);
        let r = s.upload("/research/outputs", "扫描件.png", &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0], &[
            ("title", "扫描件"), ("kind", "report"), ("unit_id", &t.a.to_string()), ("finished_on", "2026-11-20"),
        ]).await;
        r.assert_status(422);
        assert_eq!(r.select("#e-file").len(), 1, "{}", r.text());

        let res = s.get(&u("/api/v1/search?q=亩均效益")).await.json();
        assert_eq!(res["total"], 1, "{res}");
        assert_eq!(res["hits"][0]["kind"], "output");
        // The liaison of another unit: no hit, no count, no page.
        let mut l = app.as_account(liaison).await;
        let res = l.get(&u("/api/v1/search?q=亩均效益")).await.json();
        assert_eq!(res["total"], 0, "{res}");
        l.get(&format!("/research/outputs/{id}")).await.assert_status(403);
        let list = l.get("/api/v1/research/outputs?year=2026").await.json();
        assert_eq!(list.as_array().unwrap().len(), 0);

        // A compilation of the series exports with a table of contents.
        let mut s = app.as_account(staff).await;
        output(&mut s, t.a, "关于县域商贸流通的调研报告", "县域商贸流通体系建设取得进展。").await;
        s.get("/research/compilations").await.assert_status(200);
        s.post_form("/research/compilations", &[("title", "2026年县域经济调研成果汇编"), ("year", "2026"), ("series", "县域经济调研系列")]).await.assert_status(303);
        let comp: i64 = app.db().scalar(Query::new("select id from research_compilations")).await.unwrap();
        let r = s.get(&format!("/research/compilations/{comp}/docx")).await;
        r.assert_status(200);
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(r.bytes.clone())).unwrap();
        let mut doc = String::new();
        std::io::Read::read_to_string(&mut z.by_name("word/document.xml").unwrap(), &mut doc).unwrap();
        assert!(doc.contains("TOC") && doc.contains("关于县域商贸流通的调研报告") && doc.contains("关于县域产业园区转型的调研报告"));
    }
}

both! {
    async fn a_selection_round_scores_entries_and_awards_by_average(kind: Kind) {
        let app = TestApp::new(kind).await;
        let t = app.tree().await;
        let staff = app.account("staff", t.a, &["research_staff"]).await;
        let judge1 = app.account("judge1", t.a, &["research_staff"]).await;
        let leader = app.account("leader", t.root, &["leader"]).await;
        let mut s = app.as_account(staff).await;
        let o1 = output(&mut s, t.a, "成果甲", "内容甲").await;
        let o2 = output(&mut s, t.a, "成果乙", "内容乙").await;
        s.get("/research/selection").await.assert_status(200);
        let r = s.post_form("/research/selection", &[("title", "2026年度优秀调研成果评选"), ("judge_ids", &judge1.to_string()), ("judge_ids", &leader.to_string())]).await;
        r.assert_status(303);
        let round: i64 = app.db().scalar(Query::new("select id from research_rounds")).await.unwrap();
        let judges: i64 = app.db().scalar(Query::new("select count(*) from research_round_judges")).await.unwrap();
        assert_eq!(judges, 2, "both judges from the multiple select are kept");
        for o in [o1, o2] {
            s.post_form(&format!("/research/selection/{round}/entries"), &[("output_id", &o.to_string())]).await.assert_status(303);
        }
        let entries: Vec<(i64, i64)> = app.db().all(Query::new("select id, output_id from research_entries order by output_id")).await.unwrap();
        let mut j1 = app.as_account(judge1).await;
        let mut l = app.as_account(leader).await;
        j1.get(&format!("/research/selection/{round}")).await.assert_status(200);
        l.get(&format!("/research/selection/{round}")).await.assert_status(200);
        let scores = format!("/research/selection/{round}/scores");
        let (e1, e2) = (entries[0].0.to_string(), entries[1].0.to_string());
        j1.post_form(&scores, &[("entry_id", &e1), ("score", "90")]).await.assert_status(303);
        j1.post_form(&scores, &[("entry_id", &e2), ("score", "80")]).await.assert_status(303);
        l.post_form(&scores, &[("entry_id", &e1), ("score", "70")]).await.assert_status(303);
        let bad = l.post_form(&scores, &[("entry_id", &e2), ("score", "101")]).await;
        bad.assert_status(303);
        // Staff is no judge; the leader closes, but not before every judge scored every entry.
        let mut s = app.as_account(staff).await;
        s.get(&format!("/research/selection/{round}")).await;
        s.post_form(&scores, &[("entry_id", &e1), ("score", "100")]).await.assert_status(403);
        let close = format!("/research/selection/{round}/close");
        l.post_form(&close, &[("first", "1"), ("second", "1")]).await.assert_status(303);
        let state: String = app.db().scalar(Query::new("select state from research_rounds")).await.unwrap();
        assert_eq!(state, "open", "one score missing");
        l.post_form(&scores, &[("entry_id", &e2), ("score", "95")]).await.assert_status(303);
        l.post_form(&close, &[("first", "1"), ("second", "1")]).await.assert_status(303);
        let awards: Vec<(i64, String)> = app.db().all(Query::new("select output_id, award from research_entries order by output_id")).await.unwrap();
        // 成果甲 80.0, 成果乙 87.5.
        assert_eq!(awards, [(o1, "二等奖".to_string()), (o2, "一等奖".to_string())]);
    }
}

both! {
    async fn a_word_export_leaves_out_outputs_beyond_the_exporters_scope(kind: Kind) {
        use zhengyan::authz::{Action, Module, ScopeKind};
        let app = TestApp::new(kind).await;
        let t = app.tree().await;
        let staff = app.account("staff", t.a, &["research_staff"]).await;
        let editor = app.role("unit_editor", &[
            (Module::Research, Action::Read, ScopeKind::Unit),
            (Module::Research, Action::Export, ScopeKind::Unit),
        ]).await;
        let narrow = app.account("narrow", t.a, &[editor.as_str()]).await;
        let mut s = app.as_account(staff).await;
        output(&mut s, t.a, "政研室的调研报告", "本单位的内容").await;
        output(&mut s, t.c, "临江区的调研报告", "临江区的内容").await;
        s.get("/research/compilations").await.assert_status(200);
        s.post_form("/research/compilations", &[("title", "年度汇编"), ("year", "2026"), ("series", "县域经济调研系列")]).await.assert_status(303);
        let comp: i64 = app.db().scalar(Query::new("select id from research_compilations")).await.unwrap();
        let doc = |bytes: Vec<u8>| {
            let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
            let mut doc = String::new();
            std::io::Read::read_to_string(&mut z.by_name("word/document.xml").unwrap(), &mut doc).unwrap();
            doc
        };
        let all = doc(s.get(&format!("/research/compilations/{comp}/docx")).await.bytes.clone());
        assert!(all.contains("政研室的调研报告") && all.contains("临江区的调研报告"));
        let mut n = app.as_account(narrow).await;
        let r = n.get(&format!("/research/compilations/{comp}/docx")).await;
        r.assert_status(200);
        let mine = doc(r.bytes.clone());
        assert!(mine.contains("政研室的调研报告") && !mine.contains("临江区"), "only what the exporter may read");
    }
}
