//! The `DateTime` scalar: RFC 3339 in, UTC with `Z` and milliseconds out.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::Utc;

use crate::service::clock;

/// A moment in time. Output is always UTC with `Z` and millisecond precision
/// (`2026-11-28T09:30:00.000Z`); input is RFC 3339 with any offset and is normalised to UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct DateTime(pub chrono::DateTime<Utc>);

/// A moment in time, RFC 3339. Output is always UTC with `Z` and millisecond precision
/// (`2026-11-28T09:30:00.000Z`); input may carry any offset and is normalised to UTC.
#[Scalar(
    name = "DateTime",
    specified_by_url = "https://www.rfc-editor.org/rfc/rfc3339"
)]
impl ScalarType for DateTime {
    fn parse(value: Value) -> InputValueResult<Self> {
        let Value::String(text) = &value else {
            return Err(InputValueError::expected_type(value));
        };
        chrono::DateTime::parse_from_rfc3339(text.trim())
            .map(|moment| DateTime(clock::to_millis(moment.with_timezone(&Utc))))
            .map_err(|_| {
                InputValueError::custom(format!(
                    "{text:?} is not an RFC 3339 date-time such as 2026-11-28T09:30:00Z"
                ))
            })
    }

    fn to_value(&self) -> Value {
        Value::String(format_moment(self.0))
    }
}

/// The API's text form of a moment.
pub fn format_moment(moment: chrono::DateTime<Utc>) -> String {
    use chrono::{Datelike, Timelike};
    use std::fmt::Write;
    let (year, nanos) = (moment.year(), moment.nanosecond());
    // The common case without chrono's format parser (a page shows hundreds of moments); a year
    // outside four digits or a leap second takes the general path.
    if !(0..=9999).contains(&year) || nanos >= 1_000_000_000 {
        return moment.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
    }
    let mut text = String::with_capacity(24);
    let _ = write!(
        text,
        "{year:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        moment.month(),
        moment.day(),
        moment.hour(),
        moment.minute(),
        moment.second(),
        nanos / 1_000_000
    );
    text
}

impl From<chrono::DateTime<Utc>> for DateTime {
    fn from(moment: chrono::DateTime<Utc>) -> Self {
        DateTime(moment)
    }
}

/// A count or a number of seconds as a GraphQL `Int` (32 bits), saturated at its largest value.
pub fn int<T: TryInto<i32>>(number: T) -> i32 {
    number.try_into().unwrap_or(i32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_past_an_int_saturate() {
        assert_eq!(int(42_i64), 42);
        assert_eq!(int(30_000_i64 * 86_400), i32::MAX);
        assert_eq!(int(usize::MAX), i32::MAX);
    }

    #[test]
    fn output_is_utc_with_z_and_milliseconds() {
        let parsed =
            DateTime::parse(Value::String("2026-11-28T10:30:00.123456+01:00".into())).unwrap();
        assert_eq!(
            parsed.to_value(),
            Value::String("2026-11-28T09:30:00.123Z".into())
        );
    }

    #[test]
    fn whole_seconds_still_show_milliseconds() {
        let parsed = DateTime::parse(Value::String("2026-11-28T09:30:00Z".into())).unwrap();
        assert_eq!(
            parsed.to_value(),
            Value::String("2026-11-28T09:30:00.000Z".into())
        );
    }

    #[test]
    fn the_quick_format_writes_what_chrono_would() {
        use chrono::TimeZone;
        let general =
            |moment: chrono::DateTime<Utc>| moment.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
        let moments = [
            Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap(),
            Utc.with_ymd_and_hms(9, 12, 31, 23, 59, 59).unwrap()
                + chrono::Duration::nanoseconds(999_999_999),
            Utc.with_ymd_and_hms(1970, 1, 1, 0, 0, 0).unwrap()
                + chrono::Duration::nanoseconds(1_500_000),
            Utc.with_ymd_and_hms(12026, 6, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(-1, 6, 1, 0, 0, 0).unwrap(),
        ];
        for moment in moments {
            assert_eq!(format_moment(moment), general(moment));
        }
    }

    #[test]
    fn text_that_is_not_rfc3339_is_refused() {
        assert!(DateTime::parse(Value::String("28/11/2026".into())).is_err());
        assert!(DateTime::parse(Value::Number(5.into())).is_err());
    }
}
