//! Rule 12 and its neighbours: what a string the server keeps may hold — at most so many
//! characters (counted as Unicode scalar values, as PostgreSQL counts them), and no NUL, which
//! PostgreSQL cannot store in text, so that a string behaves alike on both databases.

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
/// Longest idempotency key.
pub const IDEMPOTENCY_KEY_MAX: usize = 200;
/// Longest colour (CSS notation).
pub const COLOR_MAX: usize = 32;
/// Longest time zone name.
pub const TIME_ZONE_MAX: usize = 64;

/// Checks that `value` holds no NUL and at most `max` characters; `what` names it in the
/// message.
pub fn check_text(what: &str, value: &str, max: usize) -> Result<(), Violation> {
    if value.contains('\0') {
        return Err(Violation::new(
            RuleCode::InvalidInput,
            format!("the {what} may not contain a NUL character"),
        ));
    }
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

/// A text the server makes up (a to-do's title, a transition's default name) cut to at most
/// `max` characters, an ellipsis marking the cut.
pub fn clip(text: String, max: usize) -> String {
    if text.chars().count() <= max {
        return text;
    }
    let mut clipped: String = text.chars().take(max.saturating_sub(1)).collect();
    clipped.push('…');
    clipped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_of_exactly_the_limit_is_accepted() {
        assert!(check_text("name", &"a".repeat(NAME_MAX), NAME_MAX).is_ok());
    }

    #[test]
    fn one_character_over_the_limit_is_too_long() {
        let error = check_text("name", &"a".repeat(NAME_MAX + 1), NAME_MAX).unwrap_err();
        assert_eq!(error.code, RuleCode::TooLong);
        assert!(error.message.contains("201"));
    }

    #[test]
    fn a_nul_character_is_invalid_input_whatever_the_length() {
        let error = check_text("note", "a\0b", TEXT_MAX).unwrap_err();
        assert_eq!(error.code, RuleCode::InvalidInput);
        assert!(check_text("note", "tab\tand\u{202e}rtl and 😀", TEXT_MAX).is_ok());
    }

    #[test]
    fn a_made_up_text_is_cut_to_its_limit() {
        assert_eq!(clip("short".into(), NAME_MAX), "short");
        let clipped = clip("è".repeat(NAME_MAX + 7), NAME_MAX);
        assert_eq!(clipped.chars().count(), NAME_MAX);
        assert!(clipped.ends_with('…'));
    }

    #[test]
    fn limits_count_characters_not_bytes() {
        assert!(check_text("name", &"è".repeat(NAME_MAX), NAME_MAX).is_ok());
    }
}
