//! An HTTP client for the in-process router that keeps cookies and the CSRF
//! token like a browser, and reads pages by CSS selector.

use std::collections::BTreeMap;

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use tower::ServiceExt;

use super::TestApp;

/// A response, read fully.
#[derive(Debug)]
pub struct Resp {
    /// Status.
    pub status: StatusCode,
    /// Headers.
    pub headers: HeaderMap,
    /// Body bytes.
    pub bytes: Vec<u8>,
}

impl Resp {
    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }

    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.bytes).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    /// Texts of every element matching `css`.
    pub fn select(&self, css: &str) -> Vec<String> {
        let html = scraper::Html::parse_document(&self.text());
        let sel = scraper::Selector::parse(css).unwrap_or_else(|_| panic!("bad selector {css}"));
        html.select(&sel)
            .map(|e| e.text().collect::<String>().split_whitespace().collect::<Vec<_>>().join(" "))
            .collect()
    }

    /// Values of attribute `attr` of every element matching `css`.
    pub fn attrs(&self, css: &str, attr: &str) -> Vec<String> {
        let html = scraper::Html::parse_document(&self.text());
        let sel = scraper::Selector::parse(css).unwrap_or_else(|_| panic!("bad selector {css}"));
        html.select(&sel).filter_map(|e| e.value().attr(attr).map(str::to_string)).collect()
    }

    /// The `Location` of a redirect.
    pub fn location(&self) -> String {
        self.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string()
    }

    /// Asserts the status, showing the body when it differs.
    #[track_caller]
    pub fn assert_status(&self, want: u16) -> &Self {
        assert_eq!(
            self.status.as_u16(),
            want,
            "body: {}",
            self.text().chars().take(3000).collect::<String>()
        );
        self
    }
}

/// A browser-like client.
pub struct Client<'a> {
    app: &'a TestApp,
    cookies: BTreeMap<String, String>,
    /// The CSRF token forms must echo.
    pub csrf: Option<String>,
    /// An API token, sent as `Authorization: Bearer`.
    pub bearer: Option<String>,
    /// Send `HX-Request` (and this target).
    pub htmx_target: Option<String>,
}

impl<'a> Client<'a> {
    /// A client with no cookies.
    pub fn new(app: &'a TestApp) -> Client<'a> {
        Client { app, cookies: BTreeMap::new(), csrf: None, bearer: None, htmx_target: None }
    }

    /// Sets a cookie by hand.
    pub fn set_cookie(&mut self, name: &str, value: &str) {
        self.cookies.insert(name.to_string(), value.to_string());
    }

    /// The value of a cookie the server set.
    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies.get(name).map(String::as_str)
    }

    /// Sends a request and keeps the cookies the response sets.
    pub async fn send(
        &mut self,
        method: Method,
        path: &str,
        content_type: Option<&str>,
        body: Vec<u8>,
        extra: &[(&str, &str)],
    ) -> Resp {
        let mut req = Request::builder().method(method).uri(path).header(header::HOST, "zhengyan.test");
        if !self.cookies.is_empty() {
            let c: Vec<String> = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
            req = req.header(header::COOKIE, c.join("; "));
        }
        if let Some(ct) = content_type {
            req = req.header(header::CONTENT_TYPE, ct);
        }
        if let Some(b) = &self.bearer {
            req = req.header(header::AUTHORIZATION, format!("Bearer {b}"));
        }
        if let Some(t) = &self.htmx_target {
            req = req.header("hx-request", "true").header("hx-target", t.as_str());
        }
        for (k, v) in extra {
            req = req.header(*k, *v);
        }
        let res = self
            .app
            .router
            .clone()
            .oneshot(req.body(Body::from(body)).expect("request"))
            .await
            .expect("infallible");
        let status = res.status();
        let headers = res.headers().clone();
        for sc in headers.get_all(header::SET_COOKIE) {
            // Keep the value exactly as sent, like a browser; a removal has Max-Age=0.
            let text = sc.to_str().unwrap_or_default();
            let pair = text.split(';').next().unwrap_or_default();
            let Some((name, value)) = pair.split_once('=') else { continue };
            if value.is_empty() || text.contains("Max-Age=0") {
                self.cookies.remove(name.trim());
            } else {
                self.cookies.insert(name.trim().to_string(), value.to_string());
            }
        }
        let bytes = res.into_body().collect().await.expect("body").to_bytes().to_vec();
        Resp { status, headers, bytes }
    }

    /// GET.
    pub async fn get(&mut self, path: &str) -> Resp {
        self.send(Method::GET, path, None, Vec::new(), &[]).await
    }

    /// POST a form, adding the CSRF token (the session's, or the pre-sign-in cookie's).
    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Resp {
        let mut pairs: Vec<(String, String)> =
            fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let token = self.csrf.clone().or_else(|| self.cookie("zy_pre").map(str::to_string));
        if let Some(t) = token {
            pairs.push(("csrf_token".into(), t));
        }
        let body = serde_urlencoded::to_string(&pairs).expect("form");
        self.send(Method::POST, path, Some("application/x-www-form-urlencoded"), body.into_bytes(), &[]).await
    }

    /// POST a form exactly as given (no token added).
    pub async fn post_form_raw(&mut self, path: &str, fields: &[(&str, &str)]) -> Resp {
        let body = serde_urlencoded::to_string(fields).expect("form");
        self.send(Method::POST, path, Some("application/x-www-form-urlencoded"), body.into_bytes(), &[]).await
    }

    /// Sends JSON with the CSRF header when using a session.
    pub async fn json(&mut self, method: Method, path: &str, body: &serde_json::Value) -> Resp {
        let token = self.csrf.clone().unwrap_or_default();
        let extra: Vec<(&str, &str)> =
            if self.bearer.is_none() { vec![("x-csrf-token", token.as_str())] } else { vec![] };
        self.send(method, path, Some("application/json"), serde_json::to_vec(body).expect("json"), &extra)
            .await
    }

    /// Sends a multipart upload of one file.
    pub async fn upload(
        &mut self,
        path: &str,
        file_name: &str,
        bytes: &[u8],
        fields: &[(&str, &str)],
    ) -> Resp {
        let boundary = "zyboundary7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        for (k, v) in fields {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                    .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let token = self.csrf.clone().unwrap_or_default();
        let sep = if path.contains('?') { '&' } else { '?' };
        let url =
            if self.bearer.is_none() { format!("{path}{sep}csrf_token={token}") } else { path.to_string() };
        self.send(Method::POST, &url, Some(&format!("multipart/form-data; boundary={boundary}")), body, &[])
            .await
    }
}
