//! The grassroots loop over HTTP on both databases: submission with its
//! analysis and near-duplicate link, who sees what, dispatch → return →
//! second return escalates → arbitration → reply → 不满意 reopens → 满意
//! closes, the clock that returns do not move, merging, lapsing, figures.

use axum::http::Method;
use serde_json::json;
use zhengyan::db::Query;
use zhengyan::liaison::bands::Recent;
use zhengyan::liaison::signatures::Signatures;
use zhengyan::liaison::submit::{find_duplicate, look_ahead};

use crate::both;
use crate::support::{Client, Kind, TestApp, t0};

async fn point(app: &TestApp, parent: i64, name: &str) -> i64 {
    let id = app.unit(Some(parent), name, "contact_point").await;
    app.db()
        .exec(
            Query::new(
                "insert into liaison_points (unit_id, kind, place, status, updated_at) values ($1, 'village', $2, 'active', 0)",
            )
            .bind(id)
            .bind(name),
        )
        .await
        .unwrap();
    id
}

/// Submits through the API; the new case and the earlier one it repeats, if any.
async fn send(c: &mut Client<'_>, title: &str, text: &str) -> (i64, Option<i64>) {
    let r = c
        .json(Method::POST, "/api/v1/liaison/requests", &json!({ "title": title, "description": text }))
        .await;
    r.assert_status(201);
    let j = r.json();
    (j["id"].as_i64().unwrap(), j["possible_duplicate_of"].as_i64())
}

/// The match `node` finds for a text, as a submission looks: its reader, then its writer.
async fn found_by(app: &TestApp, node: &Recent, sig: &zhengyan::liaison::neardup::Signature) -> Option<i64> {
    // A memory of signatures of its own: what it holds never changes an answer, only what is read.
    let memory = Signatures::default();
    let seen = look_ahead(app.db(), (node, &memory), sig, 0).await.unwrap();
    let mut tx = app.db().begin().await.unwrap();
    find_duplicate(&mut tx, (node, &memory), sig, seen).await.unwrap().map(|h| h.0)
}

async fn step(c: &mut Client<'_>, id: i64, body: serde_json::Value) -> crate::support::Resp {
    c.json(Method::POST, &format!("/api/v1/liaison/requests/{id}/steps"), &body).await
}

async fn case_row(app: &TestApp, id: i64) -> (String, Option<String>, i64, String) {
    let (state, due, returns, colour): (String, Option<time::Date>, i64, String) = app
        .db()
        .one(Query::new("select state, due_on, returns, colour from liaison_cases where id = $1").bind(id))
        .await
        .unwrap();
    (state, due.map(|d| d.to_string()), returns, colour)
}

/// The figures the office reads from the sums the database keeps equal those
/// summed from the cases themselves, for the year and for this month.
async fn kept_sums_match(app: &TestApp, office: i64) {
    use zhengyan::authz::{Action, Module, Principal};
    use zhengyan::liaison::figures::compute_with;
    let who = Principal::load(app.db(), office).await.unwrap().unwrap();
    assert!(who.scope(Module::Liaison, Action::Read).is_all(), "the office sees every case");
    let today = app.state.clock.today();
    let years: Vec<(i64,)> =
        app.db().all(Query::new("select distinct year from liaison_cases")).await.unwrap();
    assert!(!years.is_empty());
    for (year,) in years {
        for month in [None, Some(11)] {
            let kept = compute_with(&app.state, &who, (year, month), today, false).await.unwrap();
            let scan = compute_with(&app.state, &who, (year, month), today, true).await.unwrap();
            let (kept, scan) = (serde_json::to_value(&kept).unwrap(), serde_json::to_value(&scan).unwrap());
            assert_eq!(kept, scan, "{year} {month:?}");
        }
    }
}

async fn visible_ids(c: &mut Client<'_>) -> Vec<i64> {
    let r = c.get("/api/v1/liaison/requests").await;
    r.assert_status(200);
    r.json().as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect()
}

