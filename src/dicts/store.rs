//! Dictionary SQL.

use std::collections::HashMap;

use serde::Serialize;

use super::seed::BUILTIN;
use crate::db::{Db, DbResult, Query, Sql, Tx};

/// A dictionary type with its item count.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct DictType {
    /// Stable code.
    pub code: String,
    /// Chinese name.
    pub name: String,
    /// English name.
    pub name_en: String,
    /// What it lists.
    pub description: String,
    /// Shipped with the product.
    pub builtin: bool,
    /// Items in it.
    pub items: i64,
}

/// One item of a dictionary.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema, PartialEq)]
pub struct DictItem {
    /// Id.
    pub id: i64,
    /// Type code.
    pub type_code: String,
    /// Stable code stored in records.
    pub code: String,
    /// Chinese label.
    pub label: String,
    /// English label.
    pub label_en: String,
    /// Display order.
    pub sort_order: i64,
    /// Offered in forms.
    pub enabled: bool,
}

/// Adds missing built-in types and items; never changes existing ones.
pub async fn seed_builtin(db: &Db) -> DbResult<()> {
    let have: i64 = db.scalar(Query::new("select count(*) from dict_items")).await?;
    let want: usize = BUILTIN.iter().map(|(_, _, _, items)| items.len()).sum();
    if have >= want as i64 {
        let types: i64 =
            db.scalar(Query::new("select count(*) from dict_types where builtin = true")).await?;
        if types >= BUILTIN.len() as i64 {
            return Ok(());
        }
    }
    let mut tx = db.begin().await?;
    for (code, name, name_en, items) in BUILTIN {
        tx.exec(
            Query::new(
                "insert into dict_types (code, name, name_en, builtin) values ($1, $2, $3, true) \
                 on conflict (code) do nothing",
            )
            .bind(*code)
            .bind(*name)
            .bind(*name_en),
        )
        .await?;
        for (i, (item, label, label_en)) in items.iter().enumerate() {
            tx.exec(
                Query::new(
                    "insert into dict_items (type_code, code, label, label_en, sort_order, enabled) \
                     values ($1, $2, $3, $4, $5, true) on conflict (type_code, code) do nothing",
                )
                .bind(*code)
                .bind(*item)
                .bind(*label)
                .bind(*label_en)
                .bind((i as i64 + 1) * 10),
            )
            .await?;
        }
    }
    tx.commit().await
}

/// Every type with its item count.
pub async fn types(db: &Db) -> DbResult<Vec<DictType>> {
    db.all(Query::new(
        "select t.code, t.name, t.name_en, t.description, t.builtin, \
         (select count(*) from dict_items i where i.type_code = t.code) as items \
         from dict_types t order by t.builtin desc, t.code",
    ))
    .await
}

/// One type.
pub async fn get_type(db: &Db, code: &str) -> DbResult<Option<DictType>> {
    db.opt(
        Query::new(
            "select t.code, t.name, t.name_en, t.description, t.builtin, \
             (select count(*) from dict_items i where i.type_code = t.code) as items \
             from dict_types t where t.code = $1",
        )
        .bind(code),
    )
    .await
}

/// Items of a type, in display order (disabled ones too).
pub async fn items(db: &Db, type_code: &str) -> DbResult<Vec<DictItem>> {
    db.all(
        Query::new(
            "select id, type_code, code, label, label_en, sort_order, enabled from dict_items \
             where type_code = $1 order by sort_order, id",
        )
        .bind(type_code),
    )
    .await
}

/// Enabled items of a type, for pickers: (code, label).
pub async fn options(db: &Db, type_code: &str) -> DbResult<Vec<(String, String)>> {
    db.all(
        Query::new(
            "select code, label from dict_items where type_code = $1 and enabled = true order by sort_order, id",
        )
        .bind(type_code),
    )
    .await
}

/// Enabled items of several types in one statement, for a page with a picker
/// for each: (code, label) by type, in display order.
pub async fn options_by_type(
    db: &Db,
    type_codes: &[&str],
) -> DbResult<HashMap<String, Vec<(String, String)>>> {
    let mut sql = Sql::new("select type_code, code, label from dict_items where type_code in ");
    sql.bind_list(type_codes.iter().map(|t| t.to_string()));
    sql.push(" and enabled = true order by type_code, sort_order, id");
    let rows: Vec<(String, String, String)> = db.all(sql.build()).await?;
    let mut by_type = HashMap::<String, Vec<(String, String)>>::new();
    for (t, code, label) in rows {
        by_type.entry(t).or_default().push((code, label));
    }
    Ok(by_type)
}

/// True when `code` is an enabled item of `type_code`.
pub async fn is_enabled(db: &Db, type_code: &str, code: &str) -> DbResult<bool> {
    let n: i64 = db
        .scalar(
            Query::new(
                "select count(*) from dict_items where type_code = $1 and code = $2 and enabled = true",
            )
            .bind(type_code)
            .bind(code),
        )
        .await?;
    Ok(n > 0)
}

/// One item by id.
pub async fn item_tx(tx: &mut Tx, id: i64) -> DbResult<Option<DictItem>> {
    tx.opt(
        Query::new(
            "select id, type_code, code, label, label_en, sort_order, enabled from dict_items where id = $1",
        )
        .bind(id),
    )
    .await
}
