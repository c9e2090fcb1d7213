import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CliError } from './errors';

/** What `agentry login` remembers between runs. Holds a bearer token: written with mode 0600. */
export interface CliConfig {
  url?: string;
  token?: string;
  refreshToken?: string;
  expiresAt?: string;
  email?: string;
  tenantId?: string;
}

export const DEFAULT_URL = 'http://localhost:8080';

export function configPath(env: NodeJS.ProcessEnv): string {
  if (env.AGENTRY_CONFIG) return path.resolve(env.AGENTRY_CONFIG);
  const base = env.XDG_CONFIG_HOME || path.join(env.HOME || os.homedir(), '.config');
  return path.join(base, 'agentry', 'config.json');
}

export function readConfig(file: string): CliConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new CliError(`cannot read the config file ${file}: ${(err as Error).message}`);
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
    return parsed as CliConfig;
  } catch (err) {
    throw new CliError(
      `the config file ${file} is not valid JSON (${(err as Error).message})`,
      1,
      'fix or delete it, then run `agentry login`',
    );
  }
}

/** Writes atomically (temp file + rename) so a crash never leaves half a token, and never more readable than 0600. */
export function writeConfig(file: string, config: CliConfig): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, file);
}
