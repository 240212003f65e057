#!/usr/bin/env bash
# Times the original Node tooling's migration (migrate.mjs: classic-level + JSON.stringify, one file per chain)
# against `lookcoin-state migrate` on the same LevelDB, whole processes, and prints median wall times and the
# ratio. Then (INSPECT=1, the default) times `lookcoin-state inspect --format json` of the LevelDB against the
# same command on the migrated JSON folder.
#
#   benches/baseline/compare.sh [DB_DIR]
#
# Environment:
#   RECORDS=100000      records in the generated database
#   RUNS=5              timed runs of each command (after one untimed warm-up run each)
#   LOOKCOIN_BIN=...    default: <repo>/target/release/lookcoin-state (build it with cargo build --release)
#   BASELINE_ONLY=1     time only the Node baseline (e.g. before the Rust binary exists)
#   INSPECT=0           skip the inspect comparison
#   REBUILD=1           rebuild DB_DIR even if it already holds a database
#
# DB_DIR defaults to /tmp/lookcoin-bench-db-$RECORDS and is built with make-db.mjs when it does not exist
# (its records are byte for byte those benches/pipeline.rs generates). The Node baseline opens DB_DIR directly
# (as the original tool did); the Rust tool copies the folder before opening it. Every migrate run writes into a
# fresh output folder. The two commands of a comparison run in turn (A B A B ...), so that a machine whose speed
# drifts during the script slows both alike; the ratio is printed both as the ratio of the medians and as the
# median of the per-pair ratios. Times are wall-clock, taken with `date +%s%N` around each process.
set -euo pipefail
shopt -s inherit_errexit

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$HERE/../.." && pwd)"
RECORDS="${RECORDS:-100000}"
RUNS="${RUNS:-5}"
DB="${1:-/tmp/lookcoin-bench-db-$RECORDS}"
LOOKCOIN_BIN="${LOOKCOIN_BIN:-$REPO_ROOT/target/release/lookcoin-state}"
BASELINE_ONLY="${BASELINE_ONLY:-0}"
INSPECT="${INSPECT:-1}"
REBUILD="${REBUILD:-0}"
TARGET_RATIO=5 # the issue's target: end to end at least 5x faster than the baseline

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

# run_timed MAX_OK CMD... : runs CMD once, with "{OUT}" replaced by a fresh output folder (which does not exist
# yet), its stdout discarded, and prints the wall time in nanoseconds. An exit status above MAX_OK is a failure
# (lookcoin-state exits 1 for "completed with findings", which still is a completed run).
run_timed() {
  local max_ok="$1"; shift
  local parent out
  parent="$(mktemp -d "$WORK/run.XXXXXX")"
  out="$parent/out"
  local args=() a
  for a in "$@"; do args+=("${a//\{OUT\}/$out}"); done
  local t0 t1 status=0
  t0="$(now_ns)"
  "${args[@]}" >/dev/null 2>"$WORK/last.stderr" || status=$?
  t1="$(now_ns)"
  if ((status > max_ok)); then
    echo "command failed (exit $status): ${args[*]}" >&2
    cat "$WORK/last.stderr" >&2
    exit 1
  fi
  rm -rf "$parent"
  echo $((t1 - t0))
}

median() { sort -g | awk '{v[NR]=$1} END {if (NR % 2) print v[(NR+1)/2]; else printf "%.6f\n", (v[NR/2] + v[NR/2+1]) / 2}'; }
ms() { awk -v n="$1" 'BEGIN {printf "%.1f", n / 1e6}'; }

# time_one LABEL MAX_OK CMD... : one warm-up, then RUNS timed runs; prints the median in nanoseconds.
time_one() {
  local label="$1" max_ok="$2"; shift 2
  run_timed "$max_ok" "$@" >/dev/null # warm-up (page cache)
  local times=() i t
  for ((i = 1; i <= RUNS; i++)); do
    t="$(run_timed "$max_ok" "$@")"
    times+=("$t")
    echo "  $label run $i: $(ms "$t") ms" >&2
  done
  printf '%s\n' "${times[@]}" | median
}

# time_pair LABEL_A LABEL_B : times the commands in the arrays A_CMD (A_OK) and B_CMD (B_OK) in turn, one warm-up
# of each, then RUNS pairs. Sets A_MED, B_MED (nanoseconds) and PAIR_RATIO (median of B/A over the pairs).
time_pair() {
  local label_a="$1" label_b="$2"
  run_timed "$A_OK" "${A_CMD[@]}" >/dev/null
  run_timed "$B_OK" "${B_CMD[@]}" >/dev/null
  local ta=() tb=() ratios=() i a b
  for ((i = 1; i <= RUNS; i++)); do
    a="$(run_timed "$A_OK" "${A_CMD[@]}")"
    b="$(run_timed "$B_OK" "${B_CMD[@]}")"
    ta+=("$a"); tb+=("$b")
    ratios+=("$(awk -v a="$a" -v b="$b" 'BEGIN {printf "%.6f", b / a}')")
    echo "  run $i: $label_a $(ms "$a") ms, $label_b $(ms "$b") ms" >&2
  done
  A_MED="$(printf '%s\n' "${ta[@]}" | median)"
  B_MED="$(printf '%s\n' "${tb[@]}" | median)"
  PAIR_RATIO="$(printf '%s\n' "${ratios[@]}" | median)"
}

echo "database: $DB ($(du -sh "$DB" | cut -f1)), $RUNS runs each, $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)" >&2

if [[ "$BASELINE_ONLY" == 1 ]]; then
  base_ns="$(time_one baseline 0 node "$HERE/migrate.mjs" "$DB" "{OUT}")"
  echo "baseline (node migrate.mjs) median: $(ms "$base_ns") ms"
  echo "lookcoin-state: skipped (BASELINE_ONLY=1)"
  exit 0
fi

A_CMD=(node "$HERE/migrate.mjs" "$DB" "{OUT}"); A_OK=0
B_CMD=("$LOOKCOIN_BIN" migrate --leveldb "$DB" --out "{OUT}" --format json); B_OK=1
time_pair baseline lookcoin-state
echo "baseline (node migrate.mjs) median: $(ms "$A_MED") ms"
echo "lookcoin-state migrate median: $(ms "$B_MED") ms"
awk -v b="$A_MED" -v o="$B_MED" -v p="$PAIR_RATIO" -v t="$TARGET_RATIO" 'BEGIN {
  r = b / o
  printf "ratio baseline/ours: %.2f (median of per-pair ratios: %.2f); target >= %d: %s\n",
    r, 1 / p, t, (r >= t ? "met" : "missed")
}'

if [[ "$INSPECT" == 1 ]]; then
  JSON="$WORK/json"
  "$LOOKCOIN_BIN" migrate --leveldb "$DB" --out "$JSON" --format json >/dev/null || (($? == 1)) ||
    die "could not migrate $DB for the inspect comparison"
  A_CMD=("$LOOKCOIN_BIN" inspect --format json "$DB"); A_OK=0
  B_CMD=("$LOOKCOIN_BIN" inspect --format json "$JSON"); B_OK=0
  time_pair inspect-leveldb inspect-json
  echo "lookcoin-state inspect --format json, LevelDB median: $(ms "$A_MED") ms"
  echo "lookcoin-state inspect --format json, migrated JSON median: $(ms "$B_MED") ms"
  awk -v a="$A_MED" -v b="$B_MED" -v p="$PAIR_RATIO" 'BEGIN {
    printf "ratio json/leveldb: %.2f (median of per-pair ratios: %.2f); target <= 1: %s\n",
      b / a, p, (b <= a ? "met" : "missed")
  }'
fi
