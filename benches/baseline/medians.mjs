// Prints the median (and its 95 % confidence interval) of every criterion benchmark under a criterion
// output folder, as a Markdown table. Criterion's console line shows the mean; RESULTS.md quotes medians.
//
//   node benches/baseline/medians.mjs [CRITERION_DIR=target/criterion]

import fs from 'node:fs';
import path from 'node:path';

const root = process.argv[2] ?? 'target/criterion';
const rows = [];
const walk = (dir) => {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === 'new' && fs.existsSync(path.join(full, 'estimates.json'))) {
        const bench = JSON.parse(fs.readFileSync(path.join(full, 'benchmark.json'), 'utf8'));
        const est = JSON.parse(fs.readFileSync(path.join(full, 'estimates.json'), 'utf8'));
        rows.push({ id: bench.full_id, n: Number(bench.value_str), median: est.median });
      } else if (entry.name !== 'report' && entry.name !== 'base' && entry.name !== 'change') {
        walk(full);
      }
    }
  }
};
if (!fs.existsSync(root)) {
  console.error(`${root} does not exist: run cargo bench --bench pipeline first`);
  process.exit(2);
}
walk(root);
rows.sort((a, b) => a.id.split('/')[0].localeCompare(b.id.split('/')[0]) || a.n - b.n || a.id.localeCompare(b.id));

const ms = (ns) => (ns >= 1e9 ? `${(ns / 1e9).toFixed(3)} s` : `${(ns / 1e6).toFixed(2)} ms`);
console.log('| benchmark | median | 95 % CI of the median | records/s |');
console.log('| --- | ---: | ---: | ---: |');
for (const r of rows) {
  const ci = r.median.confidence_interval;
  const rate = Number.isFinite(r.n) && r.n > 0 ? Math.round(r.n / (r.median.point_estimate / 1e9)).toLocaleString('en') : '';
  console.log(`| ${r.id} | ${ms(r.median.point_estimate)} | ${ms(ci.lower_bound)} - ${ms(ci.upper_bound)} | ${rate} |`);
}