both! {
    async fn a_case_goes_round_the_loop_and_the_clock_does_not_move_for_returns(kind: Kind) {
        let app = TestApp::new(kind).await;
        let t = app.tree().await;
        let dept = app.unit(Some(t.root), "市住建局", "department").await;
        let other = app.unit(Some(t.root), "市农业农村局", "department").await;
        let cp1 = point(&app, t.c1, "城关街道东门社区联系点").await;
        let cp2 = point(&app, t.c1, "城关街道西门社区联系点").await;
        let office = app.account("office", t.a, &["research_staff"]).await;
        let handler = app.account("zjj", dept, &["unit_liaison"]).await;
        let outsider = app.account("nyj", other, &["unit_liaison"]).await;
        let l1 = app.account("dongmen", cp1, &["contact_liaison"]).await;
        let l2 = app.account("ximen", cp2, &["contact_liaison"]).await;

        let mut p1 = app.as_account(l1).await;
        // Bad input is named field by field.
        let r = p1.json(Method::POST, "/api/v1/liaison/requests", &json!({ "title": "", "description": "路灯" })).await;
        r.assert_status(422);
        assert!(r.json()["error"]["fields"]["title"].is_string() && r.json()["error"]["fields"]["content"].is_string(), "{}", r.text());

        let body = json!({ "title": "东门社区路灯长期不亮", "description": "东门社区主干道的路灯坏了二十多天，晚上老人孩子出门只能摸黑，希望尽快维修。", "address_string": "东门社区主干道" });
        let r = p1.json(Method::POST, "/api/v1/liaison/requests", &body).await;
        r.assert_status(201);
        let first = r.json()["id"].as_i64().unwrap();
        assert_eq!(r.json()["service_request_id"], "JC2026000001");
        assert_eq!(r.json()["suggested_category"], "urban", "keyword rules while history is thin");
        assert!(r.json()["possible_duplicate_of"].is_null());
        // The same complaint again, lightly edited: linked to the first.
        let again = json!({ "title": "东门社区路灯还是不亮", "description": "再次反映：东门社区主干道的路灯坏了二十多天，晚上老人和孩子出门只能摸黑，希望尽快维修。" });
        let r = p1.json(Method::POST, "/api/v1/liaison/requests", &again).await;
        r.assert_status(201);
        let dup = r.json()["id"].as_i64().unwrap();
        assert_eq!(r.json()["possible_duplicate_of"].as_i64(), Some(first));
        assert_eq!(r.json()["service_request_id"], "JC2026000002");

        // Who sees what: the other point, the other department and (before dispatch) the handler see nothing.
        let mut p2 = app.as_account(l2).await;
        assert!(visible_ids(&mut p2).await.is_empty());
        p2.get(&format!("/api/v1/liaison/requests/{first}")).await.assert_status(403);
        // A point cannot submit for another point.
        p2.json(Method::POST, "/api/v1/liaison/requests", &json!({ "title": "冒名报送", "description": "替别的联系点报送问题", "point_id": cp1 })).await.assert_status(403);
        let mut h = app.as_account(handler).await;
        assert!(visible_ids(&mut h).await.is_empty());
        let mut o = app.as_account(outsider).await;
        assert!(visible_ids(&mut o).await.is_empty());
        assert_eq!(visible_ids(&mut p1).await, vec![dup, first]);

        // The office merges the duplicate and dispatches; a unit cannot dispatch.
        let mut off = app.as_account(office).await;
        step(&mut off, dup, json!({ "step": "merge", "into": first.to_string() })).await.assert_status(200);
        step(&mut h, first, json!({ "step": "dispatch", "unit_id": dept.to_string(), "category": "urban" })).await.assert_status(403);
        let r = step(&mut off, first, json!({ "step": "dispatch", "unit_id": cp2.to_string(), "category": "urban" })).await;
        r.assert_status(422);
        step(&mut off, first, json!({ "step": "dispatch", "unit_id": dept.to_string(), "category": "urban" })).await.assert_status(200);
        // 15 working days for urban cases from Monday 2026-11-23.
        assert_eq!(case_row(&app, first).await, ("dispatched".into(), Some("2026-12-14".into()), 0, "green".into()));
        assert_eq!(visible_ids(&mut h).await, vec![first]);
        assert!(visible_ids(&mut o).await.is_empty(), "a unit sees only what was dispatched to it");

        // A return needs a coded reason; the first goes back to the office, the clock keeps running.
        step(&mut h, first, json!({ "step": "return", "reason": "" })).await.assert_status(422);
        app.advance_minutes(3 * 24 * 60);
        let mut h = app.as_account(handler).await;
        step(&mut h, first, json!({ "step": "return", "reason": "not_ours" })).await.assert_status(200);
        assert_eq!(case_row(&app, first).await.0, "returned");
        let mut off = app.as_account(office).await;
        step(&mut off, first, json!({ "step": "dispatch", "unit_id": other.to_string() })).await.assert_status(200);
        let mut o = app.as_account(outsider).await;
        step(&mut o, first, json!({ "step": "return", "reason": "other_level" })).await.assert_status(200);
        // The second return escalates to the office for arbitration; the due date never moved.
        assert_eq!(case_row(&app, first).await, ("arbitration".into(), Some("2026-12-14".into()), 2, "green".into()));
        step(&mut off, first, json!({ "step": "dispatch", "unit_id": dept.to_string() })).await.assert_status(200);
        assert_eq!(case_row(&app, first).await.1.as_deref(), Some("2026-12-14"));

        // The unit replies; the point rates 不满意 (with its reason) and the case reopens.
        let mut h = app.as_account(handler).await;
        step(&mut h, first, json!({ "step": "reply", "text": "已更换灯具", "solved": "" })).await.assert_status(422);
        step(&mut h, first, json!({ "step": "reply", "text": "已更换灯具", "solved": "solved" })).await.assert_status(200);
        let mut p1 = app.as_account(l1).await;
        let r = step(&mut p1, first, json!({ "step": "rate", "rating": "unsatisfied" })).await;
        r.assert_status(422);
        assert!(r.json()["error"]["fields"]["text"].is_string());
        step(&mut p1, first, json!({ "step": "rate", "rating": "unsatisfied", "text": "只修了一盏，其余还是不亮" })).await.assert_status(200);
        let (state, due, _, _) = case_row(&app, first).await;
        assert_eq!(state, "dispatched");
        assert_ne!(due.as_deref(), Some("2026-12-14"), "the new round has a new limit");
        step(&mut h, first, json!({ "step": "reply", "text": "已全部更换并试灯", "solved": "solved" })).await.assert_status(200);
        step(&mut p1, first, json!({ "step": "rate", "rating": "satisfied" })).await.assert_status(200);
        assert_eq!(case_row(&app, first).await.0, "closed");
        step(&mut h, first, json!({ "step": "reply", "text": "再答复", "solved": "solved" })).await.assert_status(409);

        // The history keeps every step.
        let r = p1.get(&format!("/api/v1/liaison/requests/{first}")).await;
        let actions: Vec<String> = r.json()["history"].as_array().unwrap().iter().map(|h| h["action"].as_str().unwrap().to_string()).collect();
        assert_eq!(actions, ["submit", "merged_in", "dispatch", "return", "dispatch", "return", "dispatch", "reply", "rate", "reply", "rate"]);

        // Figures count replied, solved and satisfied apart; the merged duplicate is not counted.
        let r = off.get("/api/v1/liaison/figures?year=2026").await;
        r.assert_status(200);
        let total = &r.json()["total"];
        assert_eq!((total["submitted"].as_i64(), total["replied"].as_i64(), total["solved"].as_i64(), total["satisfied"].as_i64(), total["closed"].as_i64()), (Some(1), Some(1), Some(1), Some(1), Some(1)), "{total}");
        // The point's figures are its own; the other point's are empty.
        let mut p2 = app.as_account(l2).await;
        let r = p2.get("/api/v1/liaison/figures?year=2026").await;
        assert_eq!(r.json()["total"]["submitted"].as_i64(), Some(0));
        kept_sums_match(&app, office).await;
    }

}

