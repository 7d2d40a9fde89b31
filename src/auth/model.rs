//! Sign-in rules as pure functions: password policy, lockout, session stages.

use serde::{Deserialize, Serialize};

use crate::clock::Ts;
use crate::i18n::Msg;

/// Security policy; stored in the settings table and edited by the security admin.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct SecurityPolicy {
    /// Minimum password length.
    pub password_min_length: u32,
    /// How many of the four classes (upper, lower, digit, symbol) a password needs.
    pub password_min_classes: u32,
    /// Failed attempts before the account locks.
    pub max_failures: u32,
    /// How long a lock lasts.
    pub lock_minutes: u32,
    /// Inactivity that ends a session.
    pub idle_minutes: u32,
    /// Longest a session lasts, active or not.
    pub session_hours: u32,
    /// Require a TOTP second factor for the three administrator roles.
    pub totp_required_for_admins: bool,
    /// Failed sign-ins from one address within the lock window before it is throttled.
    pub max_failures_per_ip: u32,
}

impl Default for SecurityPolicy {
    fn default() -> Self {
        Self {
            password_min_length: 8,
            password_min_classes: 3,
            max_failures: 5,
            lock_minutes: 15,
            idle_minutes: 30,
            session_hours: 12,
            totp_required_for_admins: true,
            max_failures_per_ip: 30,
        }
    }
}

impl SecurityPolicy {
    /// Checks that an administrator's edit is sensible (等保 floors included).
    pub fn validate(&self) -> Result<(), (&'static str, Msg)> {
        let range = |field, v: u32, lo: u32, hi: u32| {
            if (lo..=hi).contains(&v) {
                Ok(())
            } else {
                Err((field, Msg::new("应在{lo}到{hi}之间").arg("lo", lo).arg("hi", hi)))
            }
        };
        range("password_min_length", self.password_min_length, 8, 64)?;
        range("password_min_classes", self.password_min_classes, 2, 4)?;
        range("max_failures", self.max_failures, 3, 10)?;
        range("lock_minutes", self.lock_minutes, 5, 1440)?;
        range("idle_minutes", self.idle_minutes, 5, 60)?;
        range("session_hours", self.session_hours, 1, 24)?;
        range("max_failures_per_ip", self.max_failures_per_ip, 10, 1000)?;
        Ok(())
    }
}

/// Checks a new password against the policy.
pub fn check_password(policy: &SecurityPolicy, password: &str, username: &str) -> Result<(), Msg> {
    let len = password.chars().count();
    if len < policy.password_min_length as usize {
        return Err(Msg::new("密码长度至少{n}位").arg("n", policy.password_min_length));
    }
    if len > 128 {
        return Err(Msg::new("密码不能超过128位"));
    }
    let classes = [
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_ascii_alphanumeric()),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    if classes < policy.password_min_classes as usize {
        return Err(Msg::new("密码须包含大写字母、小写字母、数字、符号中的至少{n}类")
            .arg("n", policy.password_min_classes));
    }
    if !username.is_empty() && password.to_lowercase().contains(&username.to_lowercase()) {
        return Err(Msg::new("密码不能包含用户名"));
    }
    Ok(())
}

/// The state of an account's failed-attempt counter after a wrong password.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AfterFailure {
    /// The counter to store.
    pub failed_count: i64,
    /// Set when this failure locks the account.
    pub locked_until: Option<Ts>,
}

/// Counts a failure; the `max_failures`-th locks the account for `lock_minutes`.
pub fn after_failure(policy: &SecurityPolicy, failed_count: i64, now: Ts) -> AfterFailure {
    let count = failed_count + 1;
    if count >= i64::from(policy.max_failures) {
        AfterFailure { failed_count: 0, locked_until: Some(now.plus_minutes(i64::from(policy.lock_minutes))) }
    } else {
        AfterFailure { failed_count: count, locked_until: None }
    }
}

/// True while a lock set at some time is still in force.
pub fn is_locked(locked_until: Option<Ts>, now: Ts) -> bool {
    locked_until.is_some_and(|until| until > now)
}

/// How far a session has got through sign-in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Password accepted; the TOTP code is still owed.
    Totp,
    /// The initial or reset password must be changed first.
    Password,
    /// The account must set up TOTP before going on.
    Enrol,
    /// Fully signed in.
    Active,
}

impl Stage {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Stage::Totp => "totp",
            Stage::Password => "password",
            Stage::Enrol => "enrol",
            Stage::Active => "active",
        }
    }

    /// Parses a stored code.
    pub fn parse(code: &str) -> Option<Stage> {
        match code {
            "totp" => Some(Stage::Totp),
            "password" => Some(Stage::Password),
            "enrol" => Some(Stage::Enrol),
            "active" => Some(Stage::Active),
            _ => None,
        }
    }

    /// The page that finishes this stage.
    pub fn page(self) -> &'static str {
        match self {
            Stage::Totp => "/login/totp",
            Stage::Password => "/account/password",
            Stage::Enrol => "/account/totp",
            Stage::Active => "/home",
        }
    }
}

