/**
 * `npx tsx bench/gateway/run.ts [--seconds=10] [--connections=16]`
 *
 * Requests per second of an authenticated `GET /api/v1/executions/{id}` on the whole embedded platform, against a
 * bare express hello-world measured the same way in the same run; prints the ratio and writes
 * bench/gateway/results/<timestamp>.json. The gateway path includes request id, helmet, token verification (ES256),
 * membership check, rate limiting and a gRPC round trip to the execution service.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import express from 'express';
import { SERVICE_NAMES } from '@agentry/config';
import { startPlatform } from '../../apps/embedded/src/platform';

const arg = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const seconds = arg('seconds', 10);
const connections = arg('connections', 16);

async function measure(url: string, headers: Record<string, string> = {}) {
  const result = await autocannon({ url, connections, duration: seconds, headers });
  return { requestsPerSecond: Math.round(result.requests.average), latencyP50Ms: result.latency.p50, latencyP99Ms: result.latency.p99, non2xx: result.non2xx, errors: result.errors };
}

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agentry-bench-gw-'));
  const env: NodeJS.ProcessEnv = { AGENTRY_DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', AGENTRY_ADMIN_EMAIL: 'bench@example.test', AGENTRY_ADMIN_PASSWORD: 'bench-password' };
  for (const s of SERVICE_NAMES) env[`AGENTRY_${s.toUpperCase().replace('-', '_')}_GRPC_PORT`] = '0';
  // The bench measures throughput, not the limiter.
  process.env.AGENTRY_RATE_LIMIT_PER_TENANT = '0';
  const platform = await startPlatform(env);
  const hello = http.createServer(express().get('/', (_req, res) => void res.send('Hello world')));
  try {
    const post = async (p: string, body: unknown, token?: string) => {
      const res = await fetch(platform.url + p, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
      return (await res.json()) as Record<string, string>;
    };
    const { accessToken } = await post('/api/v1/auth/login', { email: 'bench@example.test', password: 'bench-password' });
    const graph = await post(
      '/api/v1/graphs',
      {
        name: 'Bench',
        nodes: [
          { id: 'in', blockId: 'c0a8e994-ebf1-4a9c-a4d8-89d09c86741b', inputDefault: { name: 'topic' } },
          { id: 'out', blockId: '363ae599-353e-4804-937e-b2ee3cef3da4', inputDefault: { name: 'out' } },
        ],
        links: [{ sourceId: 'in', sourceName: 'result', sinkId: 'out', sinkName: 'value' }],
      },
      accessToken,
    );
    const { executionId } = await post(`/api/v1/graphs/${graph.id}/execute`, { inputs: { topic: 'bench' } }, accessToken);
    for (let i = 0; i < 200; i++) {
      const e = (await (await fetch(`${platform.url}/api/v1/executions/${executionId}`, { headers: { authorization: `Bearer ${accessToken}` } })).json()) as { status: string };
      if (e.status === 'COMPLETED') break;
      await new Promise((r) => setTimeout(r, 25));
    }
    await new Promise<void>((r) => hello.listen(0, '127.0.0.1', () => r()));
    const helloUrl = `http://127.0.0.1:${(hello.address() as { port: number }).port}/`;

    console.log(`measuring ${seconds}s each with ${connections} connections…`);
    const baseline = await measure(helloUrl);
    const gateway = await measure(`${platform.url}/api/v1/executions/${executionId}`, { authorization: `Bearer ${accessToken}` });
    const ratio = Math.round((gateway.requestsPerSecond / baseline.requestsPerSecond) * 1000) / 1000;
    const results = { at: new Date().toISOString(), node: process.version, cpus: os.cpus().length, seconds, connections, baseline: { route: 'GET / (bare express hello-world)', ...baseline }, gateway: { route: 'GET /api/v1/executions/{id} (authenticated)', ...gateway }, ratio };
    console.table({ 'express hello-world': baseline, 'gateway GET execution': gateway });
    console.log(`ratio gateway / hello-world: ${ratio}`);
    const out = path.join(__dirname, 'results', `${results.at.replace(/[:.]/g, '-')}.json`);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, JSON.stringify(results, null, 2) + '\n');
    console.log(`wrote ${path.relative(process.cwd(), out)}`);
  } finally {
    hello.close();
    await platform.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
