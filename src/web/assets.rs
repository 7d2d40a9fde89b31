//! Static files compiled into the binary: our CSS and JS, and the vendored
//! htmx and ECharts (versions and checksums in `assets/vendor/SHA256SUMS`).
//! URLs carry a content version, so browsers may cache them for a year.

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::app::AppState;

#[derive(rust_embed::Embed)]
#[folder = "assets/"]
#[exclude = "vendor/SHA256SUMS"]
struct AssetFiles;

/// The route.
pub fn routes() -> Router<AppState> {
    Router::new().route("/assets/{*path}", get(serve))
}

/// A short content hash for cache-busting URLs.
pub fn version(path: &str) -> Option<String> {
    AssetFiles::get(path).map(|f| hex::encode(&f.metadata.sha256_hash()[..4]))
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or_default() {
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "json" => "application/json",
        _ => "application/octet-stream",
    }
}

async fn serve(Path(path): Path<String>, headers: HeaderMap) -> Response {
    let Some(file) = AssetFiles::get(&path) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let etag = format!("\"{}\"", hex::encode(&file.metadata.sha256_hash()[..8]));
    if headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
        return StatusCode::NOT_MODIFIED.into_response();
    }
    let mut res = file.data.into_owned().into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type(&path)));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable"));
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    res
}
