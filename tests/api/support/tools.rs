//! External tools the client tests drive: Node.js packages (installed from their pinned lock
//! files when missing), Chromium, git. Outside CI a missing tool skips its test with a note;
//! under CI (`CI` set) every tool must be there.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A path inside the repository.
pub fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn tool_available(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A tool `test` needs is `missing`: under CI the test fails (`remedy` says what to do),
/// elsewhere it is skipped with a note.
fn skip_outside_ci(test: &str, missing: &str, remedy: &str) {
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must run {test}: {remedy}"
    );
    let _ = writeln!(std::io::stderr(), "note: {missing}: {test} was skipped");
}

/// Whether `program` can run; outside CI a missing tool skips the test with a note.
pub fn require(program: &str, test: &str) -> bool {
    if tool_available(program) {
        return true;
    }
    skip_outside_ci(
        test,
        &format!("{program} is not installed"),
        &format!("install {program}"),
    );
    false
}

/// Both streams of a finished command, for a failure message.
pub fn report(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Runs a command to its end and fails the test when it fails.
pub fn run_checked(command: &mut Command, what: &str) -> Output {
    let output = command.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        output.status.success(),
        "{what} failed:\n{}",
        report(&output)
    );
    output
}

/// Installs the npm packages of `dir` (a folder of the repository) from its lock file, unless
/// the installed tree is as new as the lock file. Runs once at a time across the test threads.
pub fn npm_ci(dir: &str) -> PathBuf {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let dir = repo(dir);
    let modified = |path: PathBuf| std::fs::metadata(path).and_then(|m| m.modified()).ok();
    let fresh = match (
        modified(dir.join("node_modules/.package-lock.json")),
        modified(dir.join("package-lock.json")),
    ) {
        (Some(installed), Some(locked)) => installed >= locked,
        _ => false,
    };
    if !fresh {
        run_checked(
            Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
                .current_dir(&dir),
            &format!("npm ci in {}", dir.display()),
        );
    }
    dir
}

/// Debian's Chromium, installed with `scripts/install-chromium` when missing; `None` (outside
/// CI) when it cannot be.
pub fn chromium(test: &str) -> Option<PathBuf> {
    let path = PathBuf::from("/usr/bin/chromium");
    if !path.exists() {
        let installed = Command::new("sh")
            .arg(repo("scripts/install-chromium"))
            .status()
            .is_ok_and(|status| status.success());
        if !installed {
            skip_outside_ci(
                test,
                "Chromium is not installed (scripts/install-chromium)",
                "scripts/install-chromium failed",
            );
            return None;
        }
    }
    Some(path)
}
