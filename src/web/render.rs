//! Templates compiled into the binary (minijinja + rust-embed), with
//! auto-escaping for `.html` and the helpers every page uses: `t()` for
//! translation, `asset()` for cache-busted asset URLs, `qs()` for links that
//! keep the current filters, `option_tags()` for long choice lists.

use minijinja::value::{Kwargs, Serde, Value};
use minijinja::{AutoEscape, Environment, Error, ErrorKind, State};

use crate::i18n::{Lang, translate};

#[derive(rust_embed::Embed)]
#[folder = "templates/"]
struct TemplateFiles;

/// The template environment.
pub struct Templates {
    env: Environment<'static>,
}

impl Templates {
    /// Loads templates lazily from the embedded folder; times show at `offset`.
    pub fn new(offset: time::UtcOffset) -> Templates {
        let mut env = Environment::new();
        env.set_loader(|name| {
            Ok(TemplateFiles::get(name).map(|f| String::from_utf8_lossy(&f.data).into_owned()))
        });
        env.set_auto_escape_callback(|name| {
            if name.ends_with(".html") || name.ends_with(".svg") {
                AutoEscape::Html
            } else {
                AutoEscape::None
            }
        });
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Chainable);
        env.add_function("t", t);
        env.add_function("asset", asset);
        env.add_function("qs", qs);
        env.add_function("option_tags", option_tags);
        let stages: std::collections::BTreeMap<&str, &str> =
            crate::reform::stage::Stage::ALL.iter().map(|s| (s.code(), s.label())).collect();
        env.add_global("stage_labels", Value::from(Serde(&stages)));
        let colours: std::collections::BTreeMap<&str, &str> =
            crate::deadline::Colour::ALL.iter().map(|c| (c.code(), c.label())).collect();
        env.add_global("colour_labels", Value::from(Serde(&colours)));
        env.add_filter("truncate", |s: String, n: Option<usize>| {
            let n = n.unwrap_or(40);
            if s.chars().count() > n { format!("{}…", s.chars().take(n).collect::<String>()) } else { s }
        });
        // A text's non-empty lines, for showing it paragraph by paragraph.
        env.add_filter("paragraphs", |s: String| -> Vec<String> {
            s.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect()
        });
        env.add_filter("dt", move |ms: Option<i64>| {
            ms.map(|ms| crate::clock::Ts(ms).display(offset)).unwrap_or_default()
        });
        env.add_filter("dts", move |ms: Option<i64>| {
            ms.map(|ms| crate::clock::Ts(ms).display_seconds(offset)).unwrap_or_default()
        });
        Templates { env }
    }

    /// True when a template of that name is compiled in.
    pub fn has(&self, name: &str) -> bool {
        TemplateFiles::get(name).is_some()
    }

    /// Renders a template.
    pub fn render(&self, name: &str, ctx: Value) -> Result<String, Error> {
        self.env.get_template(name)?.render(ctx)
    }

    /// Every template name (for the test that renders them all).
    pub fn names() -> impl Iterator<Item = String> {
        TemplateFiles::iter().map(|n| n.into_owned())
    }

    /// A template's source (for the translation-coverage test).
    pub fn source(name: &str) -> Option<String> {
        TemplateFiles::get(name).map(|f| String::from_utf8_lossy(&f.data).into_owned())
    }
}

/// `t("中文", n=3)`: the text in the page's language with `{n}` filled.
fn t(state: &State<'_, '_>, key: &str, kwargs: Kwargs) -> Result<String, Error> {
    let lang = state.lookup("lang").and_then(|v| v.as_str().map(Lang::parse)).unwrap_or_default();
    let mut text = translate(lang, key).into_owned();
    for name in kwargs.args() {
        let v: Value = kwargs.get(name)?;
        text = text.replace(&format!("{{{name}}}"), &v.to_string());
    }
    Ok(text)
}

/// `asset("css/app.css")` → `/assets/css/app.css?v=1a2b3c4d`.
fn asset(path: &str) -> Result<String, Error> {
    let version = super::assets::version(path)
        .ok_or_else(|| Error::new(ErrorKind::TemplateNotFound, format!("no asset {path}")))?;
    Ok(format!("/assets/{path}?v={version}"))
}

/// `option_tags(pairs, selected)` → `<option value="1" selected>…</option>…`: one
/// option for each `[value, label]` pair, selected where the value (as text)
/// equals `selected` or is in it when it is a list. Written here rather than as
/// a template loop: a unit list offers hundreds of choices on every view.
fn option_tags(pairs: Value, selected: Value) -> Result<Value, Error> {
    use std::fmt::Write;
    let chosen: Vec<String> = match selected.kind() {
        minijinja::value::ValueKind::Seq => selected.try_iter()?.map(|v| v.to_string()).collect(),
        minijinja::value::ValueKind::Undefined | minijinja::value::ValueKind::None => Vec::new(),
        _ => vec![selected.to_string()],
    };
    let mut html = String::new();
    if pairs.is_undefined() || pairs.is_none() {
        return Ok(Value::from_safe_string(html));
    }
    for pair in pairs.try_iter()? {
        let value = pair.get_item_by_index(0)?.to_string();
        let label = pair.get_item_by_index(1)?.to_string();
        let mark = if chosen.contains(&value) { " selected" } else { "" };
        let _ = write!(
            html,
            "<option value=\"{}\"{mark}>{}</option>",
            minijinja::HtmlEscape(&value),
            minijinja::HtmlEscape(&label)
        );
    }
    Ok(Value::from_safe_string(html))
}

/// `qs(filters, page=2)` → `?q=…&page=2`: the current filters with some keys replaced.
/// Empty values are left out.
fn qs(current: Value, kwargs: Kwargs) -> Result<String, Error> {
    let mut pairs: Vec<(String, String)> = Vec::new();
    if let Ok(iter) = current.try_iter() {
        for key in iter {
            let k = key.to_string();
            if kwargs.has(&k) {
                continue;
            }
            let v = current.get_item(&key).map(|v| v.to_string()).unwrap_or_default();
            if !v.is_empty() && v != "none" {
                pairs.push((k, v));
            }
        }
    }
    for name in kwargs.args() {
        let v: Value = kwargs.get(name)?;
        let v = v.to_string();
        if !v.is_empty() && v != "none" {
            pairs.push((name.to_string(), v));
        }
    }
    pairs.sort();
    let encoded = serde_urlencoded::to_string(&pairs)
        .map_err(|e| Error::new(ErrorKind::InvalidOperation, e.to_string()))?;
    Ok(if encoded.is_empty() { String::new() } else { format!("?{encoded}") })
}
