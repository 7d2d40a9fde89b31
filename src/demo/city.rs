//! Builds a city: the unit tree, people, accounts and roles, in one
//! transaction, with an audit record for every unit and account created.

use rand::RngExt;
use rand::rngs::StdRng;

use super::builder::Ctx;
use super::names;
use crate::audit::{self, Actor};
use crate::clock::Ts;
use crate::db::{Db, Query};

/// How big a city to build.
#[derive(Clone, Copy, Debug)]
pub struct Plan {
    /// Towns and streets per county.
    pub towns_per_county: usize,
    /// Contact points in all.
    pub contact_points: usize,
    /// Contact points that get a liaison account.
    pub contact_liaisons: usize,
    /// Extra staff accounts in departments and towns (for scale).
    pub extra_accounts: usize,
    /// Extra villages and communities beyond the contact points (for scale).
    pub extra_units: usize,
}

impl Plan {
    /// The demo city: ~550 units, 382 contact points, ~300 accounts.
    pub const DEMO: Plan = Plan {
        towns_per_county: 9,
        contact_points: 382,
        contact_liaisons: 200,
        extra_accounts: 0,
        extra_units: 0,
    };
}

/// A demo sign-in to print.
#[derive(Clone, Debug)]
pub struct SignIn {
    /// Username.
    pub username: String,
    /// What the account is.
    pub what: String,
}

/// What was built.
#[derive(Debug, Default)]
pub struct Built {
    /// Units created.
    pub units: usize,
    /// People created.
    pub people: usize,
    /// Accounts created.
    pub accounts: usize,
    /// One account per role, to print.
    pub sign_ins: Vec<SignIn>,
}

/// Contact-point kinds, by the point's number (its sort order).
pub(super) const CP_KINDS: &[&str] =
    &["village", "village", "community", "community", "enterprise", "park", "school", "hospital"];

