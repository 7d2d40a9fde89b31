//! One search over reform tasks and drafts on both databases: the same hits
//! and order for a small known corpus, words required together, data scopes
//! inside the query (no hit, count or snippet from a text the person may not
//! see), the index kept current on every write, and the domain dictionary.

use axum::http::Method;
use serde_json::json;

use crate::both;
use crate::support::{Client, TestApp};

async fn task(office: &mut Client<'_>, title: &str, goals: &str, lead: i64, coop: &[i64]) -> i64 {
    let r = office
        .json(
            Method::POST,
            "/api/v1/reform/tasks",
            &json!({
                "title": title, "year": "2026", "source": "city", "field": "economy",
                "lead_unit_id": lead.to_string(),
                "unit_ids": coop.iter().map(|u| u.to_string()).collect::<Vec<_>>(),
                "goals": goals, "start_on": "2026-01-05", "deadline": "2026-12-31",
            }),
        )
        .await;
    r.assert_status(200);
    r.json()["id"].as_i64().unwrap()
}

/// A drafting task of `unit` with `researcher` in every role, and a first version of `text`.
async fn draft(r: &mut Client<'_>, researcher: i64, unit: i64, title: &str, text: &str) -> i64 {
    let d = r
        .json(
            Method::POST,
            "/api/v1/drafting/tasks",
            &json!({
                "title": title, "kind": "report", "unit_id": unit.to_string(), "due_hours": "72",
                "drafter_ids": [researcher.to_string()], "reviewer_id": researcher.to_string(),
                "checker_id": researcher.to_string(),
            }),
        )
        .await;
    d.assert_status(201);
    let id = d.json()["id"].as_i64().unwrap();
    r.json(Method::POST, &format!("/api/v1/drafting/tasks/{id}/versions"), &json!({ "text": text }))
        .await
        .assert_status(201);
    id
}

/// Percent-encodes what a URI may not carry (Chinese, spaces).
pub fn u(path: &str) -> String {
    path.chars()
        .map(|c| {
            if c.is_ascii() && c != ' ' {
                c.to_string()
            } else {
                c.to_string().bytes().map(|b| format!("%{b:02X}")).collect()
            }
        })
        .collect()
}

