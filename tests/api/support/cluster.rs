//! A PostgreSQL cluster of the test's own, in its own directory on a free port, that the test
//! stops and starts (an outage) without touching any other database.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::binary::free_port;
use super::tools::{require, run_checked};

/// Where the PostgreSQL programs are: `pg_config --bindir`, else the `PATH`.
fn bindir() -> Option<PathBuf> {
    let output = Command::new("pg_config").arg("--bindir").output().ok()?;
    output
        .status
        .success()
        .then(|| PathBuf::from(String::from_utf8_lossy(&output.stdout).trim()))
}

/// The numeric id of a system user, from `id -u`.
fn uid_of(user: &str) -> Option<u32> {
    let output = Command::new("id").args(["-u", user]).output().ok()?;
    String::from_utf8_lossy(&output.stdout).trim().parse().ok()
}

/// A private cluster; stopped and removed when dropped.
pub struct Cluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    /// PostgreSQL refuses to run as root: as root the cluster runs as `postgres`.
    run_as: Option<&'static str>,
    port: u16,
}

impl Cluster {
    /// Creates and starts a cluster; `None` (outside CI) when PostgreSQL is not installed.
    pub fn start(test: &str) -> Option<Self> {
        let bin = bindir().unwrap_or_default();
        if !require(&bin.join("initdb").to_string_lossy(), test) {
            return None;
        }
        let dir = tempfile::tempdir().expect("a directory for the cluster");
        let run_as = current_user_is_root().then_some("postgres");
        if run_as.is_some() {
            let uid = uid_of("postgres").expect("a postgres system user");
            std::os::unix::fs::chown(dir.path(), Some(uid), None).expect("chown");
        }
        let cluster = Self {
            dir,
            bin,
            run_as,
            port: free_port(),
        };
        let data = cluster.data();
        run_checked(
            &mut cluster.program(
                "initdb",
                &[
                    "-D",
                    &data,
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--no-sync",
                ],
            ),
            "initdb",
        );
        cluster.resume();
        Some(cluster)
    }

    fn data(&self) -> String {
        self.dir.path().join("data").to_string_lossy().into_owned()
    }

    fn program(&self, name: &str, args: &[&str]) -> Command {
        let program = self.bin.join(name);
        let mut command = match self.run_as {
            Some(user) => {
                let mut command = Command::new("runuser");
                command.args(["-u", user, "--"]).arg(program);
                command
            }
            None => Command::new(program),
        };
        command.args(args);
        command
    }

    fn pg_ctl(&self, args: &[&str]) -> Command {
        let data = self.data();
        let mut all = vec!["-D", &data, "-w"];
        all.extend_from_slice(args);
        self.program("pg_ctl", &all)
    }

    /// The URL of the cluster's `postgres` database.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Starts the cluster (again).
    pub fn resume(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("postgres.log");
        run_checked(
            &mut self.pg_ctl(&["-o", &options, "-l", &log.to_string_lossy(), "start"]),
            "pg_ctl start",
        );
    }

    /// Stops the cluster at once, dropping its connections: an outage.
    pub fn halt(&self) {
        run_checked(&mut self.pg_ctl(&["-m", "fast", "stop"]), "pg_ctl stop");
    }

    /// The cluster's directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

fn current_user_is_root() -> bool {
    let output = Command::new("id").arg("-u").output();
    output.is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self.pg_ctl(&["-m", "immediate", "stop"]).output();
    }
}
