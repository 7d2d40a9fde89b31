//! The grassroots closed loop (基层联系点, L1–L7). So far: the learning of a
//! submission's category from the office's labelled history (`classify`) and
//! the command that tells an office how far to trust it (`evaluate`). The
//! registry, submission, dispatch and figures follow.

pub mod classify;
pub mod evaluate;
