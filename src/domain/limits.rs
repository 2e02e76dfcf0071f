//! Rule 12: string length limits, counted in characters.

use super::violation::{RuleCode, Violation};

/// Longest contact name.
pub const NAME_MAX: usize = 200;
/// Longest e-mail address.
pub const EMAIL_MAX: usize = 254;
/// Longest phone number.
pub const PHONE_MAX: usize = 50;
/// Longest description or note.
pub const TEXT_MAX: usize = 10_000;
/// Longest code, login or other short label.
pub const LABEL_MAX: usize = 100;

/// Checks that `value` has at most `max` characters; `what` names it in the message.
pub fn check_length(what: &str, value: &str, max: usize) -> Result<(), Violation> {
    let length = value.chars().count();
    if length > max {
        Err(Violation::new(
            RuleCode::TooLong,
            format!("{what} has {length} characters; at most {max} are allowed"),
        ))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_of_exactly_the_limit_is_accepted() {
        assert!(check_length("name", &"a".repeat(NAME_MAX), NAME_MAX).is_ok());
    }

    #[test]
    fn one_character_over_the_limit_is_too_long() {
        let error = check_length("name", &"a".repeat(NAME_MAX + 1), NAME_MAX).unwrap_err();
        assert_eq!(error.code, RuleCode::TooLong);
        assert!(error.message.contains("201"));
    }

    #[test]
    fn limits_count_characters_not_bytes() {
        assert!(check_length("name", &"è".repeat(NAME_MAX), NAME_MAX).is_ok());
    }
}
