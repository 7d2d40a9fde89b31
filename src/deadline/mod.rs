//! The one deadline-and-colour engine (四色督办), used by every feature that
//! tracks something against a deadline: reform tasks and rectification items
//! now, research milestones, drafting due times and grassroots issues later.
//!
//! `assess` is a pure function of (now, deadline, milestones, progress, state)
//! under `Rules` kept in the settings table (one set per feature). It returns
//! the colour and the reasons in words. Features store the colour on their rows
//! so lists can filter and count by it in SQL, and refresh it on every change
//! and once a day (colours move with the calendar).

pub mod model;
pub mod settings;

pub use model::{Assessment, Colour, Milestone, Rules, Subject, assess};
