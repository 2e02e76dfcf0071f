//! Rules 5 and 11: reminder windows and the state of a reminder at a given moment.

use chrono::{DateTime, Utc};

use super::violation::{RuleCode, Violation};

/// When a pending activity's reminder shows: from `starts_at` until `ends_at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReminderWindow {
    /// The reminder falls due here.
    pub starts_at: DateTime<Utc>,
    /// The reminder stops showing here.
    pub ends_at: DateTime<Utc>,
}

/// Checks the two ends of a reminder window: both or neither, end after start.
pub fn reminder_window(
    starts_at: Option<DateTime<Utc>>,
    ends_at: Option<DateTime<Utc>>,
) -> Result<Option<ReminderWindow>, Violation> {
    match (starts_at, ends_at) {
        (None, None) => Ok(None),
        (Some(starts_at), Some(ends_at)) if ends_at > starts_at => {
            Ok(Some(ReminderWindow { starts_at, ends_at }))
        }
        (Some(_), Some(_)) => Err(Violation::new(
            RuleCode::ReminderEndBeforeStart,
            "the reminder must end after it starts",
        )),
        _ => Err(Violation::new(
            RuleCode::ReminderWindowIncomplete,
            "give both ends of the reminder window, or neither",
        )),
    }
}

/// Where a reminder stands at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReminderState {
    /// The window has not opened yet.
    Scheduled,
    /// Showing now.
    Active,
    /// Put off by its assignee until `snoozed_until`.
    Snoozed,
    /// Dismissed by its assignee.
    Dismissed,
    /// The window has closed.
    Expired,
    /// Its pending activity is done or cancelled.
    Closed,
}

/// What the assignee did with a reminder, and whether its pending activity is still open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReminderFacts {
    /// The pending activity is still OPEN.
    pub pending_open: bool,
    /// Snoozed until this moment.
    pub snoozed_until: Option<DateTime<Utc>>,
    /// Dismissed at this moment.
    pub dismissed_at: Option<DateTime<Utc>>,
}

/// The state of a reminder at `now`.
pub fn reminder_state(
    window: ReminderWindow,
    facts: ReminderFacts,
    now: DateTime<Utc>,
) -> ReminderState {
    if !facts.pending_open {
        ReminderState::Closed
    } else if facts.dismissed_at.is_some() {
        ReminderState::Dismissed
    } else if now >= window.ends_at {
        ReminderState::Expired
    } else if facts.snoozed_until.is_some_and(|until| until > now) {
        ReminderState::Snoozed
    } else if now < window.starts_at {
        ReminderState::Scheduled
    } else {
        ReminderState::Active
    }
}

/// The moment a reminder next falls due (starts showing), if it will: the window's start, or
/// the end of a snooze; `None` once it is closed, dismissed or the window has passed.
pub fn next_due_at(window: ReminderWindow, facts: ReminderFacts) -> Option<DateTime<Utc>> {
    if !facts.pending_open || facts.dismissed_at.is_some() {
        return None;
    }
    let due = match facts.snoozed_until {
        Some(until) if until > window.starts_at => until,
        _ => window.starts_at,
    };
    (due < window.ends_at).then_some(due)
}

/// Checks a snooze: the reminder is still open and not dismissed, and `until` lies ahead.
pub fn check_snooze(
    facts: ReminderFacts,
    until: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), Violation> {
    check_open(facts)?;
    if until <= now {
        return Err(Violation::new(
            RuleCode::InvalidInput,
            "snooze until a moment in the future",
        ));
    }
    Ok(())
}