both! {
    async fn an_unrated_reply_closes_after_the_rating_period_and_overdue_cases_turn_red(kind: Kind) {
        let app = TestApp::new(kind).await;
        let t = app.tree().await;
        let dept = app.unit(Some(t.root), "市生态环境局", "department").await;
        let cp = point(&app, t.c1, "南关村联系点").await;
        let office = app.account("office", t.a, &["research_staff"]).await;
        let handler = app.account("sthj", dept, &["unit_liaison"]).await;
        let l = app.account("nanguan", cp, &["contact_liaison"]).await;
        let mut p = app.as_account(l).await;
        let mut ids = Vec::new();
        for title in ["养殖场异味扰民", "河道有人倾倒垃圾"] {
            let r = p.json(Method::POST, "/api/v1/liaison/requests", &json!({ "title": title, "description": format!("{title}，已经持续一个多月，群众意见很大。"), "urgency": "urgent" })).await;
            r.assert_status(201);
            ids.push(r.json()["id"].as_i64().unwrap());
        }
        let mut off = app.as_account(office).await;
        for id in &ids {
            step(&mut off, *id, json!({ "step": "dispatch", "unit_id": dept.to_string(), "category": "environment" })).await.assert_status(200);
        }
        // Urgent: 3 working days.
        assert_eq!(case_row(&app, ids[0]).await.1.as_deref(), Some("2026-11-26"));
        let mut h = app.as_account(handler).await;
        step(&mut h, ids[0], json!({ "step": "reply", "text": "已责令养殖场整改", "solved": "partly" })).await.assert_status(200);
        // Eight days on: the unanswered case is red, the unrated reply has closed by itself.
        app.advance_minutes(8 * 24 * 60);
        zhengyan::jobs::run_daily(&app.state).await.unwrap();
        let (state, _, _, colour) = case_row(&app, ids[1]).await;
        assert_eq!((state.as_str(), colour.as_str()), ("dispatched", "red"));
        let (state, close): (String, String) = app.db().one(Query::new("select state, close_reason from liaison_cases where id = $1").bind(ids[0])).await.unwrap();
        assert_eq!((state.as_str(), close.as_str()), ("closed", "lapsed"));
        // The unanswered case waits on the unit's 工作台.
        let mut h = app.as_account(handler).await;
        let home = h.get("/home").await;
        assert!(home.text().contains("河道有人倾倒垃圾"), "the case is on the handler's workbench");
        // The overdue case counts as overdue in the kept figures too.
        let mut off = app.as_account(office).await;
        let r = off.get("/api/v1/liaison/figures?year=2026").await;
        assert_eq!(r.json()["total"]["overdue_open"].as_i64(), Some(1), "{}", r.text());
        kept_sums_match(&app, office).await;
    }

}