fn ids(r: &serde_json::Value) -> Vec<(String, i64)> {
    r["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["kind"].as_str().unwrap().to_string(), h["id"].as_i64().unwrap()))
        .collect()
}

fn count(r: &serde_json::Value, kind: &str) -> i64 {
    r["counts"].as_array().unwrap().iter().find(|c| c[0] == kind).map_or(0, |c| c[1].as_i64().unwrap())
}

both! {
    async fn hits_rank_and_obey_every_data_scope(kind: Kind) {
        let app = TestApp::new(kind).await;
        let t = app.tree().await;
        let office = app.account("gb", t.b, &["reform_staff"]).await;
        let researcher = app.account("yj", t.b, &["research_staff"]).await;
        let liaison = app.account("la", t.a, &["unit_liaison"]).await;
        let mut o = app.as_account(office).await;
        let in_title = task(&mut o, "优化营商环境专项行动", "推进政务服务一网通办，压缩审批时限", t.c, &[t.c1]).await;
        let in_body = task(&mut o, "农村集体经济发展", "探索乡村优化营商环境的路径", t.a, &[]).await;
        let cooperated = task(&mut o, "跨区通办试点", "会同相关区县改善营商环境，建立协作机制", t.c, &[t.a]).await;
        let _other = task(&mut o, "老旧小区改造", "加装电梯和停车位", t.a, &[]).await;
        let mut r = app.as_account(researcher).await;
        let draft = draft(&mut r, researcher, t.b, "关于营商环境的调研报告", "调研提纲：企业开办和营商环境评价").await;

        // The reform office reads every task but no draft.
        let res = o.get(&u("/api/v1/search?q=营商环境")).await;
        res.assert_status(200);
        let res = res.json();
        assert_eq!(res["total"], 3, "{res}");
        assert_eq!(ids(&res)[0], ("reform_task".to_string(), in_title), "a title hit ranks first: {res}");
        assert_eq!(count(&res, "draft"), 0);
        assert!(res["hits"][0]["title_html"].as_str().unwrap().contains("<mark>营商环境</mark>"));

        // The research office reads both kinds.
        let res = r.get(&u("/api/v1/search?q=营商环境")).await.json();
        assert_eq!((count(&res, "reform_task"), count(&res, "draft")), (3, 1), "{res}");
        let res = r.get(&u("/api/v1/search?q=营商环境&kind=draft")).await.json();
        assert_eq!(ids(&res), vec![("draft".to_string(), draft)]);
        assert!(res["hits"][0]["snippet_html"].as_str().unwrap().contains("<mark>营商环境</mark>"), "{res}");

        // Every word is required; a short word also finds the long words holding it.
        let res = o.get(&u("/api/v1/search?q=营商环境 乡村")).await.json();
        assert_eq!(ids(&res), vec![("reform_task".to_string(), in_body)], "{res}");
        let res = o.get(&u("/api/v1/search?q=营商")).await.json();
        assert_eq!(res["total"], 3, "{res}");

        // A county liaison sees its own task and the one it cooperates on, nothing else,
        // not even in the counts; the page shows no trace of the others either.
        let mut l = app.as_account(liaison).await;
        let res = l.get(&u("/api/v1/search?q=营商环境")).await.json();
        let mut seen = ids(&res);
        seen.sort();
        let mut want = vec![("reform_task".to_string(), in_body), ("reform_task".to_string(), cooperated)];
        want.sort();
        assert_eq!(seen, want, "{res}");
        assert_eq!((res["total"].as_i64(), count(&res, "draft")), (Some(2), 0));
        let page = l.get(&u("/search?q=营商环境")).await;
        page.assert_status(200);
        assert!(!page.text().contains("专项行动") && !page.text().contains("调研报告"), "hidden titles leak");
        assert_eq!(page.select("#hits .search-hit").len(), 2);
        let res = l.get(&u("/api/v1/search?q=一网通办")).await.json();
        assert_eq!(res["total"], 0, "a word only in a hidden task counts nothing: {res}");

        // Filters and bad input.
        let res = o.get(&u(&format!("/api/v1/search?q=营商环境&unit={}", t.a))).await.json();
        assert_eq!(ids(&res), vec![("reform_task".to_string(), in_body)], "unit filter by lead unit: {res}");
        assert_eq!(o.get(&u("/api/v1/search?q=营商环境&year=2025")).await.json()["total"], 0);
        o.get(&u("/api/v1/search?q=营商环境&kind=nope")).await.assert_status(422);
        o.get("/api/v1/search?q=").await.assert_status(422);
        o.get(&u("/api/v1/search?q=营商环境&year=abc")).await.assert_status(422);

        // Kept current: a new version replaces the draft's text in the index.
        r.json(Method::POST, &format!("/api/v1/drafting/tasks/{draft}/steps"), &json!({ "step": "submit" })).await.assert_status(200);
        r.json(Method::POST, &format!("/api/v1/drafting/tasks/{draft}/steps"), &json!({ "step": "return", "comment": "重写" })).await.assert_status(200);
        r.json(Method::POST, &format!("/api/v1/drafting/tasks/{draft}/versions"), &json!({ "text": "培育新质生产力的对策建议" }))
            .await.assert_status(201);
        assert_eq!(r.get(&u("/api/v1/search?q=新质生产力")).await.json()["total"], 1);
        assert_eq!(r.get(&u("/api/v1/search?q=调研提纲")).await.json()["total"], 0, "the old text is gone from the index");
    }
}

both! {
    async fn the_domain_dictionary_keeps_office_words_whole(kind: Kind) {
        let app = TestApp::new(kind).await;
        let t = app.tree().await;
        let admin = app.account("sys", t.root, &["sysadmin"]).await;
        let mut a = app.as_account(admin).await;
        let before = a.get(&u("/admin/words?sample=开展清风课堂学习")).await;
        before.assert_status(200);
        assert!(!before.select("#cut .badge").contains(&"清风课堂".to_string()));
        a.post_form("/admin/words", &[("word", "清风课堂"), ("note", "机关党建品牌")]).await.assert_status(303);
        let r = a.post_form("/admin/words", &[("word", "清风课堂")]).await;
        r.assert_status(422);
        assert!(r.text().contains("词典中已有"));
        a.post_form("/admin/words", &[("word", "a b")]).await.assert_status(422);
        let after = a.get(&u("/admin/words?sample=开展清风课堂学习")).await;
        assert!(after.select("#cut .badge").contains(&"清风课堂".to_string()), "{:?}", after.select("#cut .badge"));
        // Unit names from the org tree are words too.
        let seg = zhengyan::text::segmenter(app.db()).await.unwrap();
        let name: String = app.db().scalar(zhengyan::db::Query::new("select name from units where id = $1").bind(t.c1)).await.unwrap();
        assert!(seg.knows(&name), "{name}");
        // Only administrators of dictionaries change it.
        let staff = app.account("yj", t.b, &["research_staff"]).await;
        app.as_account(staff).await.post_form("/admin/words", &[("word", "某词")]).await.assert_status(403);
    }
}

both! {
    async fn hits_rank_by_where_the_words_stand_then_newest_across_pages(kind: Kind) {
        let app = TestApp::new(kind).await;
        let t = app.tree().await;
        let office = app.account("gb", t.b, &["reform_staff"]).await;
        let mut o = app.as_account(office).await;
        // Written oldest first: the title hits are the oldest, the text-only ones the newest.
        let both_in_title = task(&mut o, "营商环境专项督办", "压缩审批时限", t.c, &[]).await;
        let one_in_title = task(&mut o, "优化营商环境", "建立督办台账，按月通报", t.c, &[]).await;
        let mut body_only = Vec::new();
        for i in 0..23 {
            let goals = format!("第{i}批：对营商环境问题逐项督办，限期整改");
            body_only.push(task(&mut o, &format!("重点工作第{i}项"), &goals, t.c, &[]).await);
        }
        let _neither = task(&mut o, "老旧小区改造", "加装电梯", t.c, &[]).await;

        let first = o.get(&u("/api/v1/search?q=营商环境 督办")).await.json();
        assert_eq!(first["total"], 25, "{first}");
        let mut want = vec![("reform_task".to_string(), both_in_title), ("reform_task".to_string(), one_in_title)];
        // Within the text-only tier the newest comes first.
        want.extend(body_only.iter().rev().take(18).map(|id| ("reform_task".to_string(), *id)));
        assert_eq!(ids(&first), want, "{first}");

        // Page two carries on where page one stopped, across the tiers' border.
        let second = o.get(&u("/api/v1/search?q=营商环境 督办&page=2")).await.json();
        let rest: Vec<(String, i64)> =
            body_only.iter().rev().skip(18).map(|id| ("reform_task".to_string(), *id)).collect();
        assert_eq!(ids(&second), rest, "{second}");
        assert_eq!(second["total"], 25);
        let beyond = o.get(&u("/api/v1/search?q=营商环境 督办&page=3")).await.json();
        assert_eq!(ids(&beyond), vec![], "{beyond}");

        // One word: a title hit first, then the text hits, newest first.
        let one = o.get(&u("/api/v1/search?q=督办")).await.json();
        let got = ids(&one);
        assert_eq!(got[0], ("reform_task".to_string(), both_in_title), "{one}");
        assert_eq!(got[1], ("reform_task".to_string(), *body_only.last().unwrap()), "{one}");
    }
}

both! {
    async fn a_rebuilt_index_keeps_every_hit_and_the_newest_first_order_across_kinds(kind: Kind) {
        let app = TestApp::new(kind).await;
        let t = app.tree().await;
        let office = app.account("gb", t.b, &["reform_staff"]).await;
        let researcher = app.account("yj", t.b, &["research_staff"]).await;
        let mut o = app.as_account(office).await;
        let mut r = app.as_account(researcher).await;
        // A task, a draft, a task, a minute apart: the draft sits between the two in time.
        let older = task(&mut o, "第一项", "持续优化营商环境", t.c, &[]).await;
        app.advance_minutes(1);
        let draft = draft(&mut r, researcher, t.b, "调研提纲", "围绕营商环境开展走访").await;
        app.advance_minutes(1);
        let newer = task(&mut o, "第二项", "营商环境评价", t.c, &[]).await;
        let want = vec![
            ("reform_task".to_string(), newer),
            ("draft".to_string(), draft),
            ("reform_task".to_string(), older),
        ];
        let before = r.get(&u("/api/v1/search?q=营商环境")).await.json();
        assert_eq!(ids(&before), want, "{before}");

        let seg = zhengyan::text::segmenter(app.db()).await.unwrap();
        let (docs, _) = zhengyan::search::index::reindex(app.db(), &seg, crate::support::t0(), |_| {}).await.unwrap();
        assert_eq!(docs, 3);
        let after = r.get(&u("/api/v1/search?q=营商环境")).await.json();
        assert_eq!(ids(&after), want, "the rebuild merges the kinds by creation time: {after}");
        assert_eq!(after["total"], 3);
    }
}

both! {
    async fn a_reader_of_everything_gets_the_same_hits_and_counts_from_the_index_alone(kind: Kind) {
        use zhengyan::authz::{Action, Module, ScopeKind};
        let app = TestApp::new(kind).await;
        let t = app.tree().await;
        let office = app.account("gb", t.b, &["reform_staff"]).await;
        let researcher = app.account("yj", t.b, &["research_staff"]).await;
        let all = [Module::Search, Module::Reform, Module::Drafting, Module::Research, Module::Liaison]
            .map(|m| (m, Action::Read, ScopeKind::All));
        let role = app.role("reads_all", &all).await;
        let reader = app.account("dz", t.b, &[role.as_str()]).await;
        let mut o = app.as_account(office).await;
        let first = task(&mut o, "营商环境评估", "逐项督办", t.c, &[]).await;
        let second = task(&mut o, "重点工作", "优化营商环境", t.a, &[]).await;
        let mut r = app.as_account(researcher).await;
        let draft = draft(&mut r, researcher, t.b, "调研提纲", "营商环境走访提纲").await;

        let mut z = app.as_account(reader).await;
        let queries = ["/api/v1/search?q=营商环境", "/api/v1/search?q=营商环境&kind=draft",
            "/api/v1/search?q=营商环境&kind=reform_task", "/api/v1/search?q=营商环境&page=2"];
        let mut fast = Vec::new();
        for q in queries {
            fast.push(z.get(&u(q)).await.json());
        }
        assert_eq!((count(&fast[0], "reform_task"), count(&fast[0], "draft"), fast[0]["total"].as_i64()), (2, 1, Some(3)));
        assert_eq!(ids(&fast[0]), vec![
            ("reform_task".to_string(), first),
            ("draft".to_string(), draft),
            ("reform_task".to_string(), second),
        ], "title hit first, then newest: {}", fast[0]);
        assert_eq!(ids(&fast[1]), vec![("draft".to_string(), draft)]);
        assert_eq!(ids(&fast[2]).len(), 2);
        assert!(ids(&fast[3]).is_empty());

        // The same answers through the join: with the older id layout marked, and with a unit filter
        // that covers the whole tree.
        app.db().exec(zhengyan::db::Query::new("update settings set value = '1' where key = 'search.layout'")).await.unwrap();
        for (q, want) in queries.iter().zip(&fast) {
            assert_eq!(&z.get(&u(q)).await.json(), want, "{q}");
        }
        let root = z.get(&u(&format!("/api/v1/search?q=营商环境&unit={}", t.root))).await.json();
        assert_eq!((root["hits"].clone(), root["counts"].clone()), (fast[0]["hits"].clone(), fast[0]["counts"].clone()));
    }
}