/// Builds the city into an empty database. `password_hash` is used for every account.
pub async fn build(
    db: &Db,
    plan: Plan,
    rng: &mut StdRng,
    now: Ts,
    password_hash: &str,
) -> anyhow::Result<Built> {
    let roles: Vec<(String, i64)> = db.all(Query::new("select code, id from roles")).await?;
    let mut c = Ctx {
        tx: db.begin().await?,
        rng,
        now,
        hash: password_hash.to_string(),
        actor: Actor::system("demo"),
        events: Vec::new(),
        built: Built::default(),
        roles: roles.into_iter().collect(),
    };
    let root = c.unit(None, "中共云川市委", "committee", 0).await?;
    let research = c.unit(Some(root.clone()), "中共云川市委政策研究室", "office", 1).await?;
    c.tx.exec(Query::new("update units set short_name = '市委政研室' where id = $1").bind(research.0))
        .await?;
    let reform = c.unit(Some(root.clone()), "中共云川市委全面深化改革委员会办公室", "office", 2).await?;
    c.tx.exec(Query::new("update units set short_name = '市委改革办' where id = $1").bind(reform.0)).await?;
    let research_branch = c.branch(research.0, "市委政研室党支部").await?;
    let reform_branch = c.branch(reform.0, "市委改革办党支部").await?;

    // Three separated administrators at the root.
    for (user, name, role, what) in [
        ("admin", "系统管理员", "sysadmin", "系统管理员：组织机构、人员、账户、字典、设置"),
        ("secadmin", "安全管理员", "secadmin", "安全管理员：角色授权、安全策略、登录日志"),
        ("auditor", "审计管理员", "auditor", "审计管理员：审计记录与哈希链校验"),
    ] {
        c.account(user, name, root.0, None, role, false).await?;
        c.note(user, what);
    }
    // City leaders.
    for i in 1..=8 {
        let name = names::person(c.rng);
        let user = format!("ld{i:02}");
        let title = [
            "市委书记",
            "市长",
            "市委副书记",
            "市委常委、秘书长",
            "市委常委、宣传部部长",
            "副市长",
            "副市长",
            "市委常委、组织部部长",
        ][i - 1];
        let p = c.person(root.0, &name, title, "county", None).await?;
        c.account(&user, &name, root.0, Some(p), "leader", false).await?;
        if i == 1 {
            c.note(&user, "领导：全部工作情况");
        }
    }
    // Research office staff, by section.
    let mut n = 0;
    for (i, s) in names::RESEARCH_SECTIONS.iter().enumerate() {
        let sec = c.unit(Some(research.clone()), s, "section", i as i64).await?;
        for k in 0..5 {
            n += 1;
            let name = names::person(c.rng);
            let (pos, level) = names::POSITIONS[if k == 0 { 2 } else { 3 + c.rng.random_range(0..5) }];
            let p = c.person(sec.0, &name, pos, level, Some(research_branch)).await?;
            if n <= 30 {
                let user = format!("zys{n:02}");
                c.account(&user, &name, sec.0, Some(p), "research_staff", false).await?;
                if n == 1 {
                    c.note(&user, "政研室工作人员");
                }
            }
        }
    }
    for (pos, level) in [("主任", "county"), ("副主任", "county"), ("副主任", "county")] {
        let name = names::person(c.rng);
        c.person(research.0, &name, pos, level, Some(research_branch)).await?;
    }
    // Reform office staff.
    let mut n = 0;
    for (i, s) in names::REFORM_SECTIONS.iter().enumerate() {
        let sec = c.unit(Some(reform.clone()), s, "section", i as i64).await?;
        for k in 0..4 {
            n += 1;
            let name = names::person(c.rng);
            let (pos, level) = names::POSITIONS[if k == 0 { 2 } else { 4 + c.rng.random_range(0..4) }];
            let p = c.person(sec.0, &name, pos, level, Some(reform_branch)).await?;
            let user = format!("ggb{n:02}");
            c.account(&user, &name, sec.0, Some(p), "reform_staff", false).await?;
            if n == 1 {
                c.note(&user, "改革办工作人员");
            }
        }
    }
    // Party branch administrators.
    for (i, (unit, branch)) in [(research.0, research_branch), (reform.0, reform_branch)].iter().enumerate() {
        let name = names::person(c.rng);
        let p = c.person(*unit, &name, "支部组织委员", "general", Some(*branch)).await?;
        let user = format!("dzb{:02}", i + 1);
        c.account(&user, &name, *unit, Some(p), "party_branch", false).await?;
        if i == 0 {
            c.note(&user, "党支部管理员");
        }
    }
    // Departments, each with a liaison.
    let mut hosts = Vec::new();
    for (i, d) in names::DEPARTMENTS.iter().enumerate() {
        let dept = c.unit(Some(root.clone()), d, "department", 10 + i as i64).await?;
        let name = names::person(c.rng);
        let user = format!("bm{:02}", i + 1);
        c.account(&user, &name, dept.0, None, "unit_liaison", false).await?;
        if i == 0 {
            c.note(&user, "市直部门联络员");
        }
        hosts.push(dept);
    }
    // Counties with their towns, each county with a liaison.
    let mut towns = Vec::new();
    for (i, name) in names::COUNTIES.iter().enumerate() {
        let county = c.unit(Some(root.clone()), name, "county", 100 + i as i64).await?;
        let liaison = names::person(c.rng);
        let user = format!("xq{:02}", i + 1);
        c.account(&user, &liaison, county.0, None, "unit_liaison", false).await?;
        if i == 0 {
            c.note(&user, "县区联络员（只见本县区）");
        }
        let mut seen = std::collections::HashSet::new();
        for k in 0..plan.towns_per_county {
            let mut t = names::town(c.rng, k);
            while !seen.insert(t.clone()) {
                t = names::town(c.rng, k + seen.len());
            }
            towns.push(c.unit(Some(county.clone()), &t, "town", k as i64).await?);
        }
    }
    // Contact points, mostly villages and communities under towns, the rest under departments.
    let mut used = std::collections::HashSet::new();
    for i in 0..plan.contact_points {
        let kind = CP_KINDS[i % CP_KINDS.len()];
        let parent = if matches!(kind, "village" | "community") || hosts.is_empty() {
            towns[i % towns.len()].clone()
        } else {
            hosts[i % hosts.len()].clone()
        };
        let mut name = names::contact_point(c.rng, kind, i);
        while !used.insert((parent.0, name.clone())) {
            name = format!("{name}{}", i % 10);
        }
        let cp = c.unit(Some(parent), &name, "contact_point", i as i64).await?;
        if i < plan.contact_liaisons {
            let person = names::person(c.rng);
            let user = format!("lxd{:03}", i + 1);
            c.account(&user, &person, cp.0, None, "contact_liaison", false).await?;
            if i == 0 {
                c.note(&user, "联系点联络员（手机报送）");
            }
        }
    }
    // Scale: more villages and communities, and more staff accounts.
    for i in 0..plan.extra_units {
        let parent = towns[i % towns.len()].clone();
        let name = format!(
            "{}{}",
            names::contact_point(c.rng, if i % 2 == 0 { "village" } else { "community" }, i),
            i
        );
        c.unit(Some(parent), &name, "other", 1000 + i as i64).await?;
    }
    for i in 0..plan.extra_accounts {
        let host = if i % 3 == 0 { &hosts[i % hosts.len()] } else { &towns[i % towns.len()] };
        let host = host.0;
        let name = names::person(c.rng);
        let (pos, level) = names::POSITIONS[2 + i % 6];
        let p = c.person(host, &name, pos, level, None).await?;
        c.account(
            &format!("u{i:05}"),
            &name,
            host,
            Some(p),
            if i % 4 == 0 { "unit_liaison" } else { "research_staff" },
            false,
        )
        .await?;
    }
    // Mentoring and postings among the research office staff.
    let staff: Vec<(i64, i64)> =
        c.tx.all(
            Query::new("select p.id, p.unit_id from persons p where p.branch_id = $1 order by p.id")
                .bind(research_branch),
        )
        .await?;
    for pair in staff.chunks(2).take(6) {
        if let [mentor, mentee] = pair {
            c.tx.exec(
                Query::new("insert into mentoring_pairs (mentor_id, mentee_id, started_on, note, created_at) values ($1, $2, $3, '青年干部导师帮带', $4)")
                    .bind(mentor.0)
                    .bind(mentee.0)
                    .bind(time::macros::date!(2026 - 03 - 01))
                    .bind(now),
            )
            .await?;
        }
    }
    if let (Some(first), Some(county)) = (staff.first(), towns.first()) {
        c.tx.exec(
            Query::new(
                "insert into postings (person_id, kind, from_unit_id, to_unit_id, started_on, ended_on, note, created_at) \
                 values ($1, 'secondment', $2, $3, $4, $5, '到乡镇挂职锻炼', $6)",
            )
            .bind(first.0)
            .bind(first.1)
            .bind(county.0)
            .bind(time::macros::date!(2026 - 01 - 10))
            .bind(time::macros::date!(2026 - 12 - 31))
            .bind(now),
        )
        .await?;
    }
    let events = std::mem::take(&mut c.events);
    audit::store::append_batch(&mut c.tx, &events).await?;
    c.tx.commit().await?;
    Ok(c.built)
}
