import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export interface MockProvider {
  url: string;
  stats(): Promise<{ authorizationCode: number; refresh: number; revoke: number }>;
  failRefresh(value: boolean): void;
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
  return {
    url,
    stats: () =>
      new Promise((resolve) => {
        child.once('message', (m: { stats: { authorizationCode: number; refresh: number; revoke: number } }) => resolve(m.stats));
        child.send({ cmd: 'stats' });
      }),
    failRefresh: (value) => child.send({ cmd: 'failRefresh', value }),
    expiresIn: (value) => child.send({ cmd: 'expiresIn', value }),
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.send({ cmd: 'stop' });
      }),
  };
}
