//! A program started directly or through a wrapper (for example `prlimit --nofile=64:64 --`);
//! shared by the tests and the benchmark programs.

use std::process::Command;

/// `program`, run through `wrapper` when it is not empty.
pub fn through(wrapper: &[&str], program: &str) -> Command {
    match wrapper.split_first() {
        None => Command::new(program),
        Some((first, rest)) => {
            let mut command = Command::new(first);
            command.args(rest).arg(program);
            command
        }
    }
}
