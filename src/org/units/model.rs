//! Units of the organisation tree: input parsing and tree rules, pure.

use serde::{Deserialize, Serialize};

use crate::error::FieldErrors;
use crate::i18n::Msg;
use crate::validate::{Check, optional, required, sort_order};

/// A unit as typed in a form or JSON body (all strings: parsed here).
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct UnitInput {
    /// Full name, e.g. 市委政策研究室.
    pub name: String,
    /// Short name, e.g. 市委政研室.
    pub short_name: String,
    /// Organisation code (optional, unique).
    pub code: String,
    /// Kind: a code of the `unit_kind` dictionary.
    pub kind: String,
    /// Parent unit id (required when creating).
    pub parent_id: String,
    /// Display order among siblings.
    pub sort_order: String,
    /// Remarks.
    pub note: String,
}

/// A validated unit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UnitFields {
    /// Full name.
    pub name: String,
    /// Short name.
    pub short_name: String,
    /// Organisation code.
    pub code: Option<String>,
    /// Kind code.
    pub kind: String,
    /// Display order.
    pub sort_order: i64,
    /// Remarks.
    pub note: String,
}

fn code(raw: &str) -> Result<Option<String>, Msg> {
    let v = optional(raw, 30)?;
    if v.is_empty() {
        return Ok(None);
    }
    if v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        Ok(Some(v.to_uppercase()))
    } else {
        Err(Msg::new("机构代码只能包含字母、数字、“-”和“_”"))
    }
}

impl UnitInput {
    /// Parses the fields common to creating and editing.
    pub fn parse(&self) -> Result<UnitFields, FieldErrors> {
        let mut c = Check::default();
        let name = c.take("name", required(&self.name, 60));
        let short_name = c.take("short_name", optional(&self.short_name, 30));
        let code = c.take("code", code(&self.code));
        let kind = c.take("kind", required(&self.kind, 32));
        let sort_order = c.take("sort_order", sort_order(&self.sort_order));
        let note = c.take("note", optional(&self.note, 500));
        c.finish(|| {
            Some(UnitFields {
                name: name?,
                short_name: short_name?,
                code: code?,
                kind: kind?,
                sort_order: sort_order?,
                note: note?,
            })
        })
    }
}

/// The path of a child of `parent_path` with id `id`.
pub fn child_path(parent_path: &str, id: i64) -> String {
    format!("{parent_path}{id}/")
}

/// True when `candidate` is `unit` itself or lies below it.
pub fn is_self_or_below(unit_path: &str, candidate_path: &str) -> bool {
    candidate_path.starts_with(unit_path)
}

/// Why a unit cannot be moved under a new parent, if it cannot.
pub fn check_move(unit_path: &str, new_parent_path: &str, new_parent_active: bool) -> Result<(), Msg> {
    if is_self_or_below(unit_path, new_parent_path) {
        return Err(Msg::new("不能移动到本单位或其下级单位之下"));
    }
    if !new_parent_active {
        return Err(Msg::new("目标上级单位已停用"));
    }
    Ok(())
}

/// Why `source` cannot be merged into `target`, if it cannot.
pub fn check_merge(source_path: &str, target_path: &str, target_active: bool) -> Result<(), Msg> {
    if source_path == target_path {
        return Err(Msg::new("不能与本单位合并"));
    }
    if is_self_or_below(source_path, target_path) {
        return Err(Msg::new("不能并入本单位的下级单位"));
    }
    if !target_active {
        return Err(Msg::new("并入的目标单位已停用"));
    }
    Ok(())
}

/// The Chinese label of a status code.
pub fn status_label(status: &str) -> &'static str {
    match status {
        "active" => "正常",
        "disabled" => "已停用",
        "merged" => "已合并",
        _ => "未知",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_unit_cannot_move_under_itself_or_its_descendants() {
        assert!(check_move("/1/5/", "/1/5/", true).is_err());
        assert!(check_move("/1/5/", "/1/5/23/", true).is_err());
        assert!(check_move("/1/5/", "/1/50/", true).is_ok(), "a sibling whose id starts alike is fine");
        assert!(check_move("/1/5/", "/1/", true).is_ok());
        assert!(check_move("/1/5/", "/1/6/", false).is_err());
    }

    #[test]
    fn a_unit_cannot_merge_into_itself_or_below() {
        assert!(check_merge("/1/5/", "/1/5/", true).is_err());
        assert!(check_merge("/1/5/", "/1/5/9/", true).is_err());
        assert!(check_merge("/1/5/", "/1/6/", true).is_ok());
        assert!(check_merge("/1/5/", "/1/", true).is_ok(), "into its own parent is fine");
    }

    #[test]
    fn unit_input_is_validated_field_by_field() {
        let bad = UnitInput {
            name: " ".into(),
            code: "代码".into(),
            sort_order: "-1".into(),
            ..UnitInput::default()
        };
        let e = bad.parse().unwrap_err();
        assert_eq!(e.0.keys().collect::<Vec<_>>(), vec!["code", "kind", "name", "sort_order"]);
        let ok = UnitInput {
            name: "综合科".into(),
            kind: "section".into(),
            code: "zy-01".into(),
            ..UnitInput::default()
        };
        assert_eq!(ok.parse().unwrap().code.as_deref(), Some("ZY-01"));
    }

    #[test]
    fn child_paths_append_the_id() {
        assert_eq!(child_path("/1/5/", 23), "/1/5/23/");
    }
}
