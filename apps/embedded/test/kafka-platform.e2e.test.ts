/**
 * The whole platform with Kafka as its event log (AGENTRY_EVENT_LOG=kafka; node tasks on a private nats-server, as
 * in production): sign in, save a graph, run it, then restart the platform on the same log and find everything
 * rebuilt from Kafka. Runs against KAFKA_BROKERS when set, otherwise the Kafka-protocol test broker.
 */
import path from 'node:path';
import { startKafkaTestBroker, type KafkaTestBroker } from '@agentry/kafka-test-broker';
import { natsServerAvailable, NATS_SERVER_BIN, startNatsServer, type PrivateNatsServer } from '../src/cluster/nats';
import type { Platform } from '../src/platform';
import { api, greetingGraph, login, startTestPlatform, tempDataDir, waitForExecution } from './support';

const available = natsServerAvailable();
if (!available) process.stdout.write(`kafka-platform: skipped: ${NATS_SERVER_BIN} is missing (install nats-server)\n`);
const external = (process.env.KAFKA_BROKERS ?? '')
  .split(',')
  .map((b) => b.trim())
  .filter(Boolean);

(available ? describe : describe.skip)('the platform on a Kafka event log', () => {
  let broker: KafkaTestBroker | undefined;
  let nats: PrivateNatsServer | undefined;
  let platform: Platform | undefined;
  const dataDir = tempDataDir();

  afterAll(async () => {
    await platform?.close();
    await nats?.stop();
    await broker?.close();
  }, 60_000);

  it('runs a graph with every event in Kafka, and rebuilds graphs and executions from Kafka after a restart', async () => {
    nats = await startNatsServer({ storeDir: path.join(dataDir, 'nats') });
    if (external.length === 0) broker = await startKafkaTestBroker();
    const env = {
      AGENTRY_EVENT_LOG: 'kafka',
      KAFKA_BROKERS: (external.length > 0 ? external : broker!.brokers).join(','),
      NATS_URL: nats.url,
    };
    platform = await startTestPlatform(dataDir, env);
    let token = await login(platform.url);
    const created = await api(platform.url, 'POST', '/api/v1/graphs', greetingGraph(), token);
    expect(created.status).toBe(201);
    const graphId = created.json.id as string;
    const started = await api(
      platform.url,
      'POST',
      `/api/v1/graphs/${graphId}/execute`,
      { inputs: { topic: 'Kafka' } },
      token,
    );
    expect(started.status).toBe(202);
    const executionId = started.json.executionId as string;
    const done = await waitForExecution(platform.url, token, executionId);
    expect(done.status).toBe('COMPLETED');
    expect(JSON.stringify(done)).toContain('Hello Kafka!');

    await platform.close();
    platform = undefined;
    platform = await startTestPlatform(dataDir, env);
    token = await login(platform.url);
    const graph = await api(platform.url, 'GET', `/api/v1/graphs/${graphId}`, undefined, token);
    expect(graph.status).toBe(200);
    expect(graph.json.name).toBe('Greeting');
    const again = await api(platform.url, 'GET', `/api/v1/executions/${executionId}`, undefined, token);
    expect(again.status).toBe(200);
    expect(again.json.status).toBe('COMPLETED');
    expect(JSON.stringify(again.json)).toContain('Hello Kafka!');
    const listed = await api(platform.url, 'GET', `/api/v1/executions?graphId=${graphId}`, undefined, token);
    expect(listed.json.items.map((e: { id: string }) => e.id)).toContain(executionId);
  }, 180_000);
});
