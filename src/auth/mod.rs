//! Sign-in to 等保 2.0 level 3 (P4): argon2id passwords under a policy, lockout,
//! idle and absolute session timeouts, forced change of initial passwords, TOTP
//! second factor, login history.

pub mod actions;
pub mod admin;
pub mod api;
pub mod model;
pub mod password;
pub mod routes;
pub mod session;
pub mod store;
pub mod totp;
