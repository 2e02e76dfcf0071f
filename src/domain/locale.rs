//! Names in the operator's language: BCP 47 language tags as operators and clients give them,
//! an `Accept-Language` header read as a browser sends it, and the choice of the name to show.

use super::field::{Field, FieldPath};
use super::limits::{NAME_MAX, check_text};
use super::violation::{FieldViolation, RuleCode, Violation};

/// The locale of an operator who chose none.
pub const DEFAULT_LOCALE: &str = "en";
/// The longest language tag kept (BCP 47 advises room for 35 characters).
pub const LOCALE_MAX: usize = 35;
/// The most languages read from one `Accept-Language` header.
const ACCEPTED_MAX: usize = 16;

/// A language tag in its canonical case (`pt-br` → `pt-BR`, `zh-hant-tw` → `zh-Hant-TW`), or
/// why it is not one: subtags of 1 to 8 letters or digits joined by `-`, the first of 2 to 8
/// letters.
pub fn normalize(tag: &str) -> Result<String, Violation> {
    let tag = tag.trim();
    let invalid = || {
        Violation::new(
            RuleCode::InvalidInput,
            format!("{tag:?} is not a language tag such as \"it\" or \"pt-BR\""),
        )
    };
    if tag.is_empty() || tag.chars().count() > LOCALE_MAX {
        return Err(invalid());
    }
    let mut parts = Vec::new();
    for (position, subtag) in tag.split('-').enumerate() {
        let plain =
            (1..=8).contains(&subtag.len()) && subtag.chars().all(|c| c.is_ascii_alphanumeric());
        if !plain {
            return Err(invalid());
        }
        let part = if position == 0 {
            if subtag.len() < 2 || !subtag.chars().all(|c| c.is_ascii_alphabetic()) {
                return Err(invalid());
            }
            subtag.to_ascii_lowercase()
        } else if subtag.len() == 2 && subtag.chars().all(|c| c.is_ascii_alphabetic()) {
            subtag.to_ascii_uppercase()
        } else if subtag.len() == 4 && subtag.chars().all(|c| c.is_ascii_alphabetic()) {
            let lower = subtag.to_ascii_lowercase();
            lower[..1].to_ascii_uppercase() + &lower[1..]
        } else {
            subtag.to_ascii_lowercase()
        };
        parts.push(part);
    }
    Ok(parts.join("-"))
}

/// The languages an `Accept-Language` header asks for, most wanted first (`q` weights, ties in
/// the header's order); `*`, `q=0` and malformed entries are left out.
pub fn accepted(header: &str) -> Vec<String> {
    let mut weighted: Vec<(u16, usize, String)> = header
        .split(',')
        .take(ACCEPTED_MAX)
        .enumerate()
        .filter_map(|(order, entry)| {
            let mut pieces = entry.split(';');
            let tag = pieces.next()?.trim();
            let weight = pieces
                .filter_map(|piece| piece.trim().strip_prefix("q="))
                .next()
                .map_or(Some(1000), parse_weight)?;
            if weight == 0 || tag == "*" {
                return None;
            }
            Some((weight, order, normalize(tag).ok()?))
        })
        .collect();
    weighted.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    weighted.into_iter().map(|(_, _, tag)| tag).collect()
}

/// A `q` value in thousandths (`0.8` → 800), `None` when it is not one.
fn parse_weight(text: &str) -> Option<u16> {
    let value: f32 = text.trim().parse().ok()?;
    (0.0..=1.0)
        .contains(&value)
        .then(|| (value * 1000.0).round() as u16)
}

/// Which of the `available` locales serves `wanted`: the same tag, else one of the same language
/// (`it-CH` is served by `it`, and `it` by `it-IT`).
fn serving<'a>(wanted: &str, available: &[&'a str]) -> Option<&'a str> {
    let language = |tag: &str| tag.split('-').next().unwrap_or_default().to_owned();
    let exact = available
        .iter()
        .find(|locale| locale.eq_ignore_ascii_case(wanted));
    exact
        .or_else(|| {
            available
                .iter()
                .find(|locale| language(locale).eq_ignore_ascii_case(&language(wanted)))
        })
        .copied()
}

/// The locale whose name to show: the first of the request's languages with a name, else the
/// operator's locale when it has one, else none (the default name).
pub fn choose<'a>(
    request: &[String],
    operator: Option<&str>,
    available: &[&'a str],
) -> Option<&'a str> {
    request
        .iter()
        .map(String::as_str)
        .chain(operator)
        .find_map(|wanted| serving(wanted, available))
}

