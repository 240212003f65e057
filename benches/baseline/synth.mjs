// Synthetic, deterministic building blocks for LookCoin deployment records.
//
// Every address and hash produced here comes from a seeded PRNG: none of them is a
// real on-chain value. Addresses are EIP-55 checksummed (keccak-256 over the
// lowercase hex, as the EIP specifies); hashes are 0x + 64 lowercase hex digits.
//
// NOTE: this file is a copy of fixtures/generator/synth.mjs (the benchmark baseline
// is a separate npm package). Keep the two identical apart from this note.

import { keccak_256 } from '@noble/hashes/sha3';

/** mulberry32: small, fast, deterministic 32-bit PRNG. */
export function makeRng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  const rng = {
    u32: next,
    /** integer in [lo, hi] inclusive */
    int(lo, hi) {
      return lo + (next() % (hi - lo + 1));
    },
    pick(arr) {
      return arr[next() % arr.length];
    },
    chance(p) {
      return next() / 0x100000000 < p;
    },
    bytes(n) {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i += 4) {
        const w = next();
        for (let j = 0; j < 4 && i + j < n; j++) out[i + j] = (w >>> (8 * j)) & 0xff;
      }
      return out;
    },
    hex(nBytes) {
      return Buffer.from(rng.bytes(nBytes)).toString('hex');
    },
    /** a valid EIP-55 checksummed address that contains both upper- and lowercase letters */
    address() {
      for (;;) {
        const a = toChecksumAddress('0x' + rng.hex(20));
        if (/[A-F]/.test(a) && /[a-f]/.test(a)) return a;
      }
    },
    /** 0x + 64 lowercase hex digits */
    hash() {
      return '0x' + rng.hex(32);
    },
  };
  return rng;
}

/** EIP-55: uppercase hex letter i when nibble i of keccak256(lowercase hex) is >= 8. */
export function toChecksumAddress(addr) {
  const lower = addr.toLowerCase().replace(/^0x/, '');
  if (!/^[0-9a-f]{40}$/.test(lower)) throw new Error(`not a 20-byte hex address: ${addr}`);
  const digest = Buffer.from(keccak_256(new TextEncoder().encode(lower))).toString('hex');
  let out = '0x';
  for (let i = 0; i < 40; i++) {
    const c = lower[i];
    out += parseInt(digest[i], 16) >= 8 ? c.toUpperCase() : c;
  }
  return out;
}

export function isChecksumAddress(addr) {
  return /^0x[0-9a-fA-F]{40}$/.test(addr) && toChecksumAddress(addr) === addr;
}

/** Flip the case of the first hex letter: a mixed-case address with a WRONG checksum. */
export function breakChecksum(addr) {
  const i = addr.slice(2).search(/[a-fA-F]/) + 2;
  const c = addr[i];
  const flipped = c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase();
  const out = addr.slice(0, i) + flipped + addr.slice(i + 1);
  if (isChecksumAddress(out)) throw new Error('checksum unexpectedly still valid');
  return out;
}

/**
 * Build a record object with the field order of the real data:
 * contractName, chainId, networkName, address, factoryByteCodeHash,
 * implementationHash?, proxyAddress?, deploymentArgs?, timestamp.
 * Optional fields are omitted when undefined (absent is not the same as empty).
 */
export function record({
  contractName,
  chainId,
  networkName,
  address,
  factoryByteCodeHash,
  implementationHash,
  proxyAddress,
  deploymentArgs,
  timestamp,
}) {
  const r = { contractName, chainId, networkName, address, factoryByteCodeHash };
  if (implementationHash !== undefined) r.implementationHash = implementationHash;
  if (proxyAddress !== undefined) r.proxyAddress = proxyAddress;
  if (deploymentArgs !== undefined) r.deploymentArgs = deploymentArgs;
  r.timestamp = timestamp;
  return r;
}

// The five real chains: chainId -> [Hardhat-style name (deploy helper), canonical name (saveDeployment)].
export const CHAINS = [
  [56, 'bsc', 'bscmainnet'],
  [97, 'bscTestnet', 'bsctestnet'],
  [84532, 'baseSepolia', 'basesepolia'],
  [11155420, 'opSepolia', 'optimismsepolia'],
  [23295, 'sapphireTestnet', 'sapphiretestnet'],
];

/**
 * The i-th record of a large synthetic database (used by fixtures/leveldb/large-10k and
 * by the benchmark's make-db.mjs). Values are 300-550 bytes of compact JSON.
 * `pools` comes from makeLargePools(rng) so that hashes repeat the way they do in real
 * data (one bytecode hash per contract kind, shared across chains).
 */
export function makeLargePools(rng) {
  const codeHashes = Array.from({ length: 64 }, () => rng.hash());
  const perChain = new Map(
    CHAINS.map(([id]) => [id, { governance: rng.address(), lookcoinProxy: rng.address(), endpoint: rng.address() }]),
  );
  return { codeHashes, perChain };
}

export function largeRecord(i, rng, pools) {
  const [chainId, helperName, canonicalName] = CHAINS[i % CHAINS.length];
  const p = pools.perChain.get(chainId);
  const contractName = 'Contract' + String(i).padStart(5, '0');
  const hash = pools.codeHashes[i % pools.codeHashes.length];
  const helper = rng.chance(0.7); // 70 % deploy-helper style, 30 % saveDeployment style
  let deploymentArgs;
  if (helper) {
    const kind = rng.int(0, 4);
    if (kind === 0) deploymentArgs = [p.governance];
    else if (kind === 1) deploymentArgs = [p.governance, String(rng.int(1, 99)) + '000000000000000000000000'];
    else if (kind === 2) deploymentArgs = [p.lookcoinProxy, p.endpoint, p.governance];
    else if (kind === 3) deploymentArgs = [p.lookcoinProxy, rng.address(), rng.address(), p.governance];
    else deploymentArgs = [p.governance, [56, 8453, 10, 9070], rng.int(0, 10000), rng.chance(0.5)];
  }
  return record({
    contractName,
    chainId,
    networkName: helper ? helperName : canonicalName,
    address: rng.address(),
    factoryByteCodeHash: hash,
    implementationHash: rng.chance(0.85) ? hash : undefined,
    proxyAddress: rng.chance(0.9) ? rng.address() : undefined,
    deploymentArgs,
    timestamp: 1753000000000 + i * 150000 + rng.int(0, 99999),
  });
}
