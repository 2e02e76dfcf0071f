//! Builds the two bundles the binary embeds — GraphiQL (`web/graphiql`) and the reference app
//! (`web/app`, with GraphQL Code Generator first) — with esbuild, and generates the table of
//! each one's files that `src/http/graphiql` and `src/http/app` include, so the binary serves
//! both with no network at run time. Node.js and npm are needed to build; the npm packages are
//! pinned by each `package-lock.json` and installed into its `node_modules` when that is
//! missing or older than the lock file.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::{env, fs};

fn main() {
    let root =
        PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets the manifest dir"));
    println!("cargo:rerun-if-changed=web/bundle.mjs");
    bundle(&root, "graphiql", &["examples/operations"]);
    // The app's types and manifest are generated from the committed schema.
    bundle(&root, "app", &["schema.graphql", "web/app/tsconfig.json"]);
}

/// Builds `web/<name>` into `OUT_DIR/<name>` and writes the table of its files there.
fn bundle(root: &Path, name: &str, also_watched: &[&str]) {
    let web = root.join("web").join(name);
    for watched in ["src", "build.mjs", "package.json", "package-lock.json"] {
        println!("cargo:rerun-if-changed=web/{name}/{watched}");
    }
    for watched in also_watched {
        println!("cargo:rerun-if-changed={watched}");
    }
    if needs_install(&web) {
        run(
            Command::new(npm())
                .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
                .current_dir(&web),
            &format!("npm ci (web/{name})"),
        );
    }
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join(name);
    run(
        Command::new("node")
            .arg("build.mjs")
            .arg(&out)
            .current_dir(&web),
        &format!("node build.mjs (web/{name})"),
    );
    let manifest = fs::read_to_string(out.join("manifest.txt")).expect("the bundle has a manifest");
    let mut lines = manifest.lines();
    let version = lines.next().expect("the manifest starts with the version");

    let mut table = format!(
        "/// The bundle's version: a hash of its files.\npub const VERSION: &str = {version:?};\n\n"
    );
    table.push_str("/// The bundle's files: name, bytes, gzip and brotli copies.\npub static FILES: &[Asset] = &[\n");
    for file in lines.filter(|line| !line.is_empty()) {
        let path = |suffix: &str| out.join(format!("{file}{suffix}")).display().to_string();
        writeln!(
            table,
            "    Asset {{ name: {file:?}, raw: include_bytes!({:?}), gzip: include_bytes!({:?}), brotli: include_bytes!({:?}) }},",
            path(""),
            path(".gz"),
            path(".br"),
        )
        .expect("writing to a string");
    }
    table.push_str("];\n");
    fs::write(out.join("assets.rs"), table).expect("OUT_DIR is writable");
}

fn npm() -> &'static str {
    if cfg!(windows) { "npm.cmd" } else { "npm" }
}

/// Whether `npm ci` must run: no installed tree, or one older than the lock file.
fn needs_install(web: &Path) -> bool {
    let modified = |path: PathBuf| fs::metadata(path).and_then(|m| m.modified()).ok();
    match (
        modified(web.join("node_modules/.package-lock.json")),
        modified(web.join("package-lock.json")),
    ) {
        (Some(installed), Some(locked)) => installed < locked,
        _ => true,
    }
}

fn run(command: &mut Command, what: &str) {
    let status = command.status().unwrap_or_else(|e| {
        panic!("{what}: cannot start it ({e}). Building contactflow's GraphiQL and app needs Node.js 20 or later and npm on PATH.")
    });
    assert!(status.success(), "{what} failed with {status}");
}
