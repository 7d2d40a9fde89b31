//! Time comes through state, never from the wall clock directly.
//!
//! Deadline, colour, lockout and session rules all depend on "now"; passing a
//! [`Clock`] lets tests freeze and advance time. `clippy.toml` bans direct
//! wall-clock reads everywhere else.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime, UtcOffset};

/// Milliseconds since the Unix epoch, UTC. Stored as a 64-bit integer on both
/// databases so comparisons and ordering behave the same everywhere.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    sqlx::Type,
    utoipa::ToSchema,
)]
#[sqlx(transparent)]
#[serde(transparent)]
pub struct Ts(pub i64);

impl Ts {
    /// The moment `ms` milliseconds after this one.
    pub fn plus_ms(self, ms: i64) -> Ts {
        Ts(self.0.saturating_add(ms))
    }

    /// The moment `minutes` minutes after this one.
    pub fn plus_minutes(self, minutes: i64) -> Ts {
        self.plus_ms(minutes.saturating_mul(60_000))
    }

    /// Converts to a calendar time at the given offset (China uses +08:00).
    pub fn to_offset(self, offset: UtcOffset) -> OffsetDateTime {
        let nanos = i128::from(self.0) * 1_000_000;
        OffsetDateTime::from_unix_timestamp_nanos(nanos)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
            .to_offset(offset)
    }

    /// Builds a timestamp from a calendar time.
    pub fn from_datetime(dt: OffsetDateTime) -> Ts {
        Ts(i64::try_from(dt.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX))
    }

    /// Formats as `2026-11-23 09:30` in the given offset, the way the offices write times.
    pub fn display(self, offset: UtcOffset) -> String {
        let t = self.to_offset(offset);
        format!("{:04}-{:02}-{:02} {:02}:{:02}", t.year(), u8::from(t.month()), t.day(), t.hour(), t.minute())
    }

    /// Formats with seconds, for the audit trail.
    pub fn display_seconds(self, offset: UtcOffset) -> String {
        let t = self.to_offset(offset);
        format!("{}:{:02}", self.display(offset), t.second())
    }
}

#[derive(Debug)]
enum Source {
    System,
    Fixed(AtomicI64),
}

/// The one source of "now" for the whole application.
#[derive(Clone, Debug)]
pub struct Clock {
    source: Arc<Source>,
    offset: UtcOffset,
}

impl Clock {
    /// The real clock, reporting local dates at `offset`.
    pub fn system(offset: UtcOffset) -> Self {
        Self { source: Arc::new(Source::System), offset }
    }

    /// A clock frozen at `at`, for tests and reproducible demo data.
    pub fn fixed(at: Ts, offset: UtcOffset) -> Self {
        Self { source: Arc::new(Source::Fixed(AtomicI64::new(at.0))), offset }
    }

    /// The current moment.
    pub fn now(&self) -> Ts {
        match &*self.source {
            #[expect(clippy::disallowed_methods, reason = "the one sanctioned wall-clock read")]
            Source::System => Ts::from_datetime(OffsetDateTime::now_utc()),
            Source::Fixed(at) => Ts(at.load(Ordering::SeqCst)),
        }
    }

    /// Today's date where the offices are (not UTC).
    pub fn today(&self) -> Date {
        self.now().to_offset(self.offset).date()
    }

    /// The offset dates are reported in.
    pub fn offset(&self) -> UtcOffset {
        self.offset
    }

    /// Moves a fixed clock forward; a system clock ignores it.
    pub fn advance_ms(&self, ms: i64) {
        if let Source::Fixed(at) = &*self.source {
            at.fetch_add(ms, Ordering::SeqCst);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixed_clock_advances_only_when_told() {
        let clock = Clock::fixed(Ts(1_000), UtcOffset::UTC);
        assert_eq!(clock.now(), Ts(1_000));
        clock.advance_ms(500);
        assert_eq!(clock.now(), Ts(1_500));
    }

    #[test]
    fn today_is_the_local_date_not_the_utc_date() {
        // 2026-11-22 20:00 UTC is already 2026-11-23 in China.
        let at = Ts::from_datetime(time::macros::datetime!(2026-11-22 20:00 UTC));
        let clock = Clock::fixed(at, time::macros::offset!(+8));
        assert_eq!(clock.today(), time::macros::date!(2026 - 11 - 23));
        assert_eq!(at.display(clock.offset()), "2026-11-23 04:00");
        assert_eq!(at.display_seconds(clock.offset()), "2026-11-23 04:00:00");
    }
}
