//! Operations from the command line: first administrator, backup and restore.

pub mod admin;
pub mod backup;
