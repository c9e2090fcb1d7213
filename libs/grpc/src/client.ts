import { credentials, Metadata, type CallOptions, type Client, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import { fromServiceError } from './errors';

type UnaryFn<Req, Res> = (request: Req, metadata: Metadata, options: Partial<CallOptions>, callback: (error: ServiceError | null, response: Res) => void) => unknown;

/** The async face of a ts-proto grpc-js client: unary methods return promises that reject with DomainError. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyUnary = UnaryFn<any, any>;

export type AsyncClient<C> = {
  [K in keyof C as C[K] extends AnyUnary ? K : never]: C[K] extends UnaryFn<infer Req, infer Res>
    ? (request: Req, options?: { deadlineMs?: number; metadata?: Metadata }) => Promise<Res>
    : never;
} & { raw: C; close(): void };

type ClientCtor<C> = new (address: string, creds: ReturnType<typeof credentials.createInsecure>, options?: Record<string, unknown>) => C;

export function connect<C extends Client>(Ctor: ClientCtor<C>, address: string, defaults: { deadlineMs?: number } = {}): AsyncClient<C> {
  const raw = new Ctor(address, credentials.createInsecure(), {
    'grpc.max_receive_message_length': 16 * 1024 * 1024,
    'grpc.keepalive_time_ms': 30000,
  });
  const proxy: Record<string, unknown> = { raw, close: () => raw.close() };
  return new Proxy(proxy, {
    get(target, prop: string) {
      if (prop in target) return target[prop];
      const fn = (raw as unknown as Record<string, unknown>)[prop];
      if (typeof fn !== 'function') return undefined;
      return (request: unknown, options: { deadlineMs?: number; metadata?: Metadata } = {}) =>
        new Promise((resolve, reject) => {
          const deadlineMs = options.deadlineMs ?? defaults.deadlineMs ?? 30000;
          (fn as UnaryFn<unknown, unknown>).call(raw, request, options.metadata ?? new Metadata(), { deadline: Date.now() + deadlineMs }, (err, res) =>
            err ? reject(fromServiceError(err)) : resolve(res),
          );
        });
    },
  }) as AsyncClient<C>;
}

/** Iterate a server stream; errors surface as DomainError. */
export async function* iterateStream<T>(stream: ClientReadableStream<T>): AsyncGenerator<T> {
  try {
    for await (const item of stream as AsyncIterable<T>) yield item;
  } catch (err) {
    if (err && typeof err === 'object' && 'code' in err && 'metadata' in err) throw fromServiceError(err as ServiceError);
    throw err;
  }
}
