#!/usr/bin/env bash
# verify-chain versus what a user would script: the same checks of N = 26 contracts on 5 networks, through relays
# with the strictest realistic provider profile (batches of at most 10, 5 MB bodies, 300 requests a minute per
# endpoint; properties/relay.rs Profile::OpPublic) that also add 50 ms to every HTTP request, timed (a) with `lookcoin-state verify-chain` and (b) with sequential
# foundry `cast` calls (benches/verify-with-cast.sh). Prints both wall times, the ratio, and the requests and round
# trips each made per network (counted by the relays).
#
# Usage (from a fresh clone):
#   (cd fixtures/chain && npm ci) && cargo build --release && bash benches/verify-vs-cast.sh
# Environment: RUNS (verify-chain runs, median taken; default 5), CAST_RUNS (cast runs; default 1),
#   N (contracts per network; default 26), DELAY_MS (per request; default 50).
#
# The set-up is the verify bench's own (`benches/verify.rs --lab DIR`): 5 anvil nodes (56, 97, 84532, 11155420,
# 23295), N real DemoToken + DemoProxy deployments each, their records in a LevelDB folder, one relay per node
# (properties/relay.rs), all on 127.0.0.1. verify-chain is told the limits (--max-batch 10 --rps 5 --burst 300).
# Every timed run starts with a fresh rate window (the lab's `reset`). Every process this script starts is stopped
# on exit.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

RUNS=${RUNS:-5}
CAST_RUNS=${CAST_RUNS:-1}
N=${N:-26}
DELAY_MS=${DELAY_MS:-50}
CAST=${CAST:-$PWD/fixtures/chain/node_modules/@foundry-rs/cast-linux-amd64/bin/cast}
ANVIL=fixtures/chain/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil
TOOL=${CARGO_TARGET_DIR:-target}/release/lookcoin-state

for bin in "$CAST" "${LOOKCOIN_ANVIL:-$ANVIL}"; do
  if [ ! -x "$bin" ]; then
    echo "missing $bin: run (cd fixtures/chain && npm ci) first" >&2
    exit 2
  fi
done

