//! Pipeline insight: how long a contact has been in its stage, when it goes stale, how a stage
//! change came about, and the flow report's figures put together from what the database counts.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};

use super::name::named;

/// The most days a stage may allow before its contacts go stale (ten years).
pub const STALE_AFTER_DAYS_MAX: i32 = 3_650;

/// How a stage change came about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StageChangeVia {
    /// The contact was created: its entry into the first stage.
    Create,
    /// A `saveContact` that named a target stage.
    Save,
    /// `moveContactToStage`.
    Move,
    /// `moveContactsToStage`.
    BulkMove,
}

impl StageChangeVia {
    /// Every way.
    pub const ALL: [StageChangeVia; 4] = [
        StageChangeVia::Create,
        StageChangeVia::Save,
        StageChangeVia::Move,
        StageChangeVia::BulkMove,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            StageChangeVia::Create => "CREATE",
            StageChangeVia::Save => "SAVE",
            StageChangeVia::Move => "MOVE",
            StageChangeVia::BulkMove => "BULK_MOVE",
        }
    }
}

named!(StageChangeVia, "stage change origin");

/// Whole seconds from `from` to `to`, rounded down; 0 when `to` is not later.
pub fn seconds_between(from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
    (to - from).num_milliseconds().max(0) / 1_000
}

/// Whether a stage's `staleAfterDays` is acceptable: none, or 1 to [`STALE_AFTER_DAYS_MAX`].
pub fn valid_stale_after_days(days: Option<i32>) -> bool {
    days.is_none_or(|days| (1..=STALE_AFTER_DAYS_MAX).contains(&days))
}

/// When a contact last touched at `last_touch` goes stale in a stage that allows
/// `stale_after_days`: the last touch plus that many days; never when the stage sets none.
pub fn stale_since(
    stale_after_days: Option<i32>,
    last_touch: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    stale_after_days.map(|days| last_touch + Duration::days(i64::from(days)))
}

/// Whether such a contact is stale at `now`: from the very moment `stale_since` is reached.
pub fn is_stale(
    stale_after_days: Option<i32>,
    last_touch: DateTime<Utc>,
    now: DateTime<Utc>,
) -> bool {
    stale_since(stale_after_days, last_touch).is_some_and(|since| since <= now)
}

/// The latest last touch at which a contact of such a stage is stale at `now`: a contact is
/// stale exactly when its last touch is at or before it (what a filter compares).
pub fn stale_cutoff(stale_after_days: i32, now: DateTime<Utc>) -> DateTime<Utc> {
    now - Duration::days(i64::from(stale_after_days))
}

/// The 1-based position, in ascending order, of the discrete percentile `numerator /
/// denominator` among `count` values: the smallest position whose share of the values reaches
/// the fraction, `ceil(count × fraction)`, at least 1. The report's SQL computes the same with
/// integer arithmetic: `(count × numerator + denominator − 1) / denominator`.
pub fn percentile_position(count: i64, numerator: i64, denominator: i64) -> i64 {
    ((count * numerator + denominator - 1) / denominator).max(1)
}

/// The discrete percentile of `values` (any order): `None` when there are none.
pub fn percentile(values: &[i64], numerator: i64, denominator: i64) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let position = percentile_position(sorted.len() as i64, numerator, denominator);
    sorted.get(position as usize - 1).copied()
}

/// One stage's line of the flow report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StageFigures {
    /// Contacts in the stage now.
    pub current: i64,
    /// Stage changes into the stage within the period.
    pub entered: i64,
    /// Stage changes out of the stage within the period.
    pub left: i64,
    /// Median length of the stays that ended within the period, in seconds.
    pub median_seconds: Option<i64>,
    /// Their 90th percentile.
    pub p90_seconds: Option<i64>,
}

/// The counts of stage changes within a period, by (from, to); `from` none for entries.
pub type TransitionCounts = BTreeMap<(Option<i64>, i64), i64>;

