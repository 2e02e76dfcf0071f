//! Which part of a request a broken rule is about, in the domain's words. The API layer names
//! each part as its input does (`Field::TargetStage` is `toStageId`), once, for every path.

use std::fmt;

/// One step of the path to the part of a request a violation is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Field {
    /// The record the request acts on, named by its id (a contact, a pending activity, a to-do,
    /// a reminder, or the configuration record an ADMIN edits).
    Record,
    /// The version of the contact the client last read.
    Version,
    /// The key that makes a retry safe.
    IdempotencyKey,
    /// The contact's workflow.
    Workflow,
    /// The stage a contact is to move to.
    TargetStage,
    /// The operator responsible for a contact.
    Owner,
    /// A name.
    Name,
    /// An e-mail address.
    Email,
    /// A phone number.
    Phone,
    /// A note on a stage change.
    Note,
    /// A description.
    Description,
    /// The activity just done.
    Activity,
    /// The pending activity to schedule.
    Pending,
    /// An activity type.
    ActivityType,
    /// Who must do a pending activity.
    Assignee,
    /// Where a reminder window starts.
    ReminderStart,
    /// Where a reminder window ends.
    ReminderEnd,
    /// Until when a reminder is snoozed.
    SnoozeUntil,
    /// A code.
    Code,
    /// A colour.
    Color,
    /// An operator's sign-in name.
    Login,
    /// The code of the company to sign in to.
    CompanyCode,
    /// The company to switch to.
    Company,
    /// An operator's name shown to people.
    DisplayName,
    /// An operator's role.
    Role,
    /// A password.
    Password,
    /// An operator's time zone.
    TimeZone,
    /// A language tag (an operator's locale, a localized name's).
    Locale,
    /// Names in other languages.
    LocalizedNames,
    /// The stages of a workflow.
    Stages,
    /// The activity types listed on a stage.
    ActivityRules,
    /// The activity type a rule schedules next.
    NextActivityType,
    /// The transitions of a workflow.
    Transitions,
    /// The stage a transition leaves.
    FromStage,
    /// The stage a transition enters.
    ToStage,
    /// The days a stage lets its contacts rest before they are stale.
    StaleAfterDays,
    /// The contacts of a bulk move.
    Contacts,
    /// A webhook's target.
    Url,
    /// The kinds of event a webhook hears of.
    Events,
    /// The key a webhook's deliveries are signed with.
    Secret,
    /// The item at this place in a list.
    Index(usize),
}

impl Field {
    /// The field's name in the domain's words, for messages and tests.
    pub fn name(self) -> String {
        match self {
            Field::Index(index) => index.to_string(),
            other => {
                let debug = format!("{other:?}");
                let mut name = String::with_capacity(debug.len() + 4);
                for (i, c) in debug.chars().enumerate() {
                    if c.is_ascii_uppercase() && i > 0 {
                        name.push('_');
                    }
                    name.push(c.to_ascii_lowercase());
                }
                name
            }
        }
    }
}

/// The path from the request to the part a violation is about; empty: the request as a whole.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct FieldPath(pub Vec<Field>);

impl FieldPath {
    /// The request as a whole.
    pub fn whole() -> Self {
        Self(Vec::new())
    }

    /// The path through `fields`.
    pub fn of(fields: &[Field]) -> Self {
        Self(fields.to_vec())
    }

    /// This path with `field` appended.
    pub fn then(mut self, field: Field) -> Self {
        self.0.push(field);
        self
    }

    /// The steps, from the request down.
    pub fn fields(&self) -> &[Field] {
        &self.0
    }
}

impl<const N: usize> From<[Field; N]> for FieldPath {
    fn from(fields: [Field; N]) -> Self {
        Self(fields.to_vec())
    }
}

impl From<Field> for FieldPath {
    fn from(field: Field) -> Self {
        Self(vec![field])
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<String> = self.0.iter().map(|field| field.name()).collect();
        f.write_str(&names.join("."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_read_in_the_domains_words() {
        let path = FieldPath::of(&[Field::Stages, Field::Index(2), Field::ActivityRules])
            .then(Field::Index(0))
            .then(Field::NextActivityType);
        assert_eq!(
            path.to_string(),
            "stages.2.activity_rules.0.next_activity_type"
        );
        assert_eq!(
            FieldPath::from(Field::TargetStage).to_string(),
            "target_stage"
        );
        assert_eq!(FieldPath::whole().to_string(), "");
    }
}
