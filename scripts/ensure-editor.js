#!/usr/bin/env node
// Builds the editor (apps/editor/dist) before `npm start` when it is missing or older than its sources,
// so `npm install && npm start` serves the UI on a fresh clone. Prints progress; never fails the start:
// without a build the gateway still serves the API and says how to build the editor.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const editor = path.resolve(__dirname, '../apps/editor');
const dist = path.join(editor, 'dist', 'index.html');

function newest(dir) {
  let latest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
  }
  return latest;
}

if (!fs.existsSync(path.join(editor, 'package.json'))) process.exit(0);
const builtAt = fs.existsSync(dist) ? fs.statSync(dist).mtimeMs : 0;
const sourcesAt = Math.max(newest(path.join(editor, 'src')), fs.statSync(path.join(editor, 'index.html')).mtimeMs);
if (builtAt >= sourcesAt) process.exit(0);
process.stderr.write('agentry: building the editor (apps/editor) …\n');
const result = spawnSync('npm', ['run', 'build', '-w', '@agentry/editor', '--silent'], { stdio: 'inherit', cwd: path.resolve(__dirname, '..') });
if (result.status !== 0) {
  // Before tests a broken editor build is a failure; before `npm start` the API still comes up without it.
  if (process.argv.includes('--strict')) process.exit(1);
  process.stderr.write('agentry: the editor build failed; starting with the API only\n');
}
