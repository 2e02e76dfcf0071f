//! The layer rules of docs/ARCHITECTURE.md, read off the source: which module may name which,
//! that `graphql` builds no SQL, that no input path is spelled below `graphql`, that the files
//! of `src/http` import each other without a circle, and that no file grows past 400 lines.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::support::tools::repo;

/// A source file: its module path (`http::operation::gate`) and its code without comments.
struct Source {
    module: Vec<String>,
    code: String,
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            walk(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}

/// The module a file under `src/` holds.
fn module_of(relative: &Path) -> Vec<String> {
    let mut parts: Vec<String> = relative
        .iter()
        .map(|part| part.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().unwrap();
    let stem = last.trim_end_matches(".rs");
    if !matches!(stem, "mod" | "lib" | "main") {
        parts.push(stem.to_owned());
    }
    parts
}

fn without_comments(text: &str) -> String {
    text.lines()
        .map(|line| match line.find("//") {
            Some(at) if !line[..at].contains('"') => &line[..at],
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The test-only modules a file declares (`#[cfg(test)] mod tests;`).
fn test_children(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    lines
        .windows(2)
        .filter(|pair| pair[0] == "#[cfg(test)]")
        .filter_map(|pair| pair[1].strip_prefix("mod ")?.strip_suffix(';'))
        .map(str::to_owned)
        .collect()
}

fn sources() -> BTreeMap<PathBuf, Source> {
    let root = repo("src");
    let mut files = Vec::new();
    walk(&root, &mut files);
    // The binary's own root is another crate.
    files.retain(|file| !file.ends_with("main.rs"));
    let mut read = BTreeMap::new();
    let mut test_only = BTreeSet::new();
    for path in files {
        let mut text = std::fs::read_to_string(&path).unwrap();
        let relative = path.strip_prefix(&root).unwrap().to_path_buf();
        let module = module_of(&relative);
        for child in test_children(&text) {
            let mut child_module = module.clone();
            child_module.push(child);
            test_only.insert(child_module);
        }
        // Unit tests inline at the end of a file: there `super` means the file itself.
        if let Some(tests) = text.find("#[cfg(test)]\nmod tests {") {
            text.truncate(tests);
        }
        let code = without_comments(&text);
        read.insert(relative, Source { module, code });
    }
    read.retain(|_, source| !test_only.contains(&source.module));
    read
}

/// The child modules a file declares (`mod x;`).
fn children(code: &str) -> Vec<String> {
    code.lines()
        .filter_map(|line| {
            let line = line.trim();
            let line = line.strip_prefix("pub ").unwrap_or(line);
            let name = line.strip_prefix("mod ")?.strip_suffix(';')?;
            Some(name.trim().to_owned())
        })
        .collect()
}

/// Every path a file names that starts at `crate`, `super`, `self` or one of its own child
/// modules (as `self::child`), with `use` groups (`use super::{a, b::c}`) expanded.
fn named_paths(code: &str) -> Vec<Vec<String>> {
    let own = children(code);
    let mut paths = Vec::new();
    let bytes = code.as_bytes();
    let mut at = 0;
    while at < code.len() {
        let rest = &code[at..];
        let boundary = at == 0
            || !(bytes[at - 1].is_ascii_alphanumeric()
                || bytes[at - 1] == b'_'
                || bytes[at - 1] == b':');
        let start = ["crate::", "super::", "self::"]
            .iter()
            .any(|start| rest.starts_with(start))
            || own
                .iter()
                .any(|child| rest.starts_with(&format!("{child}::")));
        if !(start && boundary) {
            at += rest.chars().next().map_or(1, char::len_utf8);
            continue;
        }
        let end = path_end(rest);
        let mut found = Vec::new();
        expand(&rest[..end], &mut Vec::new(), &mut found);
        for mut path in found {
            if own.contains(&path[0]) {
                path.insert(0, "self".to_owned());
            }
            paths.push(path);
        }
        at += end.max(1);
    }
    paths
}

/// Where a path that starts `text` ends: after its last name, or after the group `{…}` it ends
/// with.
fn path_end(text: &str) -> usize {
    let mut depth = 0;
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 1 => return i + 1,
            '}' => depth -= 1,
            _ if depth > 0 => {}
            c if c.is_ascii_alphanumeric() || c == '_' || c == ':' => {}
            _ => return i,
        }
    }
    text.len()
}

/// Expands `a::{b, c::{d}}` into `a::b`, `a::c::d`.
fn expand(text: &str, prefix: &mut Vec<String>, into: &mut Vec<Vec<String>>) {
    let text = text.trim();
    match text.find('{') {
        None => {
            let mut path = prefix.clone();
            path.extend(
                text.split("::")
                    .map(str::trim)
                    .filter(|part| !part.is_empty())
                    .map(|part| part.split_whitespace().next().unwrap_or("").to_owned()),
            );
            into.push(path);
        }
        Some(open) => {
            let head: Vec<String> = text[..open]
                .split("::")
                .map(str::trim)
                .filter(|part| !part.is_empty())
                .map(str::to_owned)
                .collect();
            let close = text.rfind('}').unwrap_or(text.len());
            let inner = &text[open + 1..close];
            let mut depth = 0;
            let mut start = 0;
            let mut items = Vec::new();
            for (i, c) in inner.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        items.push(&inner[start..i]);
                        start = i + 1;
                    }
                    _ => {}
                }
            }
            items.push(&inner[start..]);
            let depth_before = prefix.len();
            prefix.extend(head);
            for item in items.into_iter().filter(|item| !item.trim().is_empty()) {
                expand(item, prefix, into);
            }
            prefix.truncate(depth_before);
        }
    }
}

