//! 政研 Zhengyan: the work platform of a policy-research system.
//!
//! Start at `app` for the router and state, `web` for HTTP plumbing shared by
//! every feature, and one folder per feature (`org`, `accounts`, `audit` …).

pub mod accounts;
pub mod api;
pub mod app;
pub mod attachments;
pub mod audit;
pub mod auth;
pub mod authz;
pub mod cli;
pub mod clock;
pub mod config;
pub mod db;
pub mod deadline;
pub mod demo;
pub mod dicts;
pub mod drafting;
pub mod error;
pub mod export;
pub mod home;
pub mod i18n;
pub mod jobs;
pub mod liaison;
pub mod notify;
pub mod officedoc;
pub mod ops;
pub mod org;
pub mod rectify;
pub mod reform;
pub mod research;
pub mod search;
pub mod text;
pub mod validate;
pub mod web;
