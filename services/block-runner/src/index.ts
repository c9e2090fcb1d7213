import os from 'node:os';
import { createRegistry } from '@agentry/blocks';
import { createGuardedFetch } from '@agentry/blocks/src/net';
import type { BlockRegistry, ResolvedCredentials } from '@agentry/block-sdk';
import type { EventStore, WorkQueue } from '@agentry/event-log';
import { connect, ServiceAdmin, startGrpcServer } from '@agentry/grpc';
import { newId } from '@agentry/kernel';
import type { Logger } from '@agentry/observability';
import { executionV1, integrationV1 } from '@agentry/proto-ts';
import { createBlockWorker } from './app/worker';
import { blockRunnerGrpcService } from './adapters/grpc/server';
import { eventLogKv } from './adapters/kv';
import { eventLogFiles } from './adapters/files';

export interface BlockRunnerOptions {
  events: EventStore;
  queue: WorkQueue;
  logger: Logger;
  executionAddress: string;
  integrationAddress: string;
  blocks?: BlockRegistry;
  concurrency?: number;
  leaseMs?: number;
  host?: string;
  port?: number;
  /** Hosts blocks may reach even though they resolve to private addresses (SSRF allow-list). */
  allowHosts?: string[];
  /** The gateway's file directory (`<dataDir>/files`), shared in embedded mode: gives blocks the tenant's files. */
  filesDir?: string;
  /** Largest file a block may read or write. Default 10 MiB. */
  maxFileBytes?: number;
}

export async function startBlockRunnerService(options: BlockRunnerOptions) {
  const blocks = options.blocks ?? createRegistry();
  const execution = connect(executionV1.ExecutionServiceClient, options.executionAddress);
  const integration = connect(integrationV1.IntegrationServiceClient, options.integrationAddress);
  const workerId = `${os.hostname()}-${process.pid}-${newId().slice(0, 8)}`;
  const worker = createBlockWorker({
    queue: options.queue,
    blocks,
    workerId,
    concurrency: options.concurrency ?? 16,
    leaseMs: options.leaseMs ?? 30000,
    fetch: createGuardedFetch({ allowHosts: options.allowHosts }),
    kvFor: (task) => eventLogKv(options.events, { tenantId: task.tenantId, graphId: task.graphId }),
    filesFor: options.filesDir
      ? (task) =>
          eventLogFiles(options.events, {
            dir: options.filesDir!,
            tenantId: task.tenantId,
            userId: task.userId,
            maxBytes: options.maxFileBytes ?? 10 * 1024 * 1024,
            newId,
          })
      : undefined,
    logger: options.logger,
    reporter: {
      async reportNodeProgress(r) {
        return execution.reportNodeProgress({
          tenantId: r.tenantId,
          executionId: r.executionId,
          nodeExecId: r.nodeExecId,
          attempt: r.attempt,
          workerId: r.workerId,
          started: r.started ?? false,
          outputSeq: r.outputSeq ?? 0,
          outputs: (r.outputs ?? []).map((o) => ({ pin: o.pin, value: JSON.parse(JSON.stringify(o.value ?? null)) })),
          finished: r.finished ? { status: r.finished.status, error: r.finished.error ? { message: r.finished.error.message, code: r.finished.error.code ?? '', retryable: r.finished.error.retryable ?? false } : undefined } : undefined,
          usage: r.usage ? { model: r.usage.model ?? '', inputTokens: r.usage.inputTokens ?? 0, outputTokens: r.usage.outputTokens ?? 0, costUsd: r.usage.costUsd ?? 0 } : undefined,
        });
      },
    },
    credentials: {
      async resolve(tenantId, ref, purpose, need) {
        const id = typeof ref === 'object' && ref && 'id' in ref ? String((ref as { id: unknown }).id) : String(ref);
        const out = await integration.resolveCredential({ tenantId, credentialId: id, purpose, requiredScopes: need?.scopes ?? [], blockName: need?.blockName ?? '' });
        const meta = out.credential!;
        const s = out.secret ?? {};
        switch (meta.type) {
          case 'api_key':
            return { id: meta.id, provider: meta.provider, type: 'api_key', apiKey: String(s.apiKey), title: meta.title } satisfies ResolvedCredentials;
          case 'oauth2':
            return { id: meta.id, provider: meta.provider, type: 'oauth2', accessToken: String(s.accessToken), scopes: meta.scopes, title: meta.title };
          case 'user_password':
            return { id: meta.id, provider: meta.provider, type: 'user_password', username: String(s.username), password: String(s.password), title: meta.title };
          default:
            return { id: meta.id, provider: meta.provider, type: 'host_scoped', host: String(s.host), headers: (s.headers ?? {}) as Record<string, string>, title: meta.title };
        }
      },
    },
  });
  // --- admin (issue #6): a drain stops leasing new tasks (they stay queued for other runners, or until resume) and is
  // drained once the running tasks have finished. No read model to rebuild.
  const admin = new ServiceAdmin('block-runner', { onDrain: () => worker.pause(), onResume: () => worker.start(), inFlight: () => worker.status().running });
  // --- end admin
  const server = await startGrpcServer({ services: [blockRunnerGrpcService(blocks, () => worker.status()), admin.registration()], host: options.host, port: options.port });
  worker.start();
  options.logger.info({ address: server.address, workerId }, 'block-runner listening');
  return {
    name: 'block-runner' as const,
    address: server.address,
    port: server.port,
    close: async () => {
      await worker.stop();
      await server.close();
      execution.close();
      integration.close();
    },
  };
}
