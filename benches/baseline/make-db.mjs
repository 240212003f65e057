// Writes N valid synthetic LookCoin deployment records into a new LevelDB folder with
// classic-level (C++ LevelDB), in the same style as fixtures/leveldb/large-10k.
//
//   node make-db.mjs OUT_DIR [N=100000]
//
// Deterministic (seeded PRNG). OUT_DIR must not exist yet, or be an earlier output of
// this script (it is deleted and recreated). After writing, the database is opened and
// closed once more so that everything sits in tables and the log is empty: both tools
// under comparison then read the same steady state.

import fs from 'node:fs';
import path from 'node:path';
import { ClassicLevel } from 'classic-level';
import { makeRng, makeLargePools, largeRecord } from './synth.mjs';

const [outDir, nArg] = process.argv.slice(2);
if (!outDir) {
  console.error('usage: node make-db.mjs OUT_DIR [N=100000]');
  process.exit(2);
}
const N = nArg === undefined ? 100000 : Number(nArg);
if (!Number.isInteger(N) || N < 0 || N > 99999 * 5) {
  console.error(`N must be an integer in 0..${99999 * 5}, got ${nArg}`);
  process.exit(2);
}

if (fs.existsSync(outDir)) {
  const entries = fs.readdirSync(outDir);
  if (entries.length && !entries.includes('CURRENT')) {
    console.error(`${outDir} exists and is not a LevelDB folder: refusing to delete it`);
    process.exit(2);
  }
  fs.rmSync(outDir, { recursive: true, force: true });
}
fs.mkdirSync(path.dirname(path.resolve(outDir)), { recursive: true });

const rng = makeRng(0x4004); // same seed as large-10k: its records are a prefix of these
const pools = makeLargePools(rng);
const keyOf = (r) => `${r.chainId}-${r.contractName}`;

const db = new ClassicLevel(outDir, { keyEncoding: 'utf8', valueEncoding: 'utf8' });
await db.open();
const BATCH = 1000;
for (let start = 0; start < N; start += BATCH) {
  const ops = [];
  for (let i = start; i < Math.min(N, start + BATCH); i++) {
    const r = largeRecord(i, rng, pools);
    ops.push({ type: 'put', key: keyOf(r), value: JSON.stringify(r) });
  }
  await db.batch(ops);
}
await db.close();

// flush the write-ahead log into a table
const again = new ClassicLevel(outDir);
await again.open();
await again.close();
console.error(`make-db: wrote ${N} records to ${outDir}`);