work=$(mktemp -d)
lab_pid=""
cast_pid=""
cleanup() {
  if [ -n "$cast_pid" ]; then
    pkill -P "$cast_pid" 2>/dev/null || true # its running cast call
    kill "$cast_pid" 2>/dev/null || true
  fi
  exec 3>&- 2>/dev/null || true # end of input: the lab stops its relays and nodes and exits
  if [ -n "$lab_pid" ]; then
    for _ in $(seq 50); do kill -0 "$lab_pid" 2>/dev/null || break; sleep 0.1; done
    kill "$lab_pid" 2>/dev/null || true # SIGTERM: the lab's reaper kills its nodes
    wait "$lab_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

echo "==> building (release: the tool; bench profile: the set-up helper)"
cargo build --release --locked --quiet
bench_bin=$(cargo bench --locked --bench verify --no-run --message-format=json 2>/dev/null |
  grep -o '"executable":"[^"]*/verify-[^"]*"' | tail -1 | sed 's/^"executable":"//; s/"$//')
if [ -z "$bench_bin" ] || [ ! -x "$bench_bin" ]; then
  echo "could not build the verify bench (cargo bench --bench verify --no-run)" >&2
  exit 3
fi

echo "==> set-up: 5 anvil nodes, $N pairs each, relays adding $DELAY_MS ms per request"
mkfifo "$work/ctl"
"$bench_bin" --lab "$work" --n "$N" --delay-ms "$DELAY_MS" <"$work/ctl" >"$work/lab.log" 2>&1 &
lab_pid=$!
exec 3>"$work/ctl"
for _ in $(seq 1200); do
  [ -e "$work/ready" ] && break
  if ! kill -0 "$lab_pid" 2>/dev/null; then
    echo "the set-up failed:" >&2
    cat "$work/lab.log" >&2
    exit 3
  fi
  sleep 0.1
done
[ -e "$work/ready" ] || { echo "the set-up did not finish within 120 s" >&2; exit 3; }
records=$(wc -l <"$work/targets.tsv")

# counts LABEL: the relays' cumulative counters into $work/counts-LABEL.tsv (chain, round trips, requests)
counts() {
  echo "counts $1" >&3
  for _ in $(seq 100); do [ -e "$work/counts-$1.tsv" ] && return; sleep 0.05; done
  echo "the lab did not write its counters" >&2
  exit 3
}
# reset: every relay's rate window starts afresh
reset() {
  rm -f "$work/reset-done"
  echo reset >&3
  for _ in $(seq 100); do [ -e "$work/reset-done" ] && return; sleep 0.05; done
  echo "the lab did not reset its relays" >&2
  exit 3
}
# per_network BEFORE AFTER RUNS: round trips and requests per network and per run
per_network() {
  awk -F'\t' -v runs="$3" 'NR == FNR { rt[$1] = $2; rq[$1] = $3; next }
    { printf "    chain %8s: %g round trips, %g requests per run\n", $1, ($2 - rt[$1]) / runs, ($3 - rq[$1]) / runs }' \
    "$work/counts-$1.tsv" "$work/counts-$2.tsv"
}
now() { date +%s%N; }
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

rpc_flags=()
while IFS=$'\t' read -r chain url; do rpc_flags+=(--rpc "$chain=$url"); done <"$work/relays.tsv"

echo "==> (a) $TOOL verify-chain, $RUNS runs"
counts a0
: >"$work/a.ms"
for i in $(seq "$RUNS"); do
  reset
  t0=$(now)
  status=0
  "$TOOL" verify-chain "$work/leveldb" "${rpc_flags[@]}" --max-batch 10 --rps 5 --burst 300 --format json \
    >"$work/a.json" || status=$?
  t1=$(now)
  verdict=$(grep -o '"verdict": *"[a-z-]*"' "$work/a.json" | head -1)
  if [ "$status" -ne 0 ]; then
    echo "verify-chain exited $status ($verdict)" >&2
    exit 1
  fi
  echo $(((t1 - t0) / 1000000)) >>"$work/a.ms"
  echo "    run $i: $(tail -1 "$work/a.ms") ms, exit $status, $verdict"
done
counts a1

echo "==> (b) benches/verify-with-cast.sh (sequential cast calls), $CAST_RUNS runs"
counts b0
: >"$work/b.ms"
for i in $(seq "$CAST_RUNS"); do
  reset
  t0=$(now)
  # In the background and waited for, so that a signal stops this script at once (the trap then stops it).
  CAST="$CAST" bash benches/verify-with-cast.sh "$work/targets.tsv" "$work/relays.tsv" >"$work/b.out" &
  cast_pid=$!
  wait "$cast_pid" || { cat "$work/b.out" >&2; exit 1; }
  cast_pid=""
  t1=$(now)
  echo $(((t1 - t0) / 1000000)) >>"$work/b.ms"
  echo "    run $i: $(tail -1 "$work/b.ms") ms, $(tail -1 "$work/b.out")"
done
counts b1

a_ms=$(median <"$work/a.ms")
b_ms=$(median <"$work/b.ms")
echo
echo "== $records records ($N per network, 5 networks), $DELAY_MS ms added per HTTP request, $(date -u +%FT%TZ)"
echo "(a) lookcoin-state verify-chain: median $a_ms ms over $RUNS runs ($(paste -sd' ' "$work/a.ms") ms)"
per_network a0 a1 "$RUNS"
echo "(b) sequential cast script:      median $b_ms ms over $CAST_RUNS runs ($(paste -sd' ' "$work/b.ms") ms)"
per_network b0 b1 "$CAST_RUNS"
awk -v a="$a_ms" -v b="$b_ms" 'BEGIN { r = b / a; printf "ratio (b)/(a): %.1fx (target: at least 20x) -> %s\n", r, (r >= 20 ? "met" : "NOT met") }'
