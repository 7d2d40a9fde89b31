//! The generated permission matrix (P3): every scope and every built-in role ×
//! target unit (same, child, sibling, parent, unrelated, and a record the
//! person created elsewhere) × read / list / write / export, over the pages
//! and the API. Expectations come from an oracle written here, independently
//! of the permission code, and every mismatch is reported at once.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Cursor;

use axum::http::Method;
use calamine::{Reader, Xlsx};
use zhengyan::authz::roles::BUILTIN_ROLES;
use zhengyan::authz::{Action, Module, ScopeKind};
use zhengyan::db::Query;

use crate::both;
use crate::support::fixtures::Tree;
use crate::support::{Client, Kind, TestApp};

/// Where a record sits relative to the person (whose unit is `a`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Rel {
    Same,
    Child,
    Sibling,
    Parent,
    Unrelated,
    /// Created by the person, in a unit below `c` (unrelated by place).
    Own,
}

const RELS: &[Rel] = &[Rel::Same, Rel::Child, Rel::Sibling, Rel::Parent, Rel::Unrelated, Rel::Own];

/// The oracle: may a grant of `scope` reach a record at `rel`? Chosen units are {c}.
fn oracle(scope: ScopeKind, rel: Rel) -> bool {
    match scope {
        ScopeKind::All => true,
        ScopeKind::Subtree => matches!(rel, Rel::Same | Rel::Child),
        ScopeKind::Unit => rel == Rel::Same,
        ScopeKind::Chosen => matches!(rel, Rel::Unrelated | Rel::Own),
        ScopeKind::Own => rel == Rel::Own,
    }
}

/// A role's grants, as (module, action, scope).
type Grants = Vec<(Module, Action, ScopeKind)>;
/// Builds the edit form of a target from its name and unit.
type FormOf = fn(&str, i64) -> Vec<(String, String)>;

/// The expected reach of a set of grants for one module and action.
fn expected(grants: &[(Module, Action, ScopeKind)], module: Module, action: Action, rel: Rel) -> bool {
    grants.iter().any(|(m, a, s)| *m == module && *a == action && oracle(*s, rel))
}

/// One record per relation: its id, its name and the unit it belongs to.
struct Targets {
    ids: BTreeMap<Rel, i64>,
    names: BTreeMap<Rel, String>,
    units: BTreeMap<Rel, i64>,
}

async fn unit_targets(app: &TestApp, t: &Tree, me: i64) -> Targets {
    let own = app.unit(Some(t.c1), &format!("联系点{me}"), "contact_point").await;
    app.db()
        .exec(Query::new("update units set created_by = $1 where id = $2").bind(me).bind(own))
        .await
        .unwrap();
    let ids: BTreeMap<Rel, i64> = [
        (Rel::Same, t.a),
        (Rel::Child, t.a1),
        (Rel::Sibling, t.b),
        (Rel::Parent, t.root),
        (Rel::Unrelated, t.c1),
        (Rel::Own, own),
    ]
    .into();
    let mut names = BTreeMap::new();
    for (rel, id) in &ids {
        let n: String =
            app.db().scalar(Query::new("select name from units where id = $1").bind(*id)).await.unwrap();
        names.insert(*rel, n);
    }
    Targets { units: ids.clone(), ids, names }
}

async fn person_targets(app: &TestApp, t: &Tree, me: i64) -> Targets {
    let units: BTreeMap<Rel, i64> = [
        (Rel::Same, t.a),
        (Rel::Child, t.a1),
        (Rel::Sibling, t.b),
        (Rel::Parent, t.root),
        (Rel::Unrelated, t.c1),
        (Rel::Own, t.c1),
    ]
    .into();
    let mut ids = BTreeMap::new();
    let mut names = BTreeMap::new();
    for (rel, unit) in units.clone() {
        let name = format!("人员{rel:?}");
        let owner = (rel == Rel::Own).then_some(me);
        let mut tx = app.db().begin().await.unwrap();
        let id: i64 = tx
            .scalar(
                Query::new(
                    "insert into persons (unit_id, name, status, created_by, created_at, updated_at) \
                     values ($1, $2, 'active', $3, 0, 0) returning id",
                )
                .bind(unit)
                .bind(name.clone())
                .bind(owner),
            )
            .await
            .unwrap();
        tx.commit().await.unwrap();
        ids.insert(rel, id);
        names.insert(rel, name);
    }
    Targets { ids, names, units }
}

