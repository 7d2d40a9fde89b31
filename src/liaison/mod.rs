//! The grassroots closed loop (基层联系点, L1–L7). So far: the learning of a
//! submission's category from the office's labelled history (`classify`), the
//! command that tells an office how far to trust it (`evaluate`), the
//! near-duplicate signatures (`neardup`), keywords and risk words (`words`). The registry, submission, dispatch,
//! handling, callback and figures follow.

pub mod classify;
pub mod evaluate;
pub mod neardup;
pub mod words;
