//! Account input rules, pure.

use serde::{Deserialize, Serialize};

use crate::error::FieldErrors;
use crate::i18n::Msg;
use crate::validate::{Check, id, optional, optional_id, required};

/// An account as typed by the system administrator.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct AccountInput {
    /// Sign-in name: lower-case letters, digits, `.`, `_`, `-`; 3–32 characters.
    pub username: String,
    /// Name shown on screen.
    pub display_name: String,
    /// Unit id.
    pub unit_id: String,
    /// Linked person id (optional).
    pub person_id: String,
    /// Initial password; empty to generate one.
    pub password: String,
}

/// A validated account.
#[derive(Clone, Debug, Serialize)]
pub struct AccountFields {
    /// Sign-in name.
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// Unit.
    pub unit_id: i64,
    /// Linked person.
    pub person_id: Option<i64>,
}

/// Parses a sign-in name.
pub fn username(raw: &str) -> Result<String, Msg> {
    let v = raw.trim().to_lowercase();
    let ok_chars =
        v.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    if !(3..=32).contains(&v.len()) || !ok_chars || !v.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Err(Msg::new("用户名须为3至32位，以字母开头，只含小写字母、数字、“.”、“_”、“-”"));
    }
    Ok(v)
}

impl AccountInput {
    /// Parses the fields (the username only when creating).
    pub fn parse(&self, creating: bool) -> Result<AccountFields, FieldErrors> {
        let mut c = Check::default();
        let username =
            if creating { c.take("username", username(&self.username)) } else { Some(String::new()) };
        let display_name = c.take("display_name", required(&self.display_name, 30));
        let unit_id = c.take("unit_id", id(&self.unit_id));
        let person_id = c.take("person_id", optional_id(&self.person_id));
        let _ = c.take("password", optional(&self.password, 128));
        c.finish(|| {
            Some(AccountFields {
                username: username?,
                display_name: display_name?,
                unit_id: unit_id?,
                person_id: person_id?,
            })
        })
    }
}

/// A random initial password that meets any policy up to 4 classes and 16 characters.
pub fn generate_password() -> String {
    const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
    const LOWER: &[u8] = b"abcdefghijkmnpqrstuvwxyz";
    const DIGIT: &[u8] = b"23456789";
    const SYMBOL: &[u8] = b"@#%+=?";
    let pick = |set: &[u8]| set[rand::random_range(0..set.len())] as char;
    let mut chars: Vec<char> = vec![pick(UPPER), pick(LOWER), pick(DIGIT), pick(SYMBOL)];
    let all: Vec<u8> = [UPPER, LOWER, DIGIT, SYMBOL].concat();
    while chars.len() < 16 {
        chars.push(pick(&all));
    }
    // Fisher–Yates, so the class order does not leak.
    for i in (1..chars.len()).rev() {
        chars.swap(i, rand::random_range(0..=i));
    }
    chars.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::model::{SecurityPolicy, check_password};

    #[test]
    fn usernames_are_plain_lower_case_identifiers() {
        assert_eq!(username(" Wang.Ming ").unwrap(), "wang.ming");
        for bad in ["ab", "1abc", "王明", "a b", "a/b", &"x".repeat(33)] {
            assert!(username(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn generated_passwords_meet_the_strictest_policy() {
        let strict =
            SecurityPolicy { password_min_length: 16, password_min_classes: 4, ..SecurityPolicy::default() };
        for _ in 0..200 {
            let p = generate_password();
            assert!(check_password(&strict, &p, "nobody").is_ok(), "{p}");
        }
    }
}
