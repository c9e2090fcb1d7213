#!/usr/bin/env node
// Regenerates libs/proto-ts/src/gen from proto/ with buf + ts-proto (both from npm, works offline).
// --check: generate into a temp dir and fail if the committed code differs (run by `npm test`).
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const committed = path.join(root, 'libs/proto-ts/src/gen');
const check = process.argv.includes('--check');
const buf = path.join(root, 'node_modules/.bin/buf');

function generate(outDir) {
  const template = fs.readFileSync(path.join(root, 'buf.gen.yaml'), 'utf8').replace('out: libs/proto-ts/src/gen', `out: ${outDir}`);
  execFileSync(buf, ['generate', '--template', template], { cwd: root, stdio: 'inherit' });
}

function listFiles(dir, base = dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(path.join(dir, e.name), base) : [path.relative(base, path.join(dir, e.name))],
  );
}

if (!check) {
  generate(committed);
  console.log(`generated ${listFiles(committed).length} files into libs/proto-ts/src/gen`);
  process.exit(0);
}
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'agentry-proto-'));
try {
  generate(tmp);
  const want = listFiles(tmp).sort();
  const have = listFiles(committed).sort();
  const stale = want.filter((f) => !have.includes(f) || fs.readFileSync(path.join(tmp, f), 'utf8') !== fs.readFileSync(path.join(committed, f), 'utf8'));
  const extra = have.filter((f) => !want.includes(f));
  if (stale.length || extra.length) {
    console.error(`libs/proto-ts is stale (run npm run proto): ${[...stale, ...extra].join(', ')}`);
    process.exit(1);
  }
  console.log(`proto-ts is current (${want.length} files)`);
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
