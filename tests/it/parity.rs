//! The two migration folders describe the same schema.

use std::collections::BTreeMap;

use zhengyan::db::Query;

use crate::support::{Kind, TestApp};

async fn columns(app: &TestApp) -> BTreeMap<String, Vec<String>> {
    let rows: Vec<(String, String)> = match app.kind {
        Kind::Sqlite => app
            .db()
            .all(Query::new(
                "select m.name, p.name from sqlite_master m join pragma_table_info(m.name) p \
                 where m.type = 'table' and m.name not like 'sqlite_%' and m.name not like '_sqlx%' order by m.name, p.cid",
            ))
            .await
            .expect("sqlite schema"),
        Kind::Postgres => app
            .db()
            .all(Query::new(
                "select table_name::text, column_name::text from information_schema.columns \
                 where table_schema = 'public' and table_name not like '_sqlx%' order by table_name, ordinal_position",
            ))
            .await
            .expect("pg schema"),
    };
    let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (t, c) in rows {
        // The search index is dialect-specific by design: an FTS5 table (with its
        // shadow tables) on SQLite, tsvector columns (all words, title words) on PostgreSQL.
        let fts = t.starts_with("search_fts");
        let dialect_only = fts || (t == "search_docs" && (c == "tsv" || c == "tsv_title"));
        if !dialect_only {
            map.entry(t).or_default().push(c);
        }
    }
    map
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_migration_folders_make_the_same_tables_and_columns() {
    let sqlite = TestApp::new(Kind::Sqlite).await;
    let pg = TestApp::new(Kind::Postgres).await;
    let (a, b) = (columns(&sqlite).await, columns(&pg).await);
    assert!(a.len() >= 20, "expected the whole schema, got {:?}", a.keys());
    assert_eq!(a, b);
}

#[test]
fn both_migration_folders_have_the_same_numbers() {
    let names = |dir: &str| -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .expect("dir")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().split('_').next().unwrap_or_default().to_string())
            .collect();
        v.sort();
        v
    };
    assert_eq!(names("migrations/sqlite"), names("migrations/postgres"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_unit_reference_in_the_schema_is_known_to_merge() {
    let app = TestApp::new(Kind::Sqlite).await;
    let fks: Vec<(String, String)> = app
        .db()
        .all(Query::new(
            "select m.name, f.\"from\" from sqlite_master m join pragma_foreign_key_list(m.name) f \
             where m.type = 'table' and f.\"table\" = 'units' and m.name <> 'units' order by m.name",
        ))
        .await
        .expect("fks");
    let mut known: Vec<(String, String)> = zhengyan::org::units::store::UNIT_REFERENCES
        .iter()
        .map(|(t, c, _)| (t.to_string(), c.to_string()))
        .collect();
    known.sort();
    let mut fks = fks;
    fks.sort();
    assert_eq!(fks, known, "org::units::store::UNIT_REFERENCES must list every column that references units");
}
