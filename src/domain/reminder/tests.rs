//! Unit tests of `reminder`.

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
