//! A form body with repeated fields (`unit_ids=1&unit_ids=2` from a multiple
//! select or checkboxes) read into `Vec` fields. axum's `Form` reads bodies
//! with serde_urlencoded, which cannot; serde_html_form can and is otherwise
//! the same format.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

use crate::error::AppError;
use crate::i18n::Msg;

/// A urlencoded form whose repeated fields fill `Vec` fields.
#[derive(Debug)]
pub struct MultiForm<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for MultiForm<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state).await.map_err(|_| AppError::TooLarge)?;
        serde_html_form::from_bytes(&bytes)
            .map(MultiForm)
            .map_err(|_| AppError::BadRequest(Msg::new("提交的表单格式不正确")))
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Debug, Default, Deserialize, PartialEq)]
    #[serde(default)]
    struct F {
        title: String,
        ids: Vec<String>,
    }

    #[test]
    fn repeated_fields_fill_a_vec_and_a_single_one_too() {
        let f: F = serde_html_form::from_bytes(b"title=%E8%AF%BE%E9%A2%98&ids=1&ids=2").unwrap();
        assert_eq!(f, F { title: "课题".into(), ids: vec!["1".into(), "2".into()] });
        let f: F = serde_html_form::from_bytes(b"ids=7").unwrap();
        assert_eq!(f.ids, ["7"]);
    }
}
