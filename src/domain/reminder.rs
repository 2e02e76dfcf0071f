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
mod tests;
