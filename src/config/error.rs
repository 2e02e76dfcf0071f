//! Reading the command line: a bad setting becomes a [`ConfigError`] that names both its
//! variable and its flag; help, version and usage mistakes stay clap's own.

use std::error::Error as _;
use std::ffi::OsString;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{CommandFactory, FromArgMatches};

use super::Cli;

/// A setting that cannot be used; the message names it.
#[derive(Debug, thiserror::Error)]
#[error("invalid setting {variable} (--{flag}): {problem}")]
pub struct ConfigError {
    /// The environment variable.
    pub variable: String,
    /// The flag, without its dashes.
    pub flag: String,
    /// What is wrong with it.
    pub problem: String,
}

/// What the command line asks for.
#[derive(Debug)]
pub enum Invocation {
    /// A command to run.
    Run(Box<Cli>),
    /// A bad setting: print it and stop.
    BadSetting(ConfigError),
    /// Help, the version or a usage mistake: clap prints it and exits.
    Clap(clap::Error),
}

/// Reads the command line (and the environment) into a command with checked settings.
pub fn parse<I, T>(args: I) -> Invocation
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let mut command = Cli::command();
    let parsed = command
        .try_get_matches_from_mut(args)
        .and_then(|mut matches| Cli::from_arg_matches_mut(&mut matches));
    match parsed {
        Ok(cli) => Invocation::Run(Box::new(cli)),
        Err(error) => match setting_error(&command, &error) {
            Some(bad) => Invocation::BadSetting(bad),
            None => Invocation::Clap(error),
        },
    }
}

/// The setting a value error is about, when it is one.
fn setting_error(command: &clap::Command, error: &clap::Error) -> Option<ConfigError> {
    if !matches!(
        error.kind(),
        ErrorKind::ValueValidation | ErrorKind::InvalidValue
    ) {
        return None;
    }
    let Some(ContextValue::String(shown)) = error.get(ContextKind::InvalidArg) else {
        return None;
    };
    // clap shows the argument as `--flag <VALUE>`.
    let flag = shown.split_whitespace().next()?.trim_start_matches('-');
    let argument = command
        .get_arguments()
        .find(|argument| argument.get_long() == Some(flag))?;
    let variable = argument.get_env()?.to_string_lossy().into_owned();
    let value = match error.get(ContextKind::InvalidValue) {
        Some(ContextValue::String(value)) => value.clone(),
        _ => String::new(),
    };
    let problem = match error.source() {
        Some(source) => source.to_string(),
        None => format!("{value:?} is not accepted"),
    };
    Some(ConfigError {
        variable,
        flag: flag.to_owned(),
        problem,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bad(args: &[&str]) -> ConfigError {
        let mut all = vec!["contactflow"];
        all.extend_from_slice(args);
        match parse(all) {
            Invocation::BadSetting(error) => error,
            other => panic!("{args:?} is a bad setting, not {other:?}"),
        }
    }

    #[test]
    fn a_bad_value_names_its_variable_and_its_flag() {
        let error = bad(&["--addr", "localhost", "migrate"]);
        assert_eq!(error.variable, "CONTACTFLOW_ADDR");
        assert_eq!(
            error.to_string(),
            "invalid setting CONTACTFLOW_ADDR (--addr): \"localhost\" is not an address like 127.0.0.1:8080"
        );
        let error = bad(&["migrate", "--database-url", "mysql://localhost/cf"]);
        assert_eq!(error.variable, "CONTACTFLOW_DATABASE_URL");
        assert_eq!(
            bad(&["--jwt-secret", "short", "migrate"]).flag,
            "jwt-secret"
        );
        assert_eq!(
            bad(&["--max-selections", "lots", "serve"]).variable,
            "CONTACTFLOW_MAX_SELECTIONS"
        );
        assert_eq!(
            bad(&["--suggestions", "maybe", "serve"]).variable,
            "CONTACTFLOW_SUGGESTIONS"
        );
    }

    #[test]
    fn help_and_usage_mistakes_stay_with_clap() {
        assert!(matches!(
            parse(["contactflow", "--help"]),
            Invocation::Clap(_)
        ));
        assert!(matches!(
            parse(["contactflow", "serve", "--no-such-flag"]),
            Invocation::Clap(_)
        ));
    }

    #[test]
    fn the_defaults_are_usable() {
        let Invocation::Run(cli) = parse(["contactflow", "serve"]) else {
            panic!("the defaults parse");
        };
        let settings = cli.settings;
        assert_eq!(settings.addr.to_string(), "127.0.0.1:8080");
        assert_eq!(
            settings.database,
            super::super::DatabaseUrl::Sqlite("contactflow.db".into())
        );
        assert!(settings.introspection && settings.suggestions && settings.graphiql);
        assert_eq!(settings.limits.max_body_bytes, 64 * 1024);
        assert_eq!(settings.limits.max_depth, 12);
        assert_eq!(settings.limits.max_complexity, 10_000);
        assert_eq!(settings.token_ttl.as_secs(), 900);
        assert_eq!(settings.refresh_token_ttl.as_secs(), 30 * 24 * 3600);
    }
}
