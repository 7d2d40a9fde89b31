#![expect(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "tests stop at the first failed step; the both! bodies are plain functions, not #[test]s"
)]

//! The one integration-test binary. Each store and HTTP test runs on SQLite and
//! on PostgreSQL (see `support::both!`).

mod support;

mod accounts;
mod api;
mod audit;
mod auth;
mod drafting;
mod e2e;
mod liaison;
mod matrix;
mod multinode;
mod ops;
mod org;
mod pages;
mod parity;
mod reform;
mod research;
mod search;
