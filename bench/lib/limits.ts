/** What the machine allows: raw durable SQLite appends, raw grpc-js loopback unary calls, raw HTTP hello-world. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import * as grpc from '@grpc/grpc-js';
import { autocannon } from './install';
import { freePort, percentile, progress, startChild, sleep } from './util';

export interface SqliteLimits {
  fullCommitsPerS: number;
  fullEventsPerS: number;
  normalCommitsPerS: number;
  normalEventsPerS: number;
  readEventsPerS: number;
}

const EVENT = JSON.stringify({ nodeExecId: '3f1c2a4e-8d7b-4c55-9e1f-1a2b3c4d5e6f', nodeId: 'n12', attempt: 1, at: new Date(0).toISOString(), outputs: { output: ['x'] } });

/** Commits of 6 small events (one engine decision) in a WAL database on this disk, back to back, for `ms` per mode. */
export function sqliteLimits(ms: number): SqliteLimits {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agentry-bench-sqlite-'));
  try {
    const db = new Database(path.join(dir, 'raw.db'));
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE events (pos INTEGER PRIMARY KEY, stream TEXT NOT NULL, version INTEGER NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL, UNIQUE(stream, version))');
    const insert = db.prepare('INSERT INTO events (stream, version, type, data) VALUES (?, ?, ?, ?)');
    let stream = 0;
    const commit = db.transaction(() => {
      stream++;
      for (let v = 1; v <= 6; v++) insert.run(`execution-${stream}`, v, 'NodeExecutionCompleted', EVENT);
    });
    const run = (sync: 'FULL' | 'NORMAL') => {
      db.pragma(`synchronous = ${sync}`);
      const end = performance.now() + ms;
      let commits = 0;
      const start = performance.now();
      while (performance.now() < end) {
        commit();
        commits++;
      }
      const s = (performance.now() - start) / 1000;
      return { commits: commits / s, events: (commits * 6) / s };
    };
    const full = run('FULL');
    const normal = run('NORMAL');
    // Read-back rate: every row, parsed (what a replay must at least do).
    const total = (db.prepare('SELECT count(*) AS c FROM events').get() as { c: number }).c;
    const select = db.prepare('SELECT pos, stream, version, type, data FROM events ORDER BY pos');
    const r0 = performance.now();
    let n = 0;
    for (const row of select.iterate() as Iterable<{ data: string }>) {
      JSON.parse(row.data);
      n++;
    }
    const readEventsPerS = n / ((performance.now() - r0) / 1000);
    db.close();
    progress(`  sqlite: FULL ${Math.round(full.commits)} commits/s, NORMAL ${Math.round(normal.commits)} commits/s (6 events each), read ${Math.round(readEventsPerS)} events/s over ${total} rows`);
    return { fullCommitsPerS: full.commits, fullEventsPerS: full.events, normalCommitsPerS: normal.commits, normalEventsPerS: normal.events, readEventsPerS };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export interface GrpcLimits {
  sequentialCallsPerS: number;
  p50Ms: number;
  concurrentCallsPerS: number;
}

/** A trivial unary echo over loopback (server and client in this process, like the embedded platform). */
export async function grpcLimits(ms: number, concurrency = 16): Promise<GrpcLimits> {
  const id = (b: Buffer) => b;
  const def = { call: { path: '/bench.Echo/Call', requestStream: false, responseStream: false, requestSerialize: id, requestDeserialize: id, responseSerialize: id, responseDeserialize: id } };
  const server = new grpc.Server();
  server.addService(def as grpc.ServiceDefinition, { call: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => cb(null, call.request) });
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
  const Client = grpc.makeGenericClientConstructor(def as grpc.ServiceDefinition, 'Echo');
  const client = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as unknown as { call(req: Buffer, cb: (err: Error | null, res?: Buffer) => void): void; close(): void };
  const payload = Buffer.from(EVENT);
  const once = () => new Promise<void>((resolve, reject) => client.call(payload, (err) => (err ? reject(err) : resolve())));
  try {
    for (let i = 0; i < 200; i++) await once();
    const lat: number[] = [];
    let end = performance.now() + ms;
    const s0 = performance.now();
    while (performance.now() < end) {
      const s = performance.now();
      await once();
      lat.push(performance.now() - s);
    }
    const sequentialCallsPerS = lat.length / ((performance.now() - s0) / 1000);
    let done = 0;
    end = performance.now() + ms;
    const c0 = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (performance.now() < end) {
          await once();
          done++;
        }
      }),
    );
    const concurrentCallsPerS = done / ((performance.now() - c0) / 1000);
    const p50Ms = percentile(lat, 50);
    progress(`  grpc-js loopback unary: ${Math.round(sequentialCallsPerS)} sequential calls/s (p50 ${p50Ms.toFixed(3)} ms), ${Math.round(concurrentCallsPerS)} calls/s with ${concurrency} in flight`);
    return { sequentialCallsPerS, p50Ms, concurrentCallsPerS };
  } finally {
    client.close();
    server.forceShutdown();
  }
}

const HELLO = `require('node:http').createServer((req, res) => { req.resume(); req.on('end', () => { res.setHeader('content-type', 'application/json'); res.end('{"hello":"world"}'); }); }).listen(Number(process.env.PORT), '127.0.0.1', () => console.log('listening'));`;

/** A node:http hello-world server in its own process, loaded by autocannon the way the platforms are. */
export async function httpLimit(seconds: number, connections: number): Promise<{ requestsPerS: number; p50Ms: number; p99Ms: number }> {
  const port = await freePort();
  const child = startChild(process.execPath, ['-e', HELLO], { env: { ...process.env, PORT: String(port) } });
  try {
    await child.waitFor(/listening/, 10000);
    await sleep(100);
    const ac = await autocannon();
    const r = await ac({ url: `http://127.0.0.1:${port}/`, method: 'POST', body: '{}', headers: { 'content-type': 'application/json' }, connections, duration: seconds });
    progress(`  http hello-world: ${Math.round(r.requests.average)} req/s with ${connections} connections (p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms)`);
    return { requestsPerS: r.requests.average, p50Ms: r.latency.p50, p99Ms: r.latency.p99 };
  } finally {
    await child.stop('SIGKILL');
  }
}
