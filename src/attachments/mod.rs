//! Attachments (P6): Word, Excel, PDF, images and text, checked by content and
//! size, stored once per content hash (SM3), with Word text extracted for
//! search. Reading follows the attachments scope of the uploader's unit.

pub mod actions;
pub mod api;
pub mod sniff;
pub mod store;

use axum::Router;
use axum::extract::{Multipart, Path};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::web::Ui;

/// The pages.
pub fn routes() -> Router<AppState> {
    Router::new().route("/attachments", post(upload_form)).route("/attachments/{id}", get(download))
}

/// A multipart form: its text fields and its files (any field with a file name).
#[derive(Debug, Default)]
pub struct MultipartForm {
    /// Text fields by name (repeated fields keep every value).
    pub fields: std::collections::HashMap<String, Vec<String>>,
    /// Files as (file name, bytes); empty file inputs are left out.
    pub files: Vec<(String, Vec<u8>)>,
}

impl MultipartForm {
    /// The first value of a text field, or "".
    pub fn text(&self, name: &str) -> String {
        self.fields.get(name).and_then(|v| v.first()).cloned().unwrap_or_default()
    }

    /// Every value of a repeated text field.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.fields.get(name).cloned().unwrap_or_default()
    }
}

/// Reads a whole multipart form (at most `max_files` files).
pub async fn read_form(mut m: Multipart, max_files: usize) -> AppResult<MultipartForm> {
    let mut form = MultipartForm::default();
    while let Some(field) =
        m.next_field().await.map_err(|_| AppError::BadRequest(Msg::new("上传内容不完整，请重试")))?
    {
        let name = field.name().unwrap_or_default().to_string();
        match field.file_name().map(str::to_string) {
            Some(file_name) => {
                let bytes = field.bytes().await.map_err(|_| AppError::TooLarge)?;
                if file_name.is_empty() && bytes.is_empty() {
                    continue;
                }
                if form.files.len() >= max_files {
                    return Err(AppError::BadRequest(Msg::new("一次最多上传{n}个文件").arg("n", max_files)));
                }
                form.files.push((file_name, bytes.to_vec()));
            }
            None => {
                let value = field
                    .text()
                    .await
                    .map_err(|_| AppError::BadRequest(Msg::new("上传内容不完整，请重试")))?;
                form.fields.entry(name).or_default().push(value);
            }
        }
    }
    Ok(form)
}

/// Reads the `file`, `owner_type` and `owner_ref` fields of a multipart upload.
pub async fn read_multipart(mut m: Multipart) -> AppResult<(String, Vec<u8>, actions::Owner, String)> {
    let mut file = None;
    let mut owner = actions::Owner::default();
    let mut back = String::new();
    while let Some(field) =
        m.next_field().await.map_err(|_| AppError::BadRequest(Msg::new("上传内容不完整，请重试")))?
    {
        let name = field.name().unwrap_or_default().to_string();
        match name.as_str() {
            "file" => {
                let file_name = field.file_name().unwrap_or_default().to_string();
                let bytes = field.bytes().await.map_err(|_| AppError::TooLarge)?;
                file = Some((file_name, bytes.to_vec()));
            }
            "owner_type" => owner.kind = field.text().await.unwrap_or_default(),
            "owner_ref" => owner.id = field.text().await.unwrap_or_default(),
            "back" => back = field.text().await.unwrap_or_default(),
            _ => {}
        }
    }
    let (file_name, bytes) = file.ok_or_else(|| AppError::BadRequest(Msg::new("请选择要上传的文件")))?;
    Ok((file_name, bytes, owner, back))
}

async fn upload_form(ui: Ui, m: Multipart) -> AppResult<Response> {
    let (file_name, bytes, owner, back) = read_multipart(m).await?;
    let back = if back.starts_with('/') && !back.starts_with("//") { back } else { "/home".to_string() };
    match actions::upload(&ui.caller(), &file_name, &bytes, &owner).await {
        Ok(_) => Ok(ui.done(&back, Msg::new("附件已上传"))),
        Err(AppError::BadRequest(m)) => Ok(ui.refuse(&back, &m)),
        Err(e) => Err(e),
    }
}

/// Sends a file as a download (never rendered inline: no stored file can run script).
pub fn file_response(a: &store::Attachment, bytes: Vec<u8>) -> Response {
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&a.mime).unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    let encoded = crate::web::errors::urlencode(&a.file_name).replace('+', "%20");
    if let Ok(v) =
        HeaderValue::from_str(&format!("attachment; filename=\"file\"; filename*=UTF-8''{encoded}"))
    {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

async fn download(ui: Ui, Path(id): Path<i64>) -> AppResult<Response> {
    let (a, bytes) = actions::download(&ui.caller(), id).await?;
    Ok(file_response(&a, bytes))
}
