//! Server time. Every stored timestamp is truncated to milliseconds, the precision the API shows,
//! so that a value read back (or carried in a cursor) compares equal to what was written.

use chrono::{DateTime, DurationRound, TimeDelta, Utc};

/// The current server time, to the millisecond.
pub fn now() -> DateTime<Utc> {
    to_millis(Utc::now())
}

/// Truncates a moment to the millisecond.
pub fn to_millis(moment: DateTime<Utc>) -> DateTime<Utc> {
    moment
        .duration_trunc(TimeDelta::milliseconds(1))
        .unwrap_or(moment)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_time_has_no_sub_millisecond_part() {
        assert_eq!(now().timestamp_subsec_nanos() % 1_000_000, 0);
    }
}
