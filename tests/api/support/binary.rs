//! The program itself as an operator runs it: `contactflow` with a clean environment, serving
//! on a free port, its log in a file the test reads.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The program, with no `CONTACTFLOW_` setting inherited from the test's environment and the
/// log at `warn`.
pub fn contactflow() -> Command {
    wrapped(&[])
}

/// The program started through `wrapper` (for example `prlimit --nofile=64:64 --`), with a
/// clean environment as [`contactflow`].
pub fn wrapped(wrapper: &[&str]) -> Command {
    let mut command = super::program::through(wrapper, env!("CARGO_BIN_EXE_contactflow"));
    for (name, _) in std::env::vars().filter(|(name, _)| {
        name.starts_with("CONTACTFLOW_") && name != "CONTACTFLOW_TEST_POSTGRES_URL"
    }) {
        command.env_remove(name);
    }
    command.env("CONTACTFLOW_LOG", "warn");
    command
}

/// A port nobody listens on now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

/// A running `contactflow serve`; killed when dropped.
pub struct Served {
    pub child: Child,
    pub base: String,
    log: Option<PathBuf>,
}

impl Served {
    /// Runs `command serve <args> --addr <free port>` in `dir`, its standard error into
    /// `dir/server.log` when `keep_log`, and waits up to 30 s for `/health/ready`.
    pub async fn start(mut command: Command, args: &[&str], dir: &Path, keep_log: bool) -> Self {
        let port = free_port();
        let log = keep_log.then(|| dir.join("server.log"));
        let stderr = match &log {
            Some(path) => Stdio::from(std::fs::File::create(path).expect("a log file")),
            None => Stdio::null(),
        };
        let child = command
            .arg("serve")
            .args(args)
            .args(["--addr", &format!("127.0.0.1:{port}")])
            .current_dir(dir)
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .expect("the server starts");
        let served = Self {
            child,
            base: format!("http://127.0.0.1:{port}"),
            log,
        };
        served.wait_ready(Duration::from_secs(30)).await;
        served
    }

    /// Waits until `/health/ready` answers 200; whether it did within `within`.
    pub async fn ready_within(&self, within: Duration) -> bool {
        let client = crate::support::http();
        let deadline = tokio::time::Instant::now() + within;
        while tokio::time::Instant::now() < deadline {
            let answered = client
                .get(format!("{}/health/ready", self.base))
                .timeout(Duration::from_secs(3))
                .send()
                .await;
            if answered.is_ok_and(|r| r.status().is_success()) {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        false
    }

    async fn wait_ready(&self, within: Duration) {
        assert!(
            self.ready_within(within).await,
            "the server answered /health/ready:\n{}",
            self.log()
        );
    }

    /// What the server wrote to standard error so far (empty without a kept log).
    pub fn log(&self) -> String {
        self.log
            .as_ref()
            .and_then(|path| std::fs::read_to_string(path).ok())
            .unwrap_or_default()
    }

    /// The WebSocket address of `/graphql`.
    pub fn ws_url(&self) -> String {
        format!("{}/graphql", self.base.replacen("http", "ws", 1))
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