both! {
    async fn risk_words_flag_the_office_and_the_pages_render(kind: Kind) {
        let app = TestApp::new(kind).await;
        let t = app.tree().await;
        let cp = point(&app, t.c1, "北街社区联系点").await;
        let office = app.account("office", t.a, &["research_staff"]).await;
        let l = app.account("beijie", cp, &["contact_liaison"]).await;
        let mut off = app.as_account(office).await;
        off.get("/liaison/lexicon").await.assert_status(200);
        off.post_form("/liaison/lexicon", &[("word", "集体上访"), ("level", "3"), ("note", "")]).await.assert_status(303);
        let r = off.post_form("/liaison/lexicon", &[("word", "集体上访"), ("level", "3"), ("note", "")]).await;
        r.assert_status(422);
        assert!(r.text().contains("词库中已有这个词"));
        let mut p = app.as_account(l).await;
        let r = p.json(Method::POST, "/api/v1/liaison/requests", &json!({ "title": "工地拖欠工资", "description": "北街工地拖欠工人工资三个月，工人商量要集体上访。" })).await;
        r.assert_status(201);
        assert_eq!(r.json()["risk_level"].as_i64(), Some(3));
        let id = r.json()["id"].as_i64().unwrap();
        let n: i64 = app.db().scalar(Query::new("select count(*) from notifications where account_id = $1 and kind = 'liaison_risk'").bind(office)).await.unwrap();
        assert_eq!(n, 1, "the research office hears of the risk");
        for path in ["/liaison", "/liaison/points", "/liaison/figures", &format!("/liaison/cases/{id}"), "/liaison/export"] {
            off.get(path).await.assert_status(200);
        }
        let case = off.get(&format!("/liaison/cases/{id}")).await.text();
        assert!(case.contains("高危") && case.contains("dispatch-form"), "risk shown, the office may dispatch");
        let page = p.get("/liaison/new").await;
        page.assert_status(200);
        p.get("/liaison/lexicon").await.assert_status(403);

        // The monthly report: a Word file with its charts, the month's figures in words; audited.
        let r = off.get("/liaison/report?month=2026-11").await;
        r.assert_status(200);
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(r.bytes.clone())).unwrap();
        let mut doc = String::new();
        std::io::Read::read_to_string(&mut z.by_name("word/document.xml").unwrap(), &mut doc).unwrap();
        for s in ["2026年11月基层联系点问题线索分析报告", "共报送问题线索1件", "高危1件", "图1", "表1"] {
            assert!(doc.contains(s), "{s} in the report");
        }
        assert_eq!(z.file_names().filter(|n| n.as_ref().is_ok_and(|n| n.starts_with("word/media/") && n.ends_with(".png"))).count(), 2, "two charts");
        let n: i64 = app.db().scalar(Query::new("select count(*) from audit_events where action = 'export.liaison_report'")).await.unwrap();
        assert_eq!(n, 1);
        off.get("/liaison/report?month=2026-12").await.assert_status(400);
        off.get("/liaison/report?month=十一月").await.assert_status(400);
        p.get("/liaison/report?month=2026-11").await.assert_status(403);
    }
}

