//! PostGraphile, the peer: installed from npm into `target/peers/postgraphile` (pinned by the
//! lock file in `benches/peers/postgraphile`), started on the benchmark's PostgreSQL database,
//! with or without checking our JWT, with one process or a cluster of workers. Its queries ask
//! for the same data as ours, and [`same_page`] / [`same_contact`] check that both answered it.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

/// The page of 100 as PostGraphile names it: the same contacts (the caller's company, most
/// recently updated first), stage, owner, open pending activities (soonest deadline first)
/// with type and assignee, and the last activity.
pub const PAGE: &str = "query($company: BigInt!) { allContacts(first: 100, condition: { companyId: $company }, orderBy: [UPDATED_AT_DESC, ID_DESC]) { nodes {
  id name version
  stage: stageByCompanyIdAndStageId { id code name }
  owner: membershipByCompanyIdAndOwnerId { operator: operatorByOperatorId { id login displayName } }
  pending: pendingActivitiesByCompanyIdAndContactId(condition: { status: \"OPEN\" }, orderBy: [DUE_AT_ASC, ID_ASC]) { nodes {
    id dueAt
    type: activityTypeByCompanyIdAndActivityTypeId { id code name }
    assignee: membershipByCompanyIdAndAssigneeId { operator: operatorByOperatorId { id login displayName } } } }
  last: activitiesByCompanyIdAndContactId(first: 1, orderBy: [PERFORMED_AT_DESC, ID_DESC]) { nodes { id performedAt } }
} } }";

/// One contact with its stage and owner, in the caller's company.
/// (Its schema offers no look-up by company and id, the composite key being a unique index;
/// a condition on both is the same single-row read.)
pub const CONTACT: &str = "query($company: BigInt!, $id: BigInt!) { allContacts(first: 1, condition: { companyId: $company, id: $id }) { nodes {
  id name version
  stage: stageByCompanyIdAndStageId { id code name }
  owner: membershipByCompanyIdAndOwnerId { operator: operatorByOperatorId { id login displayName } }
} } }";

/// How PostGraphile is run.
#[derive(Clone, Copy)]
pub struct Setup {
    /// Whether it checks our bearer token (same secret, audience not checked).
    pub jwt: bool,
    /// `--cluster-workers`; 0: one process.
    pub workers: usize,
}

impl Setup {
    /// How the scenarios name it.
    pub fn label(&self) -> String {
        let jwt = if self.jwt { "JWT" } else { "no JWT" };
        match self.workers {
            0 => format!("PostGraphile ({jwt})"),
            n => format!("PostGraphile ({jwt}, {n} workers)"),
        }
    }
}

/// Installs the pinned PostGraphile under `target/`, unless the tree installed there is as new
/// as the lock file; where its program is.
pub fn install() -> PathBuf {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let source = repo.join("benches/peers/postgraphile");
    let dir = repo.join("target/peers/postgraphile");
    std::fs::create_dir_all(&dir).expect("target/peers/postgraphile");
    for file in ["package.json", "package-lock.json"] {
        std::fs::copy(source.join(file), dir.join(file)).expect("the peer's package files");
    }
    let modified = |path: PathBuf| std::fs::metadata(path).and_then(|m| m.modified()).ok();
    let fresh = match (
        modified(dir.join("node_modules/.package-lock.json")),
        modified(source.join("package-lock.json")),
    ) {
        (Some(installed), Some(locked)) => installed >= locked,
        _ => false,
    };
    if !fresh {
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&dir)
            .status()
            .expect("npm runs");
        assert!(status.success(), "npm ci of the peer failed");
    }
    dir.join("node_modules/postgraphile/cli.js")
}

/// A running PostGraphile, stopped (its workers with it) when dropped.
pub struct Peer {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
}