/// Puts together each stage's figures, in the order of `stages`: entries and exits summed from
/// the transition counts, the current counts and stay percentiles as the database answered
/// them (by stage id).
pub fn stage_figures(
    stages: &[i64],
    transitions: &TransitionCounts,
    current: &BTreeMap<i64, i64>,
    stays: &BTreeMap<i64, (Option<i64>, Option<i64>)>,
) -> Vec<(i64, StageFigures)> {
    stages
        .iter()
        .map(|&stage| {
            let entered = transitions
                .iter()
                .filter(|((_, to), _)| *to == stage)
                .map(|(_, count)| count)
                .sum();
            let left = transitions
                .iter()
                .filter(|((from, _), _)| *from == Some(stage))
                .map(|(_, count)| count)
                .sum();
            let (median_seconds, p90_seconds) = stays.get(&stage).copied().unwrap_or_default();
            let figures = StageFigures {
                current: current.get(&stage).copied().unwrap_or(0),
                entered,
                left,
                median_seconds,
                p90_seconds,
            };
            (stage, figures)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + seconds, 0).unwrap()
    }

    #[test]
    fn origins_round_trip_through_their_stored_names() {
        for via in StageChangeVia::ALL {
            assert_eq!(via.as_str().parse(), Ok(via));
        }
        assert!("move".parse::<StageChangeVia>().is_err());
    }

    #[test]
    fn a_contact_goes_stale_exactly_when_its_stage_allows_no_longer() {
        let touched = at(0);
        let days = Some(7);
        let boundary = touched + Duration::days(7);
        assert_eq!(stale_since(days, touched), Some(boundary));
        assert!(!is_stale(
            days,
            touched,
            boundary - Duration::milliseconds(1)
        ));
        assert!(is_stale(days, touched, boundary));
        assert!(!is_stale(None, touched, at(1_000_000_000)));
        assert_eq!(stale_since(None, touched), None);
        // The filter's cutoff agrees with the rule at the boundary.
        assert_eq!(stale_cutoff(7, boundary), touched);
    }

    #[test]
    fn stale_days_are_none_or_one_to_ten_years() {
        assert!(valid_stale_after_days(None));
        assert!(valid_stale_after_days(Some(1)));
        assert!(valid_stale_after_days(Some(STALE_AFTER_DAYS_MAX)));
        assert!(!valid_stale_after_days(Some(0)));
        assert!(!valid_stale_after_days(Some(-3)));
        assert!(!valid_stale_after_days(Some(STALE_AFTER_DAYS_MAX + 1)));
    }

    #[test]
    fn seconds_are_whole_and_never_negative() {
        assert_eq!(seconds_between(at(0), at(90)), 90);
        assert_eq!(
            seconds_between(at(0), at(90) + Duration::milliseconds(999)),
            90
        );
        assert_eq!(seconds_between(at(90), at(0)), 0);
        assert_eq!(
            seconds_between(at(0), at(0) + Duration::days(30_000)),
            30_000 * 86_400
        );
    }

    #[test]
    fn percentiles_are_discrete_and_match_the_integer_formula() {
        assert_eq!(percentile(&[], 1, 2), None);
        assert_eq!(percentile(&[5], 1, 2), Some(5));
        assert_eq!(percentile(&[5], 9, 10), Some(5));
        assert_eq!(percentile(&[4, 1, 3, 2], 1, 2), Some(2));
        assert_eq!(percentile(&[1, 2, 3, 4, 5], 1, 2), Some(3));
        let ten: Vec<i64> = (1..=10).collect();
        assert_eq!(percentile(&ten, 9, 10), Some(9));
        let eleven: Vec<i64> = (1..=11).collect();
        assert_eq!(percentile(&eleven, 9, 10), Some(10));
        for count in 1..200 {
            let share = |position: i64| position as f64 / count as f64;
            for (numerator, denominator) in [(1, 2), (9, 10)] {
                let position = percentile_position(count, numerator, denominator);
                let fraction = numerator as f64 / denominator as f64;
                assert!(share(position) >= fraction - 1e-12, "{count}");
                assert!(
                    position == 1 || share(position - 1) < fraction - 1e-12,
                    "{count}"
                );
            }
        }
    }

    #[test]
    fn stage_figures_sum_entries_and_exits_from_the_transitions() {
        let mut transitions = TransitionCounts::new();
        transitions.insert((None, 1), 4);
        transitions.insert((Some(1), 2), 3);
        transitions.insert((Some(2), 1), 1);
        transitions.insert((Some(1), 3), 2);
        let current = BTreeMap::from([(1, 10), (3, 2)]);
        let stays = BTreeMap::from([(1, (Some(60), Some(600)))]);
        let figures = stage_figures(&[1, 2, 3], &transitions, &current, &stays);
        assert_eq!(
            figures,
            vec![
                (
                    1,
                    StageFigures {
                        current: 10,
                        entered: 5,
                        left: 5,
                        median_seconds: Some(60),
                        p90_seconds: Some(600)
                    }
                ),
                (
                    2,
                    StageFigures {
                        current: 0,
                        entered: 3,
                        left: 1,
                        ..Default::default()
                    }
                ),
                (
                    3,
                    StageFigures {
                        current: 2,
                        entered: 2,
                        left: 0,
                        ..Default::default()
                    }
                ),
            ]
        );
    }
}
