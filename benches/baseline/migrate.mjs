// The original TypeScript tooling's migration, reduced to its data path: open the
// LevelDB with classic-level, iterate every entry, JSON.parse each value, group the
// records by chainId and write one pretty-printed JSON file per chain. No validation,
// no snapshot copy (it opens the live folder, as the original did).
//
//   node migrate.mjs LEVELDB_DIR OUT_DIR

import fs from 'node:fs';
import path from 'node:path';
import { ClassicLevel } from 'classic-level';

const [dbDir, outDir] = process.argv.slice(2);
if (!dbDir || !outDir) {
  console.error('usage: node migrate.mjs LEVELDB_DIR OUT_DIR');
  process.exit(2);
}

const db = new ClassicLevel(dbDir, { keyEncoding: 'utf8', valueEncoding: 'utf8', createIfMissing: false });
await db.open();
const byChain = new Map();
let count = 0;
for await (const [key, value] of db.iterator()) {
  const record = JSON.parse(value);
  let doc = byChain.get(record.chainId);
  if (!doc) {
    doc = {
      schemaVersion: '3.0.0',
      chainId: record.chainId,
      networkName: record.networkName,
      contracts: {},
    };
    byChain.set(record.chainId, doc);
  }
  doc.contracts[record.contractName] = record;
  count++;
}
await db.close();

fs.mkdirSync(outDir, { recursive: true });
for (const [chainId, doc] of byChain) {
  fs.writeFileSync(path.join(outDir, `${chainId}.json`), JSON.stringify(doc, null, 2));
}
console.error(`migrate: ${count} records into ${byChain.size} files in ${outDir}`);
