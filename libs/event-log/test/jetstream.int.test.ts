import { connect, headers, type NatsConnection } from 'nats';
import { eventStoreContract, snapshotStoreContract, workQueueContract, type EventLogFixture } from '../src/contract';
import { createJetStreamEventLog, type JetStreamEventLog } from '../src/jetstream';
import { natsServerAvailable, NATS_SERVER_BIN, startNatsServer, type PrivateNatsServer } from './fixtures/nats-server';

const available = natsServerAvailable();
if (!available)
  console.warn(`JetStream adapter tests skipped: no nats-server binary at ${NATS_SERVER_BIN} (set NATS_SERVER_BIN)`);
const describeIfServer = available ? describe : describe.skip;

describeIfServer('JetStream adapter', () => {
  let server: PrivateNatsServer;
  let admin: NatsConnection;
  let fixtures = 0;

  beforeAll(async () => {
    server = await startNatsServer();
    admin = await connect({ servers: server.url });
  });
  afterAll(async () => {
    await admin?.close();
    await server?.stop();
  });

  /** Each fixture gets its own prefix (so its own streams) on the private server, deleted afterwards. */
  async function jetStreamFixture(): Promise<EventLogFixture> {
    const prefix = `t${++fixtures}`;
    const opened: JetStreamEventLog[] = [];
    return {
      async connect() {
        const log = await createJetStreamEventLog({
          servers: server.url,
          prefix,
          fetchExpiresMs: 200,
          storage: 'memory',
        });
        opened.push(log);
        return log;
      },
      async dispose() {
        await Promise.all(opened.map((log) => log.close()));
        const jsm = await admin.jetstreamManager();
        for await (const name of jsm.streams.names()) {
          if (name.startsWith(`${prefix.toUpperCase()}_`) || name === `KV_${prefix.toUpperCase()}_SNAPSHOTS`)
            await jsm.streams.delete(name);
        }
      },
    };
  }

  eventStoreContract('jetstream', jetStreamFixture);
  workQueueContract('jetstream', jetStreamFixture);
  snapshotStoreContract('jetstream', jetStreamFixture);

  describe('jetstream specifics', () => {
    const connectTo = async (prefix: string) =>
      createJetStreamEventLog({ servers: server.url, prefix, fetchExpiresMs: 200, storage: 'memory' });

    it('keeps one log sequence across categories: positions are message sequence * 1000 + index', async () => {
      const log = await connectTo('spec1');
      try {
        const a = await log.events.append(
          'order-1',
          [
            { type: 'A', data: 1 },
            { type: 'B', data: 2 },
          ],
          { expectedVersion: 0, tenantId: 't' },
        );
        const b = await log.events.append('execution-1', [{ type: 'C', data: 3 }], {
          expectedVersion: 0,
          tenantId: 't',
        });
        expect(a.events.map((e) => e.globalPosition)).toEqual([1000, 1001]);
        expect(b.events[0].globalPosition).toBe(2000);
        expect(await log.events.headPosition()).toBe(2000);
        const jsm = await admin.jetstreamManager();
        const info = await jsm.streams.info(log.names.eventsStream);
        expect(info.state.messages).toBe(2); // one message per append: atomic without batch publish
      } finally {
        await log.close();
      }
    });

    it('reports an undecodable commit as CORRUPT_EVENT naming its position; other streams keep working', async () => {
      const log = await connectTo('spec2');
      try {
        await log.events.append('order-1', [{ type: 'A', data: 1 }], { expectedVersion: 0, tenantId: 't' });
        const h = headers();
        h.set('Agentry-Stream-Version', '1');
        const js = admin.jetstream();
        const ack = await js.publish(
          log.names.eventSubject('order', 'order-2'),
          new TextEncoder().encode('{"s":"order-2","v":1,"e":[{"i":'),
          { headers: h },
        );
        await expect(log.events.readStream('order-2')).rejects.toMatchObject({
          code: 'CORRUPT_EVENT',
          details: expect.objectContaining({ globalPosition: ack.seq * 1000 }),
        });
        expect(await log.events.readStream('order-1')).toHaveLength(1);
        await expect(
          log.events.append('order-1', [{ type: 'B', data: 2 }], { expectedVersion: 1, tenantId: 't' }),
        ).resolves.toMatchObject({ nextVersion: 2 });
      } finally {
        await log.close();
      }
    });
  });
});
