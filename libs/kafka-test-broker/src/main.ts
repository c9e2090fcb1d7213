import { startKafkaTestBroker } from './broker';

/** `npx tsx libs/kafka-test-broker/src/main.ts [--port 9092] [--partitions 1] [--auto-create]` */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const value = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const port = Number(value('--port') ?? 9092);
  const defaultPartitions = Number(value('--partitions') ?? 1);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid --port ${value('--port')}`);
  const broker = await startKafkaTestBroker({
    port,
    defaultPartitions,
    autoCreateTopics: args.includes('--auto-create'),
  });
  console.log(`kafka test broker listening on ${broker.host}:${broker.port}`);
  const stop = () => {
    void broker.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