/// Checks that a reminder can still be acted on: its pending activity is open and it was not
/// dismissed.
pub fn check_open(facts: ReminderFacts) -> Result<(), Violation> {
    if !facts.pending_open {
        return Err(Violation::new(
            RuleCode::PendingNotOpen,
            "the pending activity is already done or cancelled",
        ));
    }
    if facts.dismissed_at.is_some() {
        return Err(Violation::new(
            RuleCode::InvalidInput,
            "the reminder was dismissed",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 28, hour, 0, 0).unwrap()
    }

    fn window() -> ReminderWindow {
        ReminderWindow {
            starts_at: at(9),
            ends_at: at(17),
        }
    }

    fn open() -> ReminderFacts {
        ReminderFacts {
            pending_open: true,
            ..Default::default()
        }
    }

    #[test]
    fn a_window_needs_both_ends_or_neither() {
        assert_eq!(reminder_window(None, None), Ok(None));
        let half = reminder_window(Some(at(9)), None).unwrap_err();
        assert_eq!(half.code, RuleCode::ReminderWindowIncomplete);
        let other_half = reminder_window(None, Some(at(9))).unwrap_err();
        assert_eq!(other_half.code, RuleCode::ReminderWindowIncomplete);
    }

    #[test]
    fn a_window_must_end_after_it_starts() {
        assert_eq!(
            reminder_window(Some(at(10)), Some(at(9))).unwrap_err().code,
            RuleCode::ReminderEndBeforeStart
        );
        assert_eq!(
            reminder_window(Some(at(9)), Some(at(9))).unwrap_err().code,
            RuleCode::ReminderEndBeforeStart
        );
        assert_eq!(
            reminder_window(Some(at(9)), Some(at(10))),
            Ok(Some(ReminderWindow {
                starts_at: at(9),
                ends_at: at(10)
            }))
        );
    }

    #[test]
    fn a_reminder_shows_from_its_start_until_its_end() {
        assert_eq!(
            reminder_state(window(), open(), at(8)),
            ReminderState::Scheduled
        );
        assert_eq!(
            reminder_state(window(), open(), at(9)),
            ReminderState::Active
        );
        assert_eq!(
            reminder_state(window(), open(), at(16)),
            ReminderState::Active
        );
        assert_eq!(
            reminder_state(window(), open(), at(17)),
            ReminderState::Expired
        );
    }

    #[test]
    fn a_snoozed_reminder_shows_again_when_the_snooze_ends() {
        let facts = ReminderFacts {
            snoozed_until: Some(at(12)),
            ..open()
        };
        assert_eq!(
            reminder_state(window(), facts, at(10)),
            ReminderState::Snoozed
        );
        assert_eq!(
            reminder_state(window(), facts, at(12)),
            ReminderState::Active
        );
        assert_eq!(next_due_at(window(), facts), Some(at(12)));
    }

    #[test]
    fn a_snooze_past_the_window_means_it_never_falls_due_again() {
        let facts = ReminderFacts {
            snoozed_until: Some(at(18)),
            ..open()
        };
        assert_eq!(next_due_at(window(), facts), None);
        assert_eq!(
            reminder_state(window(), facts, at(17)),
            ReminderState::Expired
        );
    }

    #[test]
    fn dismissed_and_closed_reminders_never_fall_due() {
        let dismissed = ReminderFacts {
            dismissed_at: Some(at(10)),
            ..open()
        };
        assert_eq!(
            reminder_state(window(), dismissed, at(11)),
            ReminderState::Dismissed
        );
        assert_eq!(next_due_at(window(), dismissed), None);
        let closed = ReminderFacts::default();
        assert_eq!(
            reminder_state(window(), closed, at(11)),
            ReminderState::Closed
        );
        assert_eq!(next_due_at(window(), closed), None);
    }

    #[test]
    fn a_snooze_must_lie_ahead_and_needs_an_open_undismissed_reminder() {
        assert!(check_snooze(open(), at(12), at(10)).is_ok());
        assert_eq!(
            check_snooze(open(), at(10), at(10)).unwrap_err().code,
            RuleCode::InvalidInput
        );
        assert_eq!(
            check_snooze(ReminderFacts::default(), at(12), at(10))
                .unwrap_err()
                .code,
            RuleCode::PendingNotOpen
        );
        let dismissed = ReminderFacts {
            dismissed_at: Some(at(9)),
            ..open()
        };
        assert_eq!(
            check_snooze(dismissed, at(12), at(10)).unwrap_err().code,
            RuleCode::InvalidInput
        );
    }

    #[test]
    fn an_untouched_reminder_falls_due_at_its_start() {
        assert_eq!(next_due_at(window(), open()), Some(at(9)));
    }
}