both! {
    async fn earlier_submissions_import_all_or_nothing_and_stay_out_of_the_rates(kind: Kind) {
        let app = TestApp::new(kind).await;
        let t = app.tree().await;
        let cp = point(&app, t.c1, "南湖村联系点").await;
        let office = app.account("office", t.a, &["research_staff"]).await;
        let l = app.account("nanhu", cp, &["contact_liaison"]).await;
        let mut off = app.as_account(office).await;
        off.get("/liaison/import").await.assert_status(200);

        // Bad rows: every error listed by row and column, nothing written.
        let bad = "问题标题,反映内容,问题类别,报送时间,联系点名称\n\
                   路灯不亮,南湖村村口路灯坏了一个月,城市管理,2025-03-05,南湖村联系点\n\
                   ,短,天气,昨天,北湖村\n";
        let r = off.upload("/liaison/import", "旧台账.csv", bad.as_bytes(), &[]).await;
        r.assert_status(422);
        let page = r.text();
        for e in ["第3行", "“内容”", "“类别”", "“时间”", "“联系点”", "找不到登记在册的联系点“北湖村”"] {
            assert!(page.contains(e), "{e} in the error list");
        }
        assert!(!page.contains("第2行"), "the good row has no error");
        let n: i64 = app.db().scalar(Query::new("select count(*) from liaison_cases")).await.unwrap();
        assert_eq!(n, 0, "all or nothing");

        // A good file in GBK, as Excel saves csv on Chinese Windows; a header two rows down.
        let good = "南湖村问题台账\n\n标题,内容,类别,时间,联系点\n\
                    路灯不亮,南湖村村口的路灯坏了一个多月，晚上出行很不方便，希望尽快维修。,城市管理,2025-03-05 10:20,南湖村联系点\n\
                    路灯不亮,南湖村村口的路灯坏了两个多月，晚上出行很不方便，希望尽快维修。,,2025/4/1,南湖村\n\
                    ,村里的文化广场没有路灯，晚上跳广场舞看不清，请安装几盏。,,2025/4/2,南湖村联系点\n\
                    灌溉渠垮塌,村里灌溉渠多处垮塌，春耕用水跟不上。,乡村振兴,2025年3月1日,南湖村联系点\n";
        let (gbk, _, _) = encoding_rs::GB18030.encode(good);
        let r = off.upload("/liaison/import", "旧台账.csv", &gbk, &[]).await;
        r.assert_status(303);
        let rows: Vec<(String, String, String, Option<i64>, String, String)> = app
            .db()
            .all(Query::new("select state, channel, category, dup_of, title, no from liaison_cases order by submitted_on, id"))
            .await
            .unwrap();
        assert_eq!(rows.len(), 4);
        assert!(rows.iter().all(|r| r.0 == "archived" && r.1 == "import"), "{rows:?}");
        assert_eq!((rows[0].2.as_str(), rows[0].4.as_str()), ("rural", "灌溉渠垮塌"), "oldest first");
        assert!(rows[2].3.is_some(), "the lightly edited repeat is marked as a possible duplicate");
        assert_eq!(rows[3].4, "村里的文化广场没有路灯，晚上跳广场舞看不清，请安装几盏", "a title from the content");
        assert!(rows[3].3.is_none(), "another complaint about lights is not a repeat");
        assert!(rows[0].5.starts_with("JC2025"), "numbered in the year it was sent");

        // Counted in volume, never in the loop's rates; nobody can step an archived case.
        let f = off.get("/api/v1/liaison/figures?year=2025").await;
        f.assert_status(200);
        let total = &f.json()["total"];
        assert_eq!((total["submitted"].as_i64(), total["archived"].as_i64()), (Some(4), Some(4)));
        assert!(f.json()["rates"]["closure"].is_null(), "no rate from archived cases");
        let id: i64 = app.db().scalar(Query::new("select min(id) from liaison_cases")).await.unwrap();
        let dept = app.unit(Some(t.root), "市住建局", "department").await;
        let r = step(&mut off, id, json!({ "step": "dispatch", "unit_id": dept.to_string(), "category": "urban" })).await;
        r.assert_status(409);
        assert!(r.text().contains("案件已存档，不能交办"), "{}", r.text());
        // The contact point sees its own history.
        let mut p = app.as_account(l).await;
        assert_eq!(visible_ids(&mut p).await.len(), 4);
        // A point may not import.
        p.upload("/liaison/import", "x.csv", good.as_bytes(), &[]).await.assert_status(403);
        kept_sums_match(&app, office).await;
    }
}

