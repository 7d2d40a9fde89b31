//! This node's copy of the people it has loaded, so that a request does not
//! read accounts, roles, grants and chosen units again each time.
//!
//! Every copy is tagged with the permission counter (`authz.version` in
//! `settings`) it was loaded under. Database triggers (migration 0006) move
//! the counter with any write that reaches a permission, whichever code or
//! node makes it, and each request reads the counter with its session, so a
//! copy is used only while nothing it depends on has changed.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::Principal;

/// Beyond this many people the copy starts again (a safeguard, not a policy:
/// a city's system has a few thousand accounts).
const MAX_PEOPLE: usize = 20_000;

/// The copies, by account.
#[derive(Default)]
pub struct Principals {
    by_account: Mutex<HashMap<i64, (i64, Arc<Principal>)>>,
}

impl Principals {
    /// The copy of `account_id` loaded under counter `version`, if any.
    pub fn get(&self, account_id: i64, version: i64) -> Option<Arc<Principal>> {
        let map = self.by_account.lock().unwrap_or_else(|e| e.into_inner());
        map.get(&account_id).filter(|(v, _)| *v == version).map(|(_, p)| p.clone())
    }

    /// Keeps `principal` as loaded under counter `version`.
    pub fn put(&self, version: i64, principal: Arc<Principal>) {
        let mut map = self.by_account.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_PEOPLE {
            map.clear();
        }
        map.insert(principal.account_id, (version, principal));
    }
}