/// The module a path names, as an absolute module path, from the module `from`.
fn absolute(from: &[String], path: &[String]) -> Vec<String> {
    let mut base: Vec<String> = Vec::new();
    let mut rest = path;
    match path.first().map(String::as_str) {
        Some("crate") => rest = &path[1..],
        Some("self") => {
            base = from.to_vec();
            rest = &path[1..];
        }
        Some("super") => {
            // In a file `x.rs` or `x/mod.rs`, `super` is the module holding `x`.
            base = from.to_vec();
            while rest.first().map(String::as_str) == Some("super") {
                base.pop();
                rest = &rest[1..];
            }
        }
        _ => {}
    }
    base.extend(rest.iter().cloned());
    base
}

/// The file of the deepest module `path` names, among `files`.
fn file_of(path: &[String], modules: &BTreeMap<Vec<String>, PathBuf>) -> Option<PathBuf> {
    (0..=path.len())
        .rev()
        .find_map(|length| modules.get(&path[..length]).cloned())
}

/// The modules each file names, as absolute module paths.
fn imports(sources: &BTreeMap<PathBuf, Source>) -> BTreeMap<PathBuf, Vec<Vec<String>>> {
    sources
        .iter()
        .map(|(file, source)| {
            let named = named_paths(&source.code)
                .into_iter()
                .map(|path| absolute(&source.module, &path))
                .collect();
            (file.clone(), named)
        })
        .collect()
}

#[test]
fn the_inner_layers_never_name_the_outer_ones() {
    let sources = sources();
    let imports = imports(&sources);
    let layers: [(&str, &[&str]); 5] = [
        (
            "domain",
            &[
                "entity",
                "service",
                "graphql",
                "http",
                "reminders",
                "events",
                "seed",
                "app",
                "db",
            ],
        ),
        (
            "entity",
            &[
                "service",
                "graphql",
                "http",
                "reminders",
                "events",
                "seed",
                "app",
            ],
        ),
        (
            "service",
            &["graphql", "http", "reminders", "events", "seed", "app"],
        ),
        ("reminders", &["graphql", "http", "seed", "app"]),
        ("events", &["graphql", "http", "seed", "app"]),
    ];
    for (file, source) in &sources {
        for (layer, forbidden) in layers {
            if source.module.first().map(String::as_str) != Some(layer) {
                continue;
            }
            for path in &imports[file] {
                let top = path.first().map(String::as_str).unwrap_or_default();
                assert!(
                    !forbidden.contains(&top),
                    "{} ({layer}) names {}",
                    file.display(),
                    path.join("::")
                );
            }
            for framework in ["axum", "async_graphql", "async_graphql_axum", "tower_http"] {
                assert!(
                    !source.code.contains(&format!("{framework}::")),
                    "{} ({layer}) uses {framework}",
                    file.display()
                );
            }
            if layer == "domain" {
                assert!(
                    !source.code.contains("sea_orm"),
                    "{} uses sea_orm",
                    file.display()
                );
            }
        }
    }
}

#[test]
fn graphql_builds_no_sql_and_only_it_spells_input_paths() {
    for (file, source) in &sources() {
        let top = source
            .module
            .first()
            .map(String::as_str)
            .unwrap_or_default();
        if top == "graphql" {
            for sql in [
                "::find(",
                "Statement",
                "QueryFilter",
                "EntityTrait",
                "sea_query",
            ] {
                assert!(
                    !source.code.contains(sql),
                    "{} builds SQL ({sql})",
                    file.display()
                );
            }
        }
        if matches!(
            top,
            "domain" | "service" | "entity" | "reminders" | "events" | "seed" | "db"
        ) {
            assert!(
                !source.code.contains("\"input\""),
                "{} spells an input path",
                file.display()
            );
        }
    }
}