both! {
    async fn merging_two_registered_contact_points_keeps_one_entry_and_every_case(kind: Kind) {
        let app = TestApp::new(kind).await;
        let t = app.tree().await;
        let east = point(&app, t.c1, "东村联系点").await;
        let west = point(&app, t.c1, "西村联系点").await;
        let sys = app.account("sys", t.root, &["sysadmin"]).await;
        for (p, name) in [(east, "dongcun"), (west, "xicun")] {
            let l = app.account(name, p, &["contact_liaison"]).await;
            let mut c = app.as_account(l).await;
            c.json(Method::POST, "/api/v1/liaison/requests", &json!({ "title": "村道破损", "description": format!("{name}村道破损严重，车辆通行困难。") }))
                .await
                .assert_status(201);
        }
        let mut admin = app.as_account(sys).await;
        admin.post_form(&format!("/org/units/{west}/merge"), &[("target_id", &east.to_string())]).await.assert_status(303);
        let points: Vec<(i64,)> = app.db().all(Query::new("select unit_id from liaison_points")).await.unwrap();
        assert_eq!(points, vec![(east,)], "the target's entry stays, the merged one goes");
        let on_east: i64 = app.db().scalar(Query::new("select count(*) from liaison_cases where point_id = $1").bind(east)).await.unwrap();
        assert_eq!(on_east, 2, "both cases now belong to the surviving point");
        let office = app.account("office", t.a, &["research_staff"]).await;
        kept_sums_match(&app, office).await;
        let kept: i64 = app.db().scalar(Query::new("select sum(submitted) from liaison_tally where dim = 'point' and key_id = $1").bind(east)).await.unwrap();
        assert_eq!(kept, 2, "the kept sums moved with the cases");
    }
}

both! {
    async fn the_office_edits_one_registry_entry_and_a_paused_point_cannot_submit(kind: Kind) {
        let app = TestApp::new(kind).await;
        let t = app.tree().await;
        let cp = point(&app, t.c1, "南街社区联系点").await;
        let office = app.account("office", t.a, &["research_staff"]).await;
        let l = app.account("nanjie", cp, &["contact_liaison"]).await;
        let mut off = app.as_account(office).await;
        let page = off.get(&format!("/liaison/points/{cp}")).await;
        page.assert_status(200);
        assert!(page.text().contains("南街社区联系点"));
        let fields = |phone: &'static str, status: &'static str| {
            vec![("kind", "community"), ("place", "南街12号"), ("liaisons", "王某"), ("phone", phone), ("status", status), ("note", "")]
        };
        let r = off.post_form(&format!("/liaison/points/{cp}"), &fields("一二三", "active")).await;
        r.assert_status(422);
        assert!(r.text().contains("电话只能包含数字"), "the message beside the field");
        off.post_form(&format!("/liaison/points/{cp}"), &fields("0571-1234567", "paused")).await.assert_status(303);
        let (place, status): (String, String) = app.db().one(Query::new("select place, status from liaison_points where unit_id = $1").bind(cp)).await.unwrap();
        assert_eq!((place.as_str(), status.as_str()), ("南街12号", "paused"));
        let n: i64 = app.db().scalar(Query::new("select count(*) from audit_events where action = 'liaison.point.update'")).await.unwrap();
        assert_eq!(n, 1);
        let mut p = app.as_account(l).await;
        let r = p.json(Method::POST, "/api/v1/liaison/requests", &json!({ "title": "井盖缺失", "description": "南街路口井盖缺失，夜间很危险。" })).await;
        r.assert_status(422);
        assert!(r.text().contains("该联系点已暂停报送"));
        p.get(&format!("/liaison/points/{cp}")).await.assert_status(403);
        off.get("/liaison/points/999999").await.assert_status(404);
    }
}

