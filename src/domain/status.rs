//! Where a pending activity or a to-do stands: open until it is done or called off.

use super::name::named;

/// The status of a pending activity or of a to-do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum WorkStatus {
    /// Still to do.
    Open,
    /// Done.
    Done,
    /// Called off.
    Cancelled,
}

impl WorkStatus {
    /// Every status.
    pub const ALL: [WorkStatus; 3] = [WorkStatus::Open, WorkStatus::Done, WorkStatus::Cancelled];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            WorkStatus::Open => "OPEN",
            WorkStatus::Done => "DONE",
            WorkStatus::Cancelled => "CANCELLED",
        }
    }

    /// Whether it is still to do.
    pub fn is_open(self) -> bool {
        self == WorkStatus::Open
    }
}

named!(WorkStatus, "status");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip_through_their_stored_names() {
        for status in WorkStatus::ALL {
            assert_eq!(status.as_str().parse(), Ok(status));
        }
        assert!("open".parse::<WorkStatus>().is_err());
        assert!(WorkStatus::Open.is_open() && !WorkStatus::Done.is_open());
    }
}
