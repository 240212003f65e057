#!/usr/bin/env bash
# Times the original Node tooling's migration (migrate.mjs: classic-level + JSON) against
# `lookcoin-state migrate` on the same LevelDB, and prints median wall times and the ratio.
#
#   benches/baseline/compare.sh [DB_DIR]
#
# Environment:
#   RECORDS=100000      records in the generated database
#   RUNS=5              timed runs of each tool (after one untimed warm-up run each)
#   LOOKCOIN_BIN=...    default: <repo>/target/release/lookcoin-state
#   BASELINE_ONLY=1     time only the Node baseline (e.g. before the Rust binary exists)
#   REBUILD=1           rebuild DB_DIR even if it already holds a database
#
# DB_DIR defaults to /tmp/lookcoin-bench-db-$RECORDS and is built with make-db.mjs when it
# does not exist. The Node baseline opens DB_DIR directly (as the original tool did); the
# Rust tool copies the folder before opening it. Every run writes into a fresh output dir.
set -euo pipefail
shopt -s inherit_errexit

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$HERE/../.." && pwd)"
RECORDS="${RECORDS:-100000}"
RUNS="${RUNS:-5}"
DB="${1:-/tmp/lookcoin-bench-db-$RECORDS}"
LOOKCOIN_BIN="${LOOKCOIN_BIN:-$REPO_ROOT/target/release/lookcoin-state}"
BASELINE_ONLY="${BASELINE_ONLY:-0}"
REBUILD="${REBUILD:-0}"

die() { echo "compare.sh: $*" >&2; exit 1; }

[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer, got '$RUNS'"
[[ "$RECORDS" =~ ^[0-9]+$ ]] || die "RECORDS must be a non-negative integer, got '$RECORDS'"
command -v node >/dev/null || die "node is not installed"
if [[ "$BASELINE_ONLY" != 1 && ! -x "$LOOKCOIN_BIN" ]]; then
  die "$LOOKCOIN_BIN is not an executable: build it (cargo build --release), set LOOKCOIN_BIN, or set BASELINE_ONLY=1"
fi

if [[ ! -d "$HERE/node_modules/classic-level" ]]; then
  echo "installing the baseline's Node packages (npm ci)" >&2
  (cd "$HERE" && npm ci --no-audit --no-fund >&2)
fi

if [[ "$REBUILD" == 1 || ! -f "$DB/CURRENT" ]]; then
  echo "building $DB with $RECORDS records" >&2
  node "$HERE/make-db.mjs" "$DB" "$RECORDS"
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/lookcoin-compare.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

now_ns() { date +%s%N; }

# run_timed LABEL CMD... : runs CMD once, with "{OUT}" replaced by a fresh output dir,
# and prints the wall time in nanoseconds.
run_timed() {
  local parent out
  parent="$(mktemp -d "$WORK/run.XXXXXX")"
  out="$parent/out" # does not exist yet
  local args=() a
  for a in "$@"; do args+=("${a//\{OUT\}/$out}"); done
  local t0 t1
  t0="$(now_ns)"
  if ! "${args[@]}" >"$WORK/last.stdout" 2>"$WORK/last.stderr"; then
    echo "command failed: ${args[*]}" >&2
    cat "$WORK/last.stderr" >&2
    exit 1
  fi
  t1="$(now_ns)"
  rm -rf "$parent"
  echo $((t1 - t0))
}

median_ns() { sort -n | awk '{v[NR]=$1} END {if (NR % 2) print v[(NR+1)/2]; else printf "%.0f\n", (v[NR/2] + v[NR/2+1]) / 2}'; }
ms() { awk -v n="$1" 'BEGIN {printf "%.1f", n / 1e6}'; }

bench() {
  local label="$1"; shift
  run_timed "$@" >/dev/null # warm-up (page cache, and the baseline's first open of the DB)
  local times=() i t
  for ((i = 1; i <= RUNS; i++)); do
    t="$(run_timed "$@")"
    times+=("$t")
    echo "  $label run $i: $(ms "$t") ms" >&2
  done
  printf '%s\n' "${times[@]}" | median_ns
}

echo "database: $DB ($(du -sh "$DB" | cut -f1)), $RECORDS records, $RUNS runs each" >&2

base_ns="$(bench baseline node "$HERE/migrate.mjs" "$DB" "{OUT}")"
echo "baseline (node migrate.mjs) median: $(ms "$base_ns") ms"

if [[ "$BASELINE_ONLY" == 1 ]]; then
  echo "lookcoin-state: skipped (BASELINE_ONLY=1)"
  exit 0
fi

ours_ns="$(bench lookcoin-state "$LOOKCOIN_BIN" migrate --leveldb "$DB" --out "{OUT}" --force --format json)"
echo "lookcoin-state migrate median: $(ms "$ours_ns") ms"
awk -v b="$base_ns" -v o="$ours_ns" 'BEGIN {printf "ratio baseline/ours: %.2f\n", b / o}'
