//! Roles, data scopes and three-role separation (P3).
//!
//! `model` holds the rules (pure, table-tested); `principal` loads the person
//! behind a request and `cache` keeps it between requests; `store` keeps the built-in roles in step with the code.
//! Every handler calls [`Principal::require`] first, and every list, count and
//! export query embeds [`Scope::filter`].

pub mod cache;
pub mod model;
pub mod principal;
pub mod roles;
pub mod store;

pub use model::{Action, AdminKind, Grant, Module, Scope, ScopeKind, Target};
pub use principal::Principal;
