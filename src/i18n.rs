//! Chinese first, English second.
//!
//! The Chinese text is itself the message key, so templates and code read in the
//! language the offices use (`t("工作台")`). `locales/en.toml` maps each Chinese
//! text to English; a missing entry falls back to Chinese, and a test checks
//! that every key used in the templates has an English entry.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::LazyLock;

use serde::Serialize;

/// A display language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Default)]
pub enum Lang {
    /// Simplified Chinese, the default.
    #[default]
    Zh,
    /// English.
    En,
}

impl Lang {
    /// Parses `zh`/`zh-CN`/`en`…; anything else is Chinese.
    pub fn parse(code: &str) -> Lang {
        if code.trim().to_ascii_lowercase().starts_with("en") { Lang::En } else { Lang::Zh }
    }

    /// The BCP 47 tag for `<html lang>`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }
}

static EN: LazyLock<HashMap<String, String>> = LazyLock::new(|| {
    let table: toml::Table = toml::from_str(include_str!("../locales/en.toml")).unwrap_or_default();
    table.into_iter().filter_map(|(k, v)| v.as_str().map(|s| (k, s.to_string()))).collect()
});

/// Every Chinese key that has an English translation (for the coverage test).
pub fn english_keys() -> impl Iterator<Item = &'static str> {
    EN.keys().map(String::as_str)
}

/// Translates a Chinese text into `lang`.
pub fn translate(lang: Lang, key: &str) -> Cow<'_, str> {
    match lang {
        Lang::Zh => Cow::Borrowed(key),
        Lang::En => EN.get(key).map_or(Cow::Borrowed(key), |s| Cow::Owned(s.clone())),
    }
}

/// A message for a person: Chinese text with `{name}` slots, and their values.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Msg {
    /// The Chinese text, also the lookup key.
    pub key: Cow<'static, str>,
    /// Values for the `{name}` slots.
    pub args: Vec<(&'static str, String)>,
}

impl Msg {
    /// A message without slots.
    pub const fn new(key: &'static str) -> Msg {
        Msg { key: Cow::Borrowed(key), args: Vec::new() }
    }

    /// Fills slot `{name}`.
    pub fn arg(mut self, name: &'static str, value: impl ToString) -> Msg {
        self.args.push((name, value.to_string()));
        self
    }

    /// The message in `lang` with its slots filled.
    pub fn render(&self, lang: Lang) -> String {
        let mut text = translate(lang, &self.key).into_owned();
        for (name, value) in &self.args {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }
}

impl std::fmt::Display for Msg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render(Lang::Zh))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_is_the_text_itself_and_english_comes_from_the_catalog() {
        assert_eq!(translate(Lang::Zh, "工作台"), "工作台");
        assert_eq!(translate(Lang::En, "工作台"), "Workbench");
        assert_eq!(translate(Lang::En, "没有译文的句子"), "没有译文的句子");
    }

    #[test]
    fn slots_are_filled_in_either_language() {
        let m = Msg::new("不能超过{max}个字").arg("max", 50);
        assert_eq!(m.render(Lang::Zh), "不能超过50个字");
        assert_eq!(m.render(Lang::En), "At most 50 characters");
    }

    /// The `{slot}` names of a text, sorted.
    fn slots(text: &str) -> Vec<&str> {
        let mut out: Vec<&str> =
            text.split('{').skip(1).filter_map(|rest| rest.split_once('}').map(|(name, _)| name)).collect();
        out.sort_unstable();
        out
    }

    #[test]
    fn the_english_catalog_parses_and_every_entry_keeps_its_slots() {
        let table: toml::Table =
            toml::from_str(include_str!("../locales/en.toml")).expect("en.toml is valid TOML");
        assert_eq!(table.len(), EN.len());
        // A value that slid onto its neighbour's key (a sorting accident) almost
        // always brings the wrong slots with it.
        let wrong: Vec<(&String, &String)> = EN.iter().filter(|(zh, en)| slots(zh) != slots(en)).collect();
        assert!(wrong.is_empty(), "slots differ between Chinese and English: {wrong:?}");
    }

    #[test]
    fn language_codes_parse_leniently() {
        assert_eq!(Lang::parse("en-US"), Lang::En);
        assert_eq!(Lang::parse("zh-CN"), Lang::Zh);
        assert_eq!(Lang::parse("fr"), Lang::Zh);
    }
}
