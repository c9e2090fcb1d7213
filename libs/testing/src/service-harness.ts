import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EventStore } from '@agentry/event-log';
import { createSqliteEventLog, type SqliteEventLog } from '@agentry/event-log/src/sqlite';
import { connect, type AsyncClient } from '@agentry/grpc';
import type { Client } from '@grpc/grpc-js';
import { createLogger, type Logger } from '@agentry/observability';

/** What a service under test is started with: a fresh SQLite event log in a temp folder and a silent logger. */
export interface ServiceDeps {
  events: EventStore;
  logger: Logger;
  dir: string;
}

export interface ServiceHarness<S> {
  readonly dir: string;
  readonly log: SqliteEventLog;
  readonly service: S;
  /** A gRPC client of the service, one per client class (closed before the service in afterAll). */
  client<C extends Client>(ctor: Parameters<typeof connect<C>>[0]): AsyncClient<C>;
}

/**
 * One service over a real socket, for the per-service gRPC round-trip tests: registers jest hooks that start it on
 * a fresh SQLite log in beforeAll and, in afterAll, close its clients, the service and the log, then remove the folder.
 */
export function serviceHarness<S extends { address: string; close(): Promise<void> }>(
  name: string,
  start: (deps: ServiceDeps) => Promise<S>,
  options: { pollIntervalMs?: number } = {},
): ServiceHarness<S> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `agentry-${name}-`));
  let log: SqliteEventLog | undefined;
  let service: S | undefined;
  const clients = new Map<unknown, { close(): void }>();
  beforeAll(async () => {
    log = createSqliteEventLog({ path: path.join(dir, 'events.db'), ...(options.pollIntervalMs ? { pollIntervalMs: options.pollIntervalMs } : {}) });
    service = await start({ events: log.events, logger: createLogger({ name: 'test', level: 'silent' }), dir });
  });
  afterAll(async () => {
    for (const c of clients.values()) c.close();
    await service?.close();
    await log?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error(`${name}: used before beforeAll started it`);
    return value;
  };
  return {
    dir,
    get log() {
      return started(log);
    },
    get service() {
      return started(service);
    },
    client<C extends Client>(ctor: Parameters<typeof connect<C>>[0]): AsyncClient<C> {
      const existing = clients.get(ctor);
      if (existing) return existing as AsyncClient<C>;
      const c = connect<C>(ctor, started(service).address);
      clients.set(ctor, c);
      return c;
    },
  };
}