both! {
    async fn submissions_sent_at_once_are_written_in_groups_each_whole_and_in_order(kind: Kind) {
        let app = TestApp::new(kind).await;
        let t = app.tree().await;
        let cp = point(&app, t.c1, "东关社区联系点").await;
        let l = app.account("dongguan", cp, &["contact_liaison"]).await;
        // Twelve different complaints, each sent twice at the same moment.
        let complaints = [
            ("东关小学门口早晚接送拥堵", "东关小学门口早晚接送孩子的车辆堵满整条街，交警只在早上来过两次。"),
            ("菜市场污水横流", "东关菜市场后门的污水沟堵了，夏天臭味很重，摊主自己清理不了。"),
            ("老旧小区加装电梯意见不一", "三号楼加装电梯一楼住户反对，楼上老人出行困难，希望社区出面协调。"),
            ("养老金认证操作不会", "不少高龄老人不会用手机做养老金资格认证，子女又不在身边。"),
            ("夜市烧烤油烟扰民", "河边夜市烧烤摊油烟直冲居民楼，晚上窗户都不敢开。"),
            ("公租房维修无人管", "公租房卫生间漏水到楼下，报修一个月没有人上门。"),
            ("快递车乱停占用消防通道", "快递三轮车每天停在消防通道上装卸，救护车进不来。"),
            ("农民工工资被拖欠", "东关路口工地有十几名农民工被拖欠三个月工资，包工头联系不上。"),
            ("医保异地报销手续繁琐", "在外地住院回来报销要跑四个窗口，材料一次说不清。"),
            ("流浪犬伤人", "小区周边流浪犬越来越多，上周咬伤一名放学的学生。"),
            ("个体户营业执照变更难", "个体户想变更经营范围，网上系统总是提示材料不全又不说缺什么。"),
            ("路口红绿灯时间太短", "东关十字路口行人绿灯只有十五秒，老人走到一半就变灯。"),
        ];
        let mut clients = Vec::new();
        for _ in 0..complaints.len() * 2 {
            clients.push(app.as_account(l).await);
        }
        let sent = futures_util::future::join_all(clients.iter_mut().enumerate().map(|(i, c)| {
            let (title, text) = complaints[i % complaints.len()];
            let body = json!({ "title": title, "description": text });
            async move { c.json(Method::POST, "/api/v1/liaison/requests", &body).await }
        }))
        .await;
        let mut numbered: Vec<(String, i64, Option<i64>, usize)> = Vec::new();
        for (i, r) in sent.iter().enumerate() {
            r.assert_status(201);
            let j = r.json();
            numbered.push((j["service_request_id"].as_str().unwrap().to_string(), j["id"].as_i64().unwrap(), j["possible_duplicate_of"].as_i64(), i % complaints.len()));
        }
        numbered.sort();
        let nos: Vec<&str> = numbered.iter().map(|n| n.0.as_str()).collect();
        let expected: Vec<String> = (1..=24).map(|n| format!("JC2026{n:06}")).collect();
        assert_eq!(nos, expected, "every submission numbered once, none skipped");
        // The later copy of each complaint names the earlier one; the earlier names nothing.
        for (k, (title, _)) in complaints.iter().enumerate() {
            let copies: Vec<&(String, i64, Option<i64>, usize)> = numbered.iter().filter(|n| n.3 == k).collect();
            assert_eq!(copies.len(), 2);
            assert_eq!(copies[0].2, None, "{title}");
            assert_eq!(copies[1].2, Some(copies[0].1), "{title}");
        }
        // Each has its step, its search entry and its audit record; the chain holds.
        let counts: (i64, i64, i64) = app
            .db()
            .one(Query::new(
                "select (select count(*) from liaison_events where action = 'submit'), \
                 (select count(*) from search_docs where kind = 'submission'), \
                 (select count(*) from audit_events where action = 'liaison.submit')",
            ))
            .await
            .unwrap();
        assert_eq!(counts, (24, 24, 24));
        let v = zhengyan::audit::store::verify(app.db(), |_| {}).await.unwrap();
        assert_eq!(v.broken, None);
        let office = app.account("office", t.a, &["research_staff"]).await;
        let mut off = app.as_account(office).await;
        let r = off.get("/api/v1/search?q=流浪犬").await;
        r.assert_status(200);
        assert_eq!(r.json()["total"].as_i64(), Some(2), "both copies are found: {}", r.text());
    }
}