fn xlsx_names(bytes: &[u8], column: usize) -> BTreeSet<String> {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).expect("xlsx");
    let sheet = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&sheet).expect("sheet");
    range.rows().skip(1).filter_map(|r| r.get(column).map(|c| c.to_string())).collect()
}

/// The mismatches found for one person.
struct Report<'a> {
    who: &'a str,
    bad: Vec<String>,
}

impl Report<'_> {
    fn note(&mut self, surface: &str, action: &str, rel: Rel, want: bool, got: bool) {
        if want != got {
            let word = |b: bool| if b { "allow" } else { "deny" };
            self.bad.push(format!(
                "{} {surface} {action} {rel:?}: expected {}, got {}",
                self.who,
                word(want),
                word(got)
            ));
        }
    }
}

/// Checks one person (client) against the targets of one module; returns mismatches.
async fn check(
    c: &mut Client<'_>,
    module: Module,
    targets: &Targets,
    grants: &[(Module, Action, ScopeKind)],
    who: &str,
) -> Vec<String> {
    let mut rep = Report { who, bad: Vec::new() };
    let (ui, api, form_of): (&str, &str, FormOf) = match module {
        Module::Org => ("/org/units", "/api/v1/units", |name, _| {
            vec![("name".into(), name.into()), ("kind".into(), "section".into())]
        }),
        _ => ("/org/people", "/api/v1/people", |name, unit| {
            vec![("name".into(), name.into()), ("unit_id".into(), unit.to_string())]
        }),
    };
    // List and count, on the page and in the API.
    let can_list = grants.iter().any(|(m, a, _)| *m == module && *a == Action::Read);
    let page = c.get(&format!("{ui}?status=all&per=200")).await;
    let api_list = c.get(&format!("{api}?status=all&per=200")).await;
    if can_list {
        let api_json = api_list.json();
        let items: BTreeSet<i64> =
            api_json["items"].as_array().unwrap().iter().map(|i| i["id"].as_i64().unwrap()).collect();
        let links: BTreeSet<String> = page.attrs("table tbody a", "href").into_iter().collect();
        for rel in RELS {
            let id = targets.ids[rel];
            let want = expected(grants, module, Action::Read, *rel);
            rep.note("page", "list", *rel, want, links.contains(&format!("{ui}/{id}")));
            rep.note("api", "list", *rel, want, items.contains(&id));
        }
        // The count is scoped in SQL like the rows: with every row on one page, they agree.
        let total = api_json["total"].as_i64().unwrap();
        if total != items.len() as i64 {
            rep.bad.push(format!("{who} api count {total} differs from the {} rows listed", items.len()));
        }
    } else {
        rep.note("page", "list", Rel::Same, false, page.status == 200);
        rep.note("api", "list", Rel::Same, false, api_list.status == 200);
    }
    // Export.
    let can_export = grants.iter().any(|(m, a, _)| *m == module && *a == Action::Export);
    let xlsx = c.get(&format!("{ui}/export?status=all")).await;
    let api_xlsx = c.get(&format!("{api}/export?status=all")).await;
    if can_export {
        for (surface, r) in [("page", &xlsx), ("api", &api_xlsx)] {
            if r.status != 200 {
                rep.bad.push(format!("{who} {surface} export refused: {}", r.status));
                continue;
            }
            let names = xlsx_names(&r.bytes, 1);
            for rel in RELS {
                rep.note(
                    surface,
                    "export",
                    *rel,
                    expected(grants, module, Action::Export, *rel),
                    names.contains(&targets.names[rel]),
                );
            }
        }
    } else {
        rep.note("page", "export", Rel::Same, false, xlsx.status == 200);
        rep.note("api", "export", Rel::Same, false, api_xlsx.status == 200);
    }
    // Read and write each record.
    for rel in RELS {
        let id = targets.ids[rel];
        let want_read = expected(grants, module, Action::Read, *rel);
        let r = c.get(&format!("{ui}/{id}")).await;
        assert!(r.status == 200 || r.status == 403, "{who} {ui}/{id}: unexpected {}", r.status);
        rep.note("page", "read", *rel, want_read, r.status == 200);
        let r = c.get(&format!("{api}/{id}")).await;
        assert!(r.status == 200 || r.status == 403, "{who} {api}/{id}: unexpected {}", r.status);
        rep.note("api", "read", *rel, want_read, r.status == 200);

        let want_write = expected(grants, module, Action::Write, *rel);
        let form = form_of(&targets.names[rel], targets.units[rel]);
        let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let r = c.post_form(&format!("{ui}/{id}"), &fields).await;
        assert!(
            r.status == 303 || r.status == 403,
            "{who} POST {ui}/{id}: unexpected {} {}",
            r.status,
            r.text().chars().take(400).collect::<String>()
        );
        rep.note("page", "write", *rel, want_write, r.status == 303);
        let body: serde_json::Map<String, serde_json::Value> =
            form.iter().map(|(k, v)| (k.clone(), serde_json::json!(v))).collect();
        let r = c.json(Method::PUT, &format!("{api}/{id}"), &serde_json::Value::Object(body)).await;
        assert!(
            r.status == 204 || r.status == 403,
            "{who} PUT {api}/{id}: unexpected {} {}",
            r.status,
            r.text()
        );
        rep.note("api", "write", *rel, want_write, r.status == 204);
    }
    rep.bad
}