impl Peer {
    /// Starts `program` on `database_url` as `setup` says, and waits until it answers.
    pub async fn start(program: &Path, database_url: &str, secret: &str, setup: Setup) -> Self {
        use std::os::unix::process::CommandExt;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut command = Command::new("node");
        command
            .arg(program)
            .args(["--connection", database_url, "--schema", "public"])
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args(["--disable-graphiql", "--disable-query-log"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            // Its own process group, so that stopping it stops every worker.
            .process_group(0);
        if setup.jwt {
            command.args(["--jwt-secret", secret, "--jwt-verify-audience", ""]);
        }
        if setup.workers > 0 {
            command.args(["--cluster-workers", &setup.workers.to_string()]);
        }
        let child = command.spawn().expect("PostGraphile starts");
        let base = format!("http://127.0.0.1:{port}");
        let http = crate::common::http_builder().build().unwrap();
        for _ in 0..300 {
            let answered = http
                .post(format!("{base}/graphql"))
                .json(&json!({ "query": "{ __typename }" }))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            if answered {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Self { child, base }
    }

    /// The process group (PostGraphile and its workers).
    pub fn group(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        for signal in ["TERM", "KILL"] {
            let _ = Command::new("kill")
                .args(["-s", signal, "--", &group])
                .status();
            std::thread::sleep(Duration::from_millis(300));
        }
        let _ = self.child.wait();
    }
}

/// The CPU time (user + system) of every process in group `group`, from `/proc`.
pub fn group_cpu_time(group: u32) -> Duration {
    let mut total = Duration::ZERO;
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return total;
    };
    for entry in entries.flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let fields: Vec<&str> = stat
            .rsplit_once(')')
            .map(|(_, rest)| rest.split_whitespace().collect())
            .unwrap_or_default();
        // After the command: state, ppid, pgrp…
        if fields.get(2).and_then(|g| g.parse::<u32>().ok()) == Some(group) {
            total += super::common::cpu_time(pid);
        }
    }
    total
}

/// The number in one of our global ids (`Contact:42` → 42).
fn number_of(global: &Value) -> String {
    let text = global.as_str().unwrap_or_default();
    let decoded = URL_SAFE_NO_PAD.decode(text).unwrap_or_default();
    String::from_utf8_lossy(&decoded)
        .rsplit(':')
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// A peer's number (a `BigInt` is a string, an `Int` a number).
fn plain(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// Where one side's answer keeps what the comparison reads (JSON pointers), and how it
/// writes ids.
struct Shape {
    id: fn(&Value) -> String,
    pending: &'static str,
    owner_login: &'static str,
    assignee_login: &'static str,
    last_id: &'static str,
}

const OURS: Shape = Shape {
    id: number_of,
    pending: "/pendingActivities",
    owner_login: "/owner/login",
    assignee_login: "/assignee/login",
    last_id: "/lastActivity/id",
};

const PEERS: Shape = Shape {
    id: plain,
    pending: "/pending/nodes",
    owner_login: "/owner/operator/login",
    assignee_login: "/assignee/operator/login",
    last_id: "/last/nodes/0/id",
};

/// A contact as a line to compare: id, name, version, stage, owner, open pending activities
/// (id, type, assignee), last activity.
fn line(shape: &Shape, contact: &Value) -> String {
    let text = |value: &Value, pointer: &str| {
        let found = value.pointer(pointer).and_then(Value::as_str);
        found.unwrap_or_default().to_owned()
    };
    let pending: Vec<String> = contact
        .pointer(shape.pending)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|p| {
            let id = (shape.id)(&p["id"]);
            let kind = text(p, "/type/code");
            format!("{id}:{kind}:{}", text(p, shape.assignee_login))
        })
        .collect();
    let last = contact.pointer(shape.last_id).map(shape.id);
    format!(
        "{}|{}|{}|{}|{}|{}|{}",
        (shape.id)(&contact["id"]),
        text(contact, "/name"),
        contact["version"],
        text(contact, "/stage/code"),
        text(contact, shape.owner_login),
        pending.join(","),
        last.unwrap_or_default(),
    )
}

/// Whether our page and the peer's hold the same contacts with the same relations; the first
/// difference otherwise.
pub fn same_page(ours: &Value, peer: &Value) -> Result<usize, String> {
    let ours: Vec<String> = ours["data"]["contacts"]["edges"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|edge| line(&OURS, &edge["node"]))
        .collect();
    let theirs: Vec<String> = peer["data"]["allContacts"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|contact| line(&PEERS, contact))
        .collect();
    if ours.len() != theirs.len() {
        return Err(format!("{} contacts against {}", ours.len(), theirs.len()));
    }
    match ours.iter().zip(&theirs).find(|(a, b)| a != b) {
        Some((a, b)) => Err(format!("ours {a} / peer {b}")),
        None => Ok(ours.len()),
    }
}

/// Whether our contact and the peer's are the same.
pub fn same_contact(ours: &Value, peer: &Value) -> Result<(), String> {
    let ours = &ours["data"]["contact"];
    let theirs = &peer["data"]["allContacts"]["nodes"][0];
    let (a, b) = (line(&OURS, ours), line(&PEERS, theirs));
    if a == b && !ours.is_null() {
        Ok(())
    } else {
        Err(format!("ours {a} / peer {b}"))
    }
}
