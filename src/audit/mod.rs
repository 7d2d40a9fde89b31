//! The audit trail (P5): every sign-in, failure, write, permission change and
//! export appends a record in the same transaction as the change. Records are
//! chained with SM3 and the table refuses updates and deletes; `zhengyan audit
//! verify` walks the chain. Only the auditor role reads it (`/audit`).

pub mod api;
pub mod list;
pub mod model;
pub mod routes;
pub mod store;

pub use store::{Actor, Event, append};