/// What an account still owes after passing `done` (password, then TOTP code).
#[derive(Clone, Copy, Debug)]
pub struct Owed {
    /// TOTP is set up on the account.
    pub totp_enabled: bool,
    /// The password is an initial or reset one.
    pub must_change_password: bool,
    /// Policy requires TOTP for this account and it is not set up.
    pub must_enrol: bool,
}

/// The next stage after the step `done` succeeded.
pub fn next_stage(done: Stage, owed: Owed) -> Stage {
    let order = [Stage::Totp, Stage::Password, Stage::Enrol];
    let owes = |s: Stage| match s {
        Stage::Totp => owed.totp_enabled,
        Stage::Password => owed.must_change_password,
        Stage::Enrol => owed.must_enrol && !owed.totp_enabled,
        Stage::Active => false,
    };
    let start = match done {
        Stage::Active => 0,
        s => order.iter().position(|o| *o == s).map_or(0, |i| i + 1),
    };
    order[start..].iter().copied().find(|s| owes(*s)).unwrap_or(Stage::Active)
}

/// When a session ends for inactivity or age.
pub fn session_expired(policy: &SecurityPolicy, created: Ts, last_seen: Ts, now: Ts) -> bool {
    now > last_seen.plus_minutes(i64::from(policy.idle_minutes))
        || now > created.plus_minutes(i64::from(policy.session_hours) * 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_need_length_and_three_of_four_classes() {
        let p = SecurityPolicy::default();
        let cases = [
            ("Ab1!", false),
            ("abcdefgh", false),
            ("abcdefg1", false),
            ("Abcdefg1", true),
            ("abcdef1!", true),
            ("ABCDEF1!", true),
            ("政研室工作abc1", true),
        ];
        for (pw, ok) in cases {
            assert_eq!(check_password(&p, pw, "wang").is_ok(), ok, "{pw}");
        }
    }

    #[test]
    fn a_password_may_not_contain_the_username() {
        let p = SecurityPolicy::default();
        assert!(check_password(&p, "Zhangsan@2026", "zhangsan").is_err());
    }

    #[test]
    fn the_fifth_failure_locks_for_fifteen_minutes() {
        let p = SecurityPolicy::default();
        let now = Ts(1_000_000);
        let mut count = 0;
        for _ in 0..4 {
            let a = after_failure(&p, count, now);
            assert_eq!(a.locked_until, None);
            count = a.failed_count;
        }
        let fifth = after_failure(&p, count, now);
        assert_eq!(fifth.locked_until, Some(now.plus_minutes(15)));
        assert!(is_locked(fifth.locked_until, now.plus_minutes(14)));
        assert!(!is_locked(fifth.locked_until, now.plus_minutes(15)));
    }

    #[test]
    fn sessions_end_after_thirty_idle_minutes_or_twelve_hours() {
        let p = SecurityPolicy::default();
        let t0 = Ts(0);
        assert!(!session_expired(&p, t0, t0, t0.plus_minutes(30)));
        assert!(session_expired(&p, t0, t0, t0.plus_minutes(31)));
        let busy = t0.plus_minutes(12 * 60);
        assert!(session_expired(&p, t0, busy, busy.plus_minutes(1)));
    }

    #[test]
    fn sign_in_walks_totp_then_password_then_enrolment() {
        let all = Owed { totp_enabled: true, must_change_password: true, must_enrol: true };
        assert_eq!(next_stage(Stage::Active, all), Stage::Totp);
        assert_eq!(next_stage(Stage::Totp, all), Stage::Password);
        assert_eq!(next_stage(Stage::Password, all), Stage::Active, "already enrolled");
        let new_admin = Owed { totp_enabled: false, must_change_password: true, must_enrol: true };
        assert_eq!(next_stage(Stage::Active, new_admin), Stage::Password);
        assert_eq!(next_stage(Stage::Password, new_admin), Stage::Enrol);
        assert_eq!(next_stage(Stage::Enrol, new_admin), Stage::Active);
        let plain = Owed { totp_enabled: false, must_change_password: false, must_enrol: false };
        assert_eq!(next_stage(Stage::Active, plain), Stage::Active);
    }

    #[test]
    fn the_policy_refuses_values_below_the_floor() {
        let weak = SecurityPolicy { password_min_length: 6, ..SecurityPolicy::default() };
        assert_eq!(weak.validate().unwrap_err().0, "password_min_length");
        assert!(SecurityPolicy::default().validate().is_ok());
    }
}
