import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteEventLog, type SqliteEventLog } from '@agentry/event-log/src/sqlite';

/** A fresh SQLite event log + work queue in a temp dir (the real embedded adapter). */
export function tempSqliteLog(): {
  log: SqliteEventLog;
  path: string;
  reopen(): SqliteEventLog;
  dispose(): Promise<void>;
} {
  const dir = mkdtempSync(join(tmpdir(), 'agentry-exec-'));
  const path = join(dir, 'log.db');
  const opened: SqliteEventLog[] = [];
  const open = () => {
    const log = createSqliteEventLog({ path, pollIntervalMs: 20 });
    opened.push(log);
    return log;
  };
  return {
    log: open(),
    path,
    reopen: open,
    dispose: async () => {
      for (const l of opened) await l.close().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
