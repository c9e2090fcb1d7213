/** On-demand installs into bench/.cache (outside git), pinned by version, with progress and a time bound. */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { CACHE, progress, runCommand } from './util';

export const PINS = {
  autocannon: '9.0.0',
  'node-red': '5.0.7',
  n8n: '2.41.1',
  node24: '24.9.0',
};

function installedVersion(dir: string, pkg: string): string | undefined {
  try {
    return String(JSON.parse(fs.readFileSync(path.join(dir, 'node_modules', pkg, 'package.json'), 'utf8')).version).replace(/^v/, '');
  } catch {
    return undefined;
  }
}

/**
 * Makes sure `pkg@version` is installed in bench/.cache/<folder>. `approveScripts` runs the dependencies'
 * install scripts (npm 11 skips them unless approved), needed for native modules.
 */
export async function ensureInstalled(folder: string, pkg: string, version: string, opts: { timeoutMs: number; env?: NodeJS.ProcessEnv; approveScripts?: boolean; npmArgs?: string[]; rebuild?: string[] }): Promise<string> {
  const dir = path.join(CACHE, folder);
  const lock = path.join(dir, '.installing');
  // Another bench process is installing into the same folder: wait for it rather than racing it.
  for (let waited = 0; fs.existsSync(lock) && alive(Number(fs.readFileSync(lock, 'utf8'))) && waited < opts.timeoutMs; waited += 5000) {
    if (waited % 60_000 === 0) progress(`  waiting for another install of ${pkg} in ${folder} (pid ${fs.readFileSync(lock, 'utf8').trim()})`);
    await new Promise((r) => setTimeout(r, 5000));
  }
  if (installedVersion(dir, pkg) === version && fs.existsSync(path.join(dir, '.bench-installed'))) return dir;
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(lock, String(process.pid));
  try {
    return await install(dir, folder, pkg, version, opts);
  } finally {
    fs.rmSync(lock, { force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function install(dir: string, folder: string, pkg: string, version: string, opts: { timeoutMs: number; env?: NodeJS.ProcessEnv; approveScripts?: boolean; npmArgs?: string[]; rebuild?: string[] }): Promise<string> {
  if (!fs.existsSync(path.join(dir, 'package.json'))) fs.writeFileSync(path.join(dir, 'package.json'), '{ "private": true }\n');
  progress(`installing ${pkg}@${version} into ${path.relative(process.cwd(), dir)} (log: ${folder}/install.log; bound ${Math.round(opts.timeoutMs / 60000)} min)`);
  const log = path.join(dir, 'install.log');
  const npm = (args: string[]) => runCommand('npm', [...args, ...(opts.npmArgs ?? [])], { cwd: dir, env: opts.env, timeoutMs: opts.timeoutMs, log });
  const r = await npm(['install', '--no-audit', '--no-fund', '--loglevel=error', `${pkg}@${version}`]);
  if (r.code !== 0) throw new Error(`npm install ${pkg}@${version} failed (exit ${r.code}): ${r.tail.slice(-1500)}`);
  // npm 11 may skip dependencies' install scripts until approved: approve them and rebuild (native modules).
  if (opts.approveScripts && /install-scripts/.test(fs.readFileSync(log, 'utf8'))) {
    const a = await npm(['install-scripts', 'approve', '--all']);
    if (a.code !== 0) progress(`  npm install-scripts approve failed (${a.code}); continuing: ${a.tail.slice(-300)}`);
    progress(`  building native modules of ${pkg} (npm rebuild)`);
    const b = await npm(['rebuild']);
    if (b.code !== 0) throw new Error(`npm rebuild in ${dir} failed (exit ${b.code}): ${b.tail.slice(-1500)}`);
  }
  if (opts.rebuild?.length) {
    progress(`  building ${opts.rebuild.join(', ')} from source`);
    const b = await runCommand('npm', ['rebuild', ...opts.rebuild, ...(opts.npmArgs ?? []).filter((a) => a !== '--ignore-scripts')], { cwd: dir, env: opts.env, timeoutMs: opts.timeoutMs, log: path.join(dir, 'rebuild.log') });
    if (b.code !== 0) throw new Error(`npm rebuild ${opts.rebuild.join(' ')} failed (exit ${b.code}): ${b.tail.slice(-1500)}`);
  }
  fs.writeFileSync(path.join(dir, '.bench-installed'), `${pkg}@${version}\n`);
  progress(`  ${pkg}@${version} installed`);
  return dir;
}

export interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  duration: number;
  '2xx': number;
}
export type Autocannon = (opts: Record<string, unknown>) => Promise<AutocannonResult>;

let cannon: Autocannon | undefined;
export async function autocannon(): Promise<Autocannon> {
  if (cannon) return cannon;
  const dir = await ensureInstalled('tools', 'autocannon', PINS.autocannon, { timeoutMs: 5 * 60_000 });
  cannon = createRequire(path.join(dir, 'package.json'))('autocannon') as Autocannon;
  return cannon;
}
