/**
 * `npx tsx bench/report.ts [bench/results/<file>.json]`: regenerates docs/benchmarks.md (generated part) and
 * docs/benchmarks.svg from a results file (default: the newest), and prints the table. No network.
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeDocs } from './lib/docs';
import { textTable, validateResults, type BenchResults } from './lib/results';
import { BENCH, REPO } from './lib/util';

const dir = path.join(BENCH, 'results');
const file =
  process.argv[2] ??
  fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => path.join(dir, f))
    .pop();
if (!file) throw new Error('no results in bench/results; run `npm run bench` first');
const results = JSON.parse(fs.readFileSync(file, 'utf8')) as BenchResults;
const errs = validateResults(results);
if (errs.length) throw new Error(`${file} does not validate: ${errs.join('; ')}`);
writeDocs(results, path.relative(REPO, path.resolve(file)));
process.stdout.write(`${textTable(results)}\n\ndocs/benchmarks.md and docs/benchmarks.svg regenerated from ${path.relative(REPO, path.resolve(file))}\n`);