#[test]
fn the_files_of_http_import_each_other_without_a_circle() {
    let sources = sources();
    let modules: BTreeMap<Vec<String>, PathBuf> = sources
        .iter()
        .map(|(file, source)| (source.module.clone(), file.clone()))
        .collect();
    let imports = imports(&sources);
    let mut edges: BTreeMap<PathBuf, BTreeSet<PathBuf>> = BTreeMap::new();
    for (file, source) in &sources {
        if source.module.first().map(String::as_str) != Some("http") {
            continue;
        }
        let targets = imports[file]
            .iter()
            .filter(|path| path.first().map(String::as_str) == Some("http"))
            .filter_map(|path| file_of(path, &modules))
            .filter(|target| target != file)
            .collect::<BTreeSet<_>>();
        // A child of a module names its siblings, never what its parent file declares itself.
        let parent = &source.module[..source.module.len().saturating_sub(1)];
        if let Some(parent_file) = modules.get(parent) {
            assert!(
                !targets.contains(parent_file),
                "{} names its parent's internals ({})",
                file.display(),
                parent_file.display()
            );
        }
        edges.insert(file.clone(), targets);
    }
    assert!(edges.len() > 20, "the http files were read: {edges:?}");
    fn visit(
        file: &PathBuf,
        edges: &BTreeMap<PathBuf, BTreeSet<PathBuf>>,
        trail: &mut Vec<PathBuf>,
        done: &mut BTreeSet<PathBuf>,
    ) {
        if let Some(start) = trail.iter().position(|seen| seen == file) {
            let circle: Vec<String> = trail[start..]
                .iter()
                .chain(std::iter::once(file))
                .map(|f| f.display().to_string())
                .collect();
            panic!("a circle of imports: {}", circle.join(" → "));
        }
        if !done.insert(file.clone()) {
            return;
        }
        trail.push(file.clone());
        for next in edges.get(file).into_iter().flatten() {
            visit(next, edges, trail, done);
        }
        trail.pop();
    }
    let mut done = BTreeSet::new();
    for file in edges.keys() {
        visit(file, &edges, &mut Vec::new(), &mut done);
    }
}

#[test]
fn no_source_file_passes_four_hundred_lines() {
    let mut files = Vec::new();
    walk(&repo("src"), &mut files);
    assert!(files.len() > 100, "the sources were read");
    for file in files {
        let lines = std::fs::read_to_string(&file).unwrap().lines().count();
        assert!(
            lines <= 400,
            "{} has {lines} lines: split it along what it does",
            file.display()
        );
    }
}

#[test]
fn the_path_reader_expands_groups_and_resolves_super() {
    let paths = named_paths("use super::{state::HttpState, operation::{Prepared, gate}};");
    let joined: Vec<String> = paths.iter().map(|p| p.join("::")).collect();
    assert_eq!(
        joined,
        [
            "super::state::HttpState",
            "super::operation::Prepared",
            "super::operation::gate"
        ]
    );
    let from = vec!["http".to_owned(), "endpoint".to_owned()];
    assert_eq!(absolute(&from, &paths[0]), ["http", "state", "HttpState"]);
}

/// The tables that belong to a company (every one with a `company_id` but `refresh_tokens`,
/// which a sign-in reads before it knows the company).
const COMPANY_OWNED: [&str; 18] = [
    "activity",
    "activity_type",
    "activity_type_name",
    "contact",
    "contact_event",
    "idempotency_record",
    "membership",
    "pending_activity",
    "reminder_state",
    "stage",
    "stage_activity_rule",
    "stage_change",
    "stage_name",
    "todo",
    "transition",
    "webhook",
    "webhook_delivery",
    "workflow",
];

#[test]
fn service_reads_and_writes_company_rows_only_through_the_company_scope() {
    for (file, source) in &sources() {
        let in_service = source.module.first().is_some_and(|top| top == "service");
        let scope = source.module == ["service", "company"];
        // Which companies a person may work for is the one question asked across companies.
        let across = source.module == ["service", "companies"];
        if !in_service || scope {
            continue;
        }
        for table in COMPANY_OWNED {
            if across && table == "membership" {
                continue;
            }
            for call in [
                "::Entity::find",
                "::Entity::update",
                "::Entity::delete",
                "::Entity::insert_many",
            ] {
                let spelled = format!("{table}{call}");
                let hit = source.code.match_indices(&spelled).any(|(at, _)| {
                    // `activity::Entity` inside `pending_activity::Entity` is another table.
                    at == 0
                        || !source.code[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_')
                });
                assert!(
                    !hit,
                    "{} calls {spelled} directly: go through service::company",
                    file.display()
                );
            }
        }
        assert!(
            !source.code.contains("E::find()") && !source.code.contains("E::find_by_id("),
            "{} finds rows of any table directly: go through service::company",
            file.display()
        );
    }
}
