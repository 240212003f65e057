#!/usr/bin/env bash
# What a user would script without lookcoin-state: the checks of `verify-chain`, one sequential foundry `cast`
# call at a time. The comparison baseline of benches/verify-vs-cast.sh (which gives it its inputs).
#
# Usage: bash benches/verify-with-cast.sh TARGETS.tsv RELAYS.tsv
#   TARGETS.tsv  chain <TAB> name <TAB> proxy <TAB> implementation <TAB> expected implementation hash
#   RELAYS.tsv   chain <TAB> JSON-RPC URL
#   CAST         the cast binary (default: the pinned npm one under fixtures/chain/node_modules)
#
# Per network: `cast chain-id` (the endpoint serves the chain) and `cast block-number` (every read at that block).
# Per record, at that block:
#   1. cast code PROXY                       the proxy exists
#   2. cast storage PROXY <EIP-1967 slot>    the slot holds the recorded implementation
#   3. cast code IMPL                        the implementation exists; its code normalised as the project's hash
#      + cast keccak                         rule does (the 32-byte words holding its own address zeroed, i.e. the
#                                            `__self` immutable; the CBOR metadata trailer stripped) hashes to the
#                                            recorded implementationHash
#   4. cast call IMPL "proxiableUUID()"      UUPS: answers the EIP-1967 slot
# Prints one line per failed check and a summary; exits 1 if any check failed.
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 TARGETS.tsv RELAYS.tsv" >&2
  exit 2
fi
targets=$1
relays=$2
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CAST=${CAST:-$root/fixtures/chain/node_modules/@foundry-rs/cast-linux-amd64/bin/cast}
SLOT=0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc
ZERO_WORD=0000000000000000000000000000000000000000000000000000000000000000

declare -A rpc block
failed=0
fail() {
  echo "FAIL chain $1 $2: $3"
  failed=$((failed + 1))
}

while IFS=$'\t' read -r chain url; do
  rpc[$chain]=$url
  actual=$("$CAST" chain-id --rpc-url "$url")
  if [ "$actual" != "$chain" ]; then
    fail "$chain" "-" "the endpoint serves chain $actual"
    continue
  fi
  block[$chain]=$("$CAST" block-number --rpc-url "$url")
done <"$relays"

records=0
while IFS=$'\t' read -r chain name proxy impl expected; do
  records=$((records + 1))
  url=${rpc[$chain]:?no endpoint for chain $chain}
  b=${block[$chain]:?no block for chain $chain}
  impl=${impl,,}
  # 1. proxy code
  proxy_code=$("$CAST" code "$proxy" --block "$b" --rpc-url "$url")
  [ "$proxy_code" != "0x" ] || fail "$chain" "$name" "proxy-missing: no code at $proxy"
  # 2. EIP-1967 implementation slot
  word=$("$CAST" storage "$proxy" "$SLOT" --block "$b" --rpc-url "$url")
  word=${word,,}
  [ "0x${word: -40}" = "$impl" ] || fail "$chain" "$name" "implementation-mismatch: slot holds $word"
  # 3. implementation code and its normalised hash
  code=$("$CAST" code "$impl" --block "$b" --rpc-url "$url")
  if [ "$code" = "0x" ]; then
    fail "$chain" "$name" "implementation-missing: no code at $impl"
  else
    hex=${code#0x}
    own="000000000000000000000000${impl#0x}"
    hex=${hex//$own/$ZERO_WORD}             # zero the immutables holding the contract's own address
    cbor=$((16#${hex: -4}))                 # the last 2 bytes: length of the CBOR metadata before them
    if [ $((2 * cbor + 4)) -le ${#hex} ]; then
      hex=${hex:0:$((${#hex} - 2 * cbor - 4))}
    fi
    actual=$("$CAST" keccak "0x$hex")
    [ "$actual" = "$expected" ] || fail "$chain" "$name" "code-hash-mismatch: $actual"
  fi
  # 4. proxiableUUID() on the implementation
  uuid=$("$CAST" call "$impl" "proxiableUUID()(bytes32)" --block "$b" --rpc-url "$url" 2>/dev/null || echo reverted)
  [ "${uuid,,}" = "$SLOT" ] || fail "$chain" "$name" "not-uups: proxiableUUID() gave $uuid"
done <"$targets"

echo "cast: $records records on ${#rpc[@]} networks, $failed failed checks"
[ "$failed" -eq 0 ]
