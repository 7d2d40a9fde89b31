//! Dictionary and site-settings changes, shared by the pages and the API.

use serde::{Deserialize, Serialize};

use super::settings::{self, SiteSettings};
use super::store::{self, DictItem};
use crate::app::Caller;
use crate::audit::{self, Event};
use crate::authz::{Action, Module};
use crate::db::{Query, is_unique_violation};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::validate::{Check, optional, required, sort_order};

/// A dictionary item as typed in a form or JSON body.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ItemInput {
    /// Stable code: lower-case letters, digits and `_`.
    pub code: String,
    /// Chinese label.
    pub label: String,
    /// English label.
    pub label_en: String,
    /// Display order.
    pub sort_order: String,
    /// Offered in forms (`on`/`true` when checked).
    pub enabled: Option<String>,
}

/// A validated item.
#[derive(Clone, Debug, Serialize)]
pub struct Item {
    code: String,
    label: String,
    label_en: String,
    sort_order: i64,
    enabled: bool,
}

fn code(raw: &str) -> Result<String, Msg> {
    let v = required(raw, 32)?;
    if v.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') {
        Ok(v)
    } else {
        Err(Msg::new("编码只能包含小写字母、数字和下划线"))
    }
}

impl ItemInput {
    /// Parses every field, reporting all errors at once.
    pub fn parse(&self, with_code: bool) -> Result<Item, FieldErrors> {
        let mut c = Check::default();
        let code = if with_code { c.take("code", code(&self.code)) } else { Some(String::new()) };
        let label = c.take("label", required(&self.label, 50));
        let label_en = c.take("label_en", optional(&self.label_en, 100));
        let sort_order = c.take("sort_order", sort_order(&self.sort_order));
        let enabled = crate::validate::checkbox(self.enabled.as_deref());
        c.finish(|| {
            Some(Item { code: code?, label: label?, label_en: label_en?, sort_order: sort_order?, enabled })
        })
    }
}

/// Adds an item to a dictionary.
pub async fn add_item(c: &Caller<'_>, type_code: &str, input: &ItemInput) -> AppResult<i64> {
    c.who.require(Module::Dicts, Action::Write)?;
    let item = input.parse(true)?;
    let db = &c.state.db;
    store::get_type(db, type_code).await?.ok_or(AppError::NotFound)?;
    let mut tx = db.begin().await?;
    let id: i64 = match tx
        .scalar(
            Query::new(
                "insert into dict_items (type_code, code, label, label_en, sort_order, enabled) \
                 values ($1, $2, $3, $4, $5, $6) returning id",
            )
            .bind(type_code)
            .bind(&item.code)
            .bind(&item.label)
            .bind(&item.label_en)
            .bind(item.sort_order)
            .bind(item.enabled),
        )
        .await
    {
        Ok(id) => id,
        Err(e) if is_unique_violation(&e) => {
            return Err(FieldErrors::one("code", Msg::new("该字典中已有此编码")).into());
        }
        Err(e) => return Err(e.into()),
    };
    let ev = Event::new("dict.item_create", "dict_item", id)
        .summary(format!("在字典“{type_code}”中新增“{}”", item.label))
        .after(&item);
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(id)
}

/// Changes an item's label, order or availability (the code never changes:
/// records store it).
pub async fn update_item(c: &Caller<'_>, type_code: &str, id: i64, input: &ItemInput) -> AppResult<()> {
    c.who.require(Module::Dicts, Action::Write)?;
    let item = input.parse(false)?;
    let mut tx = c.state.db.begin().await?;
    let before: DictItem =
        store::item_tx(&mut tx, id).await?.filter(|i| i.type_code == type_code).ok_or(AppError::NotFound)?;
    tx.exec(
        Query::new(
            "update dict_items set label = $1, label_en = $2, sort_order = $3, enabled = $4 where id = $5",
        )
        .bind(&item.label)
        .bind(&item.label_en)
        .bind(item.sort_order)
        .bind(item.enabled)
        .bind(id),
    )
    .await?;
    let ev = Event::new("dict.item_update", "dict_item", id)
        .summary(format!("修改字典“{type_code}”的“{}”", before.label))
        .before(&before)
        .after(&item);
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(())
}

/// Site settings as typed in a form.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct SiteInput {
    /// Organisation name.
    pub org_name: String,
    /// System name.
    pub system_name: String,
    /// Largest attachment in MiB.
    pub attachment_max_mb: String,
}

impl SiteInput {
    /// Parses the form against the configured upload ceiling.
    pub fn parse(&self, ceiling_mb: u64) -> Result<SiteSettings, FieldErrors> {
        let mut c = Check::default();
        let org_name = c.take("org_name", required(&self.org_name, 60));
        let system_name = c.take("system_name", required(&self.system_name, 30));
        let max = c.take(
            "attachment_max_mb",
            self.attachment_max_mb
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|v| *v >= 1 && u64::from(*v) <= ceiling_mb)
                .ok_or_else(|| Msg::new("应在{lo}到{hi}之间").arg("lo", 1).arg("hi", ceiling_mb)),
        );
        c.finish(|| {
            Some(SiteSettings { org_name: org_name?, system_name: system_name?, attachment_max_mb: max? })
        })
    }
}

/// Saves the site settings.
pub async fn save_site(c: &Caller<'_>, input: &SiteInput) -> AppResult<SiteSettings> {
    c.who.require(Module::Settings, Action::Write)?;
    let new = input.parse(c.state.config.max_upload_mb)?;
    let before = settings::site(&c.state.db).await?;
    let mut tx = c.state.db.begin().await?;
    settings::write(&mut tx, settings::SITE, &new, c.now, Some(c.who.account_id)).await?;
    let ev = Event::new("setting.update", "setting", settings::SITE)
        .summary("修改系统设置")
        .before(&before)
        .after(&new);
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_codes_are_plain_identifiers() {
        assert!(code("pilot_city").is_ok());
        assert!(code("Pilot").is_err());
        assert!(code("试点").is_err());
        assert!(code("").is_err());
    }

    #[test]
    fn an_item_form_reports_each_bad_field() {
        let bad = ItemInput {
            code: "A B".into(),
            label: String::new(),
            sort_order: "x".into(),
            ..ItemInput::default()
        };
        let e = bad.parse(true).unwrap_err();
        assert_eq!(e.0.keys().map(String::as_str).collect::<Vec<_>>(), vec!["code", "label", "sort_order"]);
    }
}
