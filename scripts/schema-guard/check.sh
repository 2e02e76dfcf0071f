#!/usr/bin/env bash
# The breaking-change guard of schema.graphql. For each commit that changed schema.graphql,
# compares it with the commit's parent using GraphQL Inspector (`graphql-inspector diff`). A
# breaking change (a removed or renamed field, a type made stricter, …) fails unless that
# commit's message carries the marker below, which says the break is deliberate.
#
# usage: scripts/schema-guard/check.sh [REVISION-RANGE]
#   default range: every commit since the one that added this guard, so no commit that
#   landed unchecked is skipped however many land together
#   --working-tree: compares the uncommitted schema.graphql with HEAD's instead
# SCHEMA_GUARD_REPO: the repository to check (default: the one holding this script)
set -euo pipefail

MARKER='[breaking-schema]'
here="$(cd "$(dirname "$0")" && pwd)"
repo="${SCHEMA_GUARD_REPO:-$(git -C "$here" rev-parse --show-toplevel)}"

if [ ! -e "$here/node_modules/.package-lock.json" ] \
  || [ "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ]; then
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi
inspector="$here/node_modules/.bin/graphql-inspector"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Compares two schema files; prints the verdict; 0: compatible, 1: breaking, 2: error.
compare() {
  local output status=0
  output="$("$inspector" diff "$1" "$2" 2>&1)" || status=$?
  printf '%s\n' "$output" | sed 's/^/    /'
  if [ "$status" -eq 0 ]; then
    return 0
  elif printf '%s' "$output" | grep -q 'breaking change'; then
    return 1
  else
    return 2
  fi
}

if [ "${1:-}" = "--working-tree" ]; then
  git -C "$repo" show HEAD:schema.graphql > "$work/old.graphql"
  echo "schema-guard: HEAD → working tree"
  compare "$work/old.graphql" "$repo/schema.graphql" && exit 0
  echo "schema-guard: breaking change; commit it with $MARKER in the message if it is meant" >&2
  exit 1
fi

if [ -n "${1:-}" ]; then
  range="$1"
else
  added="$(git -C "$repo" log --format=%H --diff-filter=A -- scripts/schema-guard/check.sh | tail -n 1)"
  if [ -z "$added" ]; then
    echo "schema-guard: the guard is not committed yet; checking HEAD only"
    range="HEAD~1..HEAD"
  else
    range="$added~1..HEAD"
  fi
fi
if ! git -C "$repo" rev-parse --verify -q HEAD~1 >/dev/null; then
  echo "schema-guard: HEAD has no parent (shallow clone?): nothing to compare" >&2
  exit 1
fi

failed=0
checked=0
for commit in $(git -C "$repo" rev-list --reverse "$range" -- schema.graphql); do
  subject="$(git -C "$repo" log -1 --format='%h %s' "$commit")"
  if ! git -C "$repo" cat-file -e "$commit~1:schema.graphql" 2>/dev/null; then
    echo "schema-guard: $subject: first schema, nothing to compare"
    continue
  fi
  git -C "$repo" show "$commit~1:schema.graphql" > "$work/old.graphql"
  git -C "$repo" show "$commit:schema.graphql" > "$work/new.graphql"
  echo "schema-guard: $subject"
  checked=$((checked + 1))
  status=0
  compare "$work/old.graphql" "$work/new.graphql" || status=$?
  if [ "$status" -eq 1 ] && git -C "$repo" log -1 --format=%B "$commit" | grep -qF -- "$MARKER"; then
    echo "    breaking, and marked $MARKER: allowed"
  elif [ "$status" -ne 0 ]; then
    echo "schema-guard: $subject breaks the schema without $MARKER in its message" >&2
    failed=1
  fi
done
echo "schema-guard: $checked schema change(s) checked in $range"
exit "$failed"
