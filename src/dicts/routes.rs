//! Dictionary and settings pages (系统管理员).

use axum::extract::{Form, Path};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;

use super::actions::{self, ItemInput, SiteInput};
use super::{settings, store};
use crate::authz::{Action, Module};
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::web::Ui;

#[derive(Serialize)]
struct ListPage {
    types: Vec<store::DictType>,
}

/// `GET /admin/dicts`
pub async fn list(ui: Ui) -> AppResult<Response> {
    ui.require(Module::Dicts, Action::Read)?;
    ui.render("dicts/list.html", ListPage { types: store::types(&ui.state.db).await? })
}

#[derive(Serialize)]
struct ItemsPage {
    dict: store::DictType,
    items: Vec<store::DictItem>,
    form: ItemInput,
    errors: std::collections::BTreeMap<String, String>,
    can_write: bool,
}

async fn items_page(
    ui: &Ui,
    code: &str,
    form: ItemInput,
    errors: crate::error::FieldErrors,
    status: StatusCode,
) -> AppResult<Response> {
    let dict = store::get_type(&ui.state.db, code).await?.ok_or(AppError::NotFound)?;
    let items = store::items(&ui.state.db, code).await?;
    let errors = ui.field_errors(&errors);
    let can_write = ui.user.can(Module::Dicts, Action::Write);
    ui.render_status(status, "dicts/items.html", ItemsPage { dict, items, form, errors, can_write })
}

/// `GET /admin/dicts/{code}`
pub async fn items(ui: Ui, Path(code): Path<String>) -> AppResult<Response> {
    ui.require(Module::Dicts, Action::Read)?;
    let form = ItemInput { enabled: Some("on".into()), ..ItemInput::default() };
    items_page(&ui, &code, form, Default::default(), StatusCode::OK).await
}

/// `POST /admin/dicts/{code}/items`
pub async fn add_item(ui: Ui, Path(code): Path<String>, Form(form): Form<ItemInput>) -> AppResult<Response> {
    match actions::add_item(&ui.caller(), &code, &form).await {
        Ok(_) => Ok(ui.done(&format!("/admin/dicts/{code}"), Msg::new("已新增字典项"))),
        Err(AppError::Invalid(errors)) => {
            items_page(&ui, &code, form, errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e),
    }
}

/// `POST /admin/dicts/{code}/items/{id}`
pub async fn update_item(
    ui: Ui,
    Path((code, id)): Path<(String, i64)>,
    Form(form): Form<ItemInput>,
) -> AppResult<Response> {
    match actions::update_item(&ui.caller(), &code, id, &form).await {
        Ok(()) => Ok(ui.done(&format!("/admin/dicts/{code}"), Msg::new("已保存"))),
        Err(AppError::Invalid(errors)) => {
            items_page(&ui, &code, form, errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Serialize)]
struct SettingsPage {
    form: SiteInput,
    errors: std::collections::BTreeMap<String, String>,
    can_write: bool,
    ceiling_mb: u64,
}

/// `GET /admin/settings`
pub async fn site(ui: Ui) -> AppResult<Response> {
    ui.require(Module::Settings, Action::Read)?;
    let s = settings::site(&ui.state.db).await?;
    let form = SiteInput {
        org_name: s.org_name,
        system_name: s.system_name,
        attachment_max_mb: s.attachment_max_mb.to_string(),
    };
    let page = SettingsPage {
        form,
        errors: Default::default(),
        can_write: ui.user.can(Module::Settings, Action::Write),
        ceiling_mb: ui.state.config.max_upload_mb,
    };
    ui.render("dicts/settings.html", page)
}

/// `POST /admin/settings`
pub async fn save_site(ui: Ui, Form(form): Form<SiteInput>) -> AppResult<Response> {
    match actions::save_site(&ui.caller(), &form).await {
        Ok(_) => Ok(ui.done("/admin/settings", Msg::new("系统设置已保存"))),
        Err(AppError::Invalid(errors)) => {
            let errors = ui.field_errors(&errors);
            let page =
                SettingsPage { form, errors, can_write: true, ceiling_mb: ui.state.config.max_upload_mb };
            ui.render_status(StatusCode::UNPROCESSABLE_ENTITY, "dicts/settings.html", page)
        }
        Err(e) => Err(e),
    }
}

#[derive(Serialize)]
struct ColoursPage {
    features: Vec<(&'static str, &'static str, crate::deadline::settings::RulesInput)>,
    errors: std::collections::BTreeMap<String, String>,
    failed: String,
    can_write: bool,
}

/// `GET /admin/settings/colours`
pub async fn colours(ui: Ui) -> AppResult<Response> {
    colours_page(&ui, None, crate::error::FieldErrors::default(), StatusCode::OK).await
}

async fn colours_page(
    ui: &Ui,
    typed: Option<(&str, crate::deadline::settings::RulesInput)>,
    errors: crate::error::FieldErrors,
    status: StatusCode,
) -> AppResult<Response> {
    use crate::deadline::settings::{FEATURES, RulesInput, rules};
    ui.require(Module::Settings, Action::Read)?;
    let mut features = Vec::new();
    for (code, label) in FEATURES {
        let form = match &typed {
            Some((f, input)) if f == code => input.clone(),
            _ => RulesInput::of(&rules(&ui.state.db, code).await?),
        };
        features.push((*code, *label, form));
    }
    let page = ColoursPage {
        features,
        errors: ui.field_errors(&errors),
        failed: typed.map(|(f, _)| f.to_string()).unwrap_or_default(),
        can_write: ui.user.can(Module::Settings, Action::Write),
    };
    ui.render_status(status, "dicts/colours.html", page)
}

/// `POST /admin/settings/colours/{feature}`
pub async fn save_colours(
    ui: Ui,
    axum::extract::Path(feature): axum::extract::Path<String>,
    Form(form): Form<crate::deadline::settings::RulesInput>,
) -> AppResult<Response> {
    match crate::deadline::settings::update(&ui.caller(), &feature, &form).await {
        Ok(_) => Ok(ui.done("/admin/settings/colours", Msg::new("四色督办规则已保存"))),
        Err(AppError::Invalid(e)) => {
            colours_page(&ui, Some((&feature, form)), e, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e),
    }
}
