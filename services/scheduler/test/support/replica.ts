// One scheduler replica in its own process, on a shared SQLite file. Its clock is driven by the parent over IPC.
import { createSqliteEventLog } from '@agentry/event-log/src/sqlite';
import { createLogger } from '@agentry/observability';
import { startSchedulerService } from '../../src';

async function main(): Promise<void> {
  const [dbPath, executionAddress, startAt, name] = process.argv.slice(2);
  let now = new Date(startAt);
  const log = createSqliteEventLog({ path: dbPath, pollIntervalMs: 20 });
  const service = await startSchedulerService({
    events: log.events,
    logger: createLogger({ name, level: 'silent' }),
    executionAddress,
    tickMs: 0,
    replica: name,
    clock: { now: () => now },
  });
  const stop = async () => {
    await service.close();
    await log.close();
    process.exit(0);
  };
  process.on('message', (msg: { tick?: string; stop?: boolean }) => {
    if (msg.stop) return void stop();
    if (msg.tick) {
      now = new Date(msg.tick);
      service.tick(now).then(
        (fired) => process.send!({ tick: msg.tick, fired }),
        (err: unknown) => process.send!({ tick: msg.tick, error: String(err) }),
      );
    }
  });
  process.on('disconnect', () => void stop());
  process.send!({ ready: true, address: service.address });
}

main().catch((err: unknown) => {
  process.stderr.write(`replica failed: ${String(err)}\n`);
  process.exit(1);
});