/// A name in one locale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalizedName {
    /// The language tag.
    pub locale: String,
    /// The name in that language.
    pub name: String,
}

/// Checks the localized names of a stage or activity type given at `at`: each locale a language
/// tag, given once; each name not blank and at most [`NAME_MAX`] characters. The names with
/// locales in canonical case and names trimmed, or every problem.
pub fn check_names(
    at: &FieldPath,
    names: &[LocalizedName],
) -> Result<Vec<LocalizedName>, Vec<FieldViolation>> {
    let mut problems = Vec::new();
    let mut checked: Vec<LocalizedName> = Vec::with_capacity(names.len());
    for (index, given) in names.iter().enumerate() {
        let here = at
            .clone()
            .then(Field::LocalizedNames)
            .then(Field::Index(index));
        let name = given.name.trim();
        if name.is_empty() {
            problems.push(FieldViolation::new(
                here.clone().then(Field::Name),
                RuleCode::InvalidInput,
                "a localized name may not be blank",
            ));
        } else if let Err(error) = check_text("localized name", name, NAME_MAX) {
            problems.push(FieldViolation::at(here.clone().then(Field::Name), error));
        }
        match normalize(&given.locale) {
            Err(error) => problems.push(FieldViolation::at(here.then(Field::Locale), error)),
            Ok(locale) if checked.iter().any(|seen| seen.locale == locale) => {
                problems.push(FieldViolation::new(
                    here.then(Field::Locale),
                    RuleCode::InvalidInput,
                    format!("the locale {locale:?} is given twice"),
                ));
            }
            Ok(locale) => checked.push(LocalizedName {
                locale,
                name: name.to_owned(),
            }),
        }
    }
    if problems.is_empty() {
        Ok(checked)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_put_in_their_canonical_case() {
        assert_eq!(normalize("IT").unwrap(), "it");
        assert_eq!(normalize("pt-br").unwrap(), "pt-BR");
        assert_eq!(normalize("zh-hant-tw").unwrap(), "zh-Hant-TW");
        assert_eq!(normalize(" de-CH-1996 ").unwrap(), "de-CH-1996");
    }

    #[test]
    fn what_is_not_a_tag_is_refused() {
        for bad in ["", "x", "it_IT", "it--IT", "1t", "italianissimo", "it\0"] {
            assert!(normalize(bad).is_err(), "{bad:?}");
        }
        assert!(normalize(&"a".repeat(36)).is_err());
    }

    #[test]
    fn accept_language_is_read_by_weight_then_order() {
        assert_eq!(
            accepted("de;q=0.5, it-IT, en;q=0.8, fr;q=0, *;q=0.1, bad_tag"),
            ["it-IT", "en", "de"]
        );
        assert_eq!(accepted(""), Vec::<String>::new());
        assert_eq!(accepted("it;q=2"), Vec::<String>::new());
    }

    #[test]
    fn the_requests_language_comes_before_the_operators() {
        let available = ["it", "de-CH"];
        let request = vec!["fr".to_owned(), "it-IT".to_owned()];
        assert_eq!(choose(&request, Some("de"), &available), Some("it"));
        assert_eq!(choose(&[], Some("de"), &available), Some("de-CH"));
        assert_eq!(choose(&["fr".to_owned()], Some("en"), &available), None);
        assert_eq!(choose(&[], None, &available), None);
    }

    fn named(locale: &str, name: &str) -> LocalizedName {
        LocalizedName {
            locale: locale.to_owned(),
            name: name.to_owned(),
        }
    }

    #[test]
    fn localized_names_are_checked_and_put_in_canonical_form() {
        let at = FieldPath::of(&[Field::Stages, Field::Index(1)]);
        let checked = check_names(&at, &[named("IT", " Inizio "), named("pt-br", "Início")]);
        assert_eq!(
            checked.unwrap(),
            [named("it", "Inizio"), named("pt-BR", "Início")]
        );
        let problems = check_names(
            &at,
            &[
                named("it", "Uno"),
                named("it-", "Due"),
                named("IT", " "),
                named("de", &"x".repeat(201)),
            ],
        )
        .unwrap_err();
        let paths: Vec<String> = problems.iter().map(|p| p.field.to_string()).collect();
        assert_eq!(
            paths,
            [
                "stages.1.localized_names.1.locale",
                "stages.1.localized_names.2.name",
                "stages.1.localized_names.2.locale",
                "stages.1.localized_names.3.name",
            ]
        );
        assert_eq!(problems[3].violation.code, RuleCode::TooLong);
    }
}