async fn run_matrix(kind: Kind, module: Module) {
    let app = TestApp::new(kind).await;
    let t = app.tree().await;
    let mut people: Vec<(String, i64, Grants)> = Vec::new();
    // One custom role per scope, granting read, write and export.
    for scope in ScopeKind::ALL {
        let grants: Grants =
            [Action::Read, Action::Write, Action::Export].iter().map(|a| (module, *a, *scope)).collect();
        let code = app.role(&format!("m_{}", scope.code()), &grants).await;
        let id = app.account(&format!("scope_{}", scope.code()), t.a, &[&code]).await;
        if *scope == ScopeKind::Chosen {
            app.choose_units(id, &[t.c]).await;
        }
        people.push((format!("scope:{}", scope.code()), id, grants));
    }
    // Every built-in role.
    for role in BUILTIN_ROLES {
        let id = app.account(&format!("role_{}", role.code), t.a, &[role.code]).await;
        let grants = role.flat_grants().into_iter().map(|g| (g.module, g.action, g.scope)).collect();
        people.push((format!("role:{}", role.code), id, grants));
    }
    // No grant at all.
    let none = app.account("nobody", t.a, &[]).await;
    people.push(("no-role".into(), none, Vec::new()));

    let mut bad = Vec::new();
    for (who, id, grants) in &people {
        // Each person owns their own "own" record.
        let targets = match module {
            Module::Org => unit_targets(&app, &t, *id).await,
            _ => person_targets(&app, &t, *id).await,
        };
        let mut c = app.as_account(*id).await;
        bad.extend(check(&mut c, module, &targets, grants, who).await);
    }
    assert!(bad.is_empty(), "{} unexpected results:\n{}", bad.len(), bad.join("\n"));
}

both! {
    async fn the_unit_matrix_has_no_unexpected_allow_or_deny(kind: Kind) {
        run_matrix(kind, Module::Org).await;
    }
}

both! {
    async fn the_people_matrix_has_no_unexpected_allow_or_deny(kind: Kind) {
        run_matrix(kind, Module::People).await;
    }
}
