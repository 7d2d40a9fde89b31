//! Account, grant, role and token pages.

pub mod accounts;
pub mod grants;
pub mod roles;
pub mod tokens;
