import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export interface MockProviderStats {
  authorizationCode: number;
  refresh: number;
  revoke: number;
  /** The `scope` parameter of the last /authorize request. */
  lastRequestedScope: string;
}

export interface MockProvider {
  url: string;
  stats(): Promise<MockProviderStats>;
  failRefresh(value: boolean): void;
  /** The consent screen grants everything asked for except these (until called again). */
  denyScopes(scopes: string[]): Promise<void>;
  expiresIn(seconds: number): void;
  close(): Promise<void>;
}

/** Starts oauth2-mock-server in a child process (it is ESM-only) on a free port. */
export async function startMockProvider(): Promise<MockProvider> {
  const child: ChildProcess = fork(path.join(__dirname, 'oauth-provider.mjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`oauth mock exited with ${code}`)));
    child.once('message', (m: { ready?: boolean; url?: string }) => (m.ready ? resolve(m.url!) : reject(new Error('unexpected message'))));
  });
  child.removeAllListeners('exit');
  const stats = () =>
    new Promise<MockProviderStats>((resolve) => {
      child.once('message', (m: { stats: MockProviderStats }) => resolve(m.stats));
      child.send({ cmd: 'stats' });
    });
  return {
    url,
    stats,
    failRefresh: (value) => child.send({ cmd: 'failRefresh', value }),
    expiresIn: (value) => child.send({ cmd: 'expiresIn', value }),
    // IPC is ordered: once a stats round trip is back, the child has applied the setting.
    denyScopes: async (value) => {
      child.send({ cmd: 'denyScopes', value });
      await stats();
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.send({ cmd: 'stop' });
      }),
  };
}
