import { createHash } from 'node:crypto';
import type { BlockKv } from '@agentry/block-sdk';
import type { EventStore } from '@agentry/event-log';
import { streamIdOf } from '@agentry/kernel';

type KvEvent = { type: 'KvValueSet'; data: { value: unknown; expiresAt?: number } } | { type: 'KvValueDeleted'; data: Record<string, never> };

/**
 * Block key-value store on the event log: one stream per (tenant, scope, key), last write wins.
 * Durable like everything else, and tenant-scoped by construction (the tenant is part of the stream id).
 */
export function eventLogKv(events: EventStore, scope: { tenantId: string; graphId: string }): BlockKv {
  const streamFor = (s: 'tenant' | 'graph', key: string) =>
    streamIdOf('kv', createHash('sha256').update(JSON.stringify([scope.tenantId, s, s === 'graph' ? scope.graphId : '', key])).digest('hex'));
  return {
    async get(s, key) {
      const stream = await events.readStream(streamFor(s, key));
      const last = stream[stream.length - 1] as unknown as KvEvent | undefined;
      if (!last || last.type === 'KvValueDeleted') return undefined;
      if (last.data.expiresAt !== undefined && last.data.expiresAt <= Date.now()) return undefined;
      return last.data.value;
    },
    async set(s, key, value, ttlMs) {
      const data = ttlMs ? { value, expiresAt: Date.now() + ttlMs } : { value };
      await events.append(streamFor(s, key), [{ type: 'KvValueSet', data }], { expectedVersion: 'any', tenantId: scope.tenantId });
    },
    async delete(s, key) {
      await events.append(streamFor(s, key), [{ type: 'KvValueDeleted', data: {} }], { expectedVersion: 'any', tenantId: scope.tenantId });
    },
  };
}