both! {
    async fn repeats_are_found_before_and_after_the_band_keys_are_folded_and_by_a_node_that_starts_later(kind: Kind) {
        let app = TestApp::new(kind).await;
        let t = app.tree().await;
        let cp = point(&app, t.c1, "西街社区联系点").await;
        let l = app.account("xijie", cp, &["contact_liaison"]).await;
        let mut c = app.as_account(l).await;
        let lamp = "西街菜场门口的路灯坏了半个多月，晚上买菜的老人看不清台阶，已经有人摔倒，请尽快派人维修。";
        let (a, none) = send(&mut c, "西街路灯坏了", lamp).await;
        assert_eq!(none, None);
        let keys = async |id: i64| -> i64 {
            app.db().scalar(Query::new("select count(*) from liaison_bands where case_id = $1").bind(id)).await.unwrap()
        };
        let recent = &app.state.intake.recent;
        let sqlite = kind == Kind::Sqlite;
        if sqlite {
            assert_eq!(keys(a).await, 0, "held in memory until the fold");
            assert_eq!(recent.len(), 1);
            // Found in memory.
            let (b, dup) = send(&mut c, "西街路灯还是不亮", &lamp.replace("半个多月", "二十多天")).await;
            assert_eq!(dup, Some(a));
            // A fold part way: its cases are still found, and one written meanwhile is held apart.
            assert_eq!(recent.seal(), b);
            recent.fold_slice(app.db(), 0, t0()).await.unwrap();
            let (e, dup) = send(&mut c, "西街路灯依旧不亮", &lamp.replace("请尽快", "请抓紧")).await;
            assert_eq!(dup, Some(a));
            assert_eq!(recent.seal(), b, "a fold under way keeps its cases");
            assert_eq!(recent.len(), 3);
            assert!(!recent.fold_slice(app.db(), 1, t0()).await.unwrap());
            assert_eq!(keys(e).await, 0, "the case written meanwhile waits for the next fold");
            recent.fold(app.db(), t0()).await.unwrap();
            assert_eq!((keys(a).await, keys(b).await, keys(e).await), (16, 16, 16), "every key in the table after the folds");
            assert_eq!(recent.len(), 0, "memory forgets what was folded");
            let point: String = app
                .db()
                .scalar(Query::new("select value from settings where key = $1").bind(zhengyan::liaison::bands::FOLDED_KEY))
                .await
                .unwrap();
            assert_eq!(point, e.to_string());
        } else {
            assert_eq!(keys(a).await, 16, "PostgreSQL writes the keys with the case");
        }
        // Found in the table (after the fold on SQLite).
        let (_, dup) = send(&mut c, "再次反映西街路灯", &format!("{lamp}上周反映过，还没有修好。")).await;
        assert_eq!(dup, Some(a));
        let ditch = "西街北口的排水沟被建筑垃圾堵死，一下雨污水就漫到人行道上，附近商户意见很大。";
        let (d, none) = send(&mut c, "西街排水沟堵塞", ditch).await;
        assert_eq!(none, None);
        // A node that starts now reads what it does not hold (on SQLite, the case after the fold point).
        let fresh = Recent::default();
        for (text, want) in [(lamp.replace("请尽快", "希望尽快"), a), (ditch.replace("意见很大", "很有意见"), d)] {
            let sig = zhengyan::liaison::neardup::signature(&format!("标题\n{text}"));
            assert_eq!(found_by(&app, &fresh, &sig).await, Some(want), "{text}");
        }
        if sqlite {
            assert_eq!(fresh.len(), 2, "the two cases after the fold point, read from the table");
        }
    }
}

both! {
    async fn an_edited_repeat_is_found_when_hundreds_of_newer_cases_crowd_one_of_its_bands(kind: Kind) {
        let app = TestApp::new(kind).await;
        let t = app.tree().await;
        let cp = point(&app, t.c1, "南关社区联系点").await;
        let l = app.account("nanguan", cp, &["contact_liaison"]).await;
        let mut c = app.as_account(l).await;
        let text = "南关小学门前的斑马线褪色看不清，上下学时段车辆不减速，家长们很担心孩子过马路的安全，请设置减速带和信号灯。";
        let (original, _) = send(&mut c, "南关小学门前斑马线", text).await;
        let mut crowd = Vec::new();
        for i in 0..210 {
            crowd.push(send(&mut c, "东城物业", &format!("东城花园{i}号楼的电梯第{i}次停运，物业一直拖着不修。")).await.0);
        }
        let recent = &app.state.intake.recent;
        if kind == Kind::Sqlite {
            recent.fold(app.db(), t0()).await.unwrap();
        }
        // The newer cases also share one band with the edited repeat (a stock
        // phrase would do that): more of them than the newest 200 that
        // lookups once took across all bands, so that band alone filled them.
        let sig = zhengyan::liaison::neardup::signature(&format!("南关小学斑马线\n{}", text.replace("很担心", "非常担心")));
        let band = zhengyan::liaison::neardup::bands(&sig)[0];
        for id in &crowd {
            app.db()
                .exec(Query::new("insert into liaison_bands (band, case_id) values ($1, $2) on conflict do nothing").bind(band).bind(*id))
                .await
                .unwrap();
        }
        // As a node that has just started: every key is in the table.
        assert_eq!(found_by(&app, &Recent::default(), &sig).await, Some(original));
    }
}
