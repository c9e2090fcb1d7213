import {
  Server,
  ServerCredentials,
  type ServiceDefinition,
  type UntypedServiceImplementation,
  type ServerUnaryCall,
  type sendUnaryData,
  type ServerWritableStream,
} from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import { toServiceError } from './errors';
import { grpcMetrics } from './metrics';

type AsyncUnary<Req, Res> = (request: Req, call: ServerUnaryCall<Req, Res>) => Promise<Res>;
type AsyncServerStream<Req, Res> = (request: Req, call: ServerWritableStream<Req, Res>) => Promise<void>;

type Handlers<D extends ServiceDefinition> = {
  [K in keyof D]: D[K] extends { requestStream: false; responseStream: false; requestDeserialize: (b: Buffer) => infer Req; responseSerialize: (r: infer Res) => Buffer }
    ? AsyncUnary<Req, Res>
    : D[K] extends { requestStream: false; responseStream: true; requestDeserialize: (b: Buffer) => infer Req; responseSerialize: (r: infer Res) => Buffer }
      ? AsyncServerStream<Req, Res>
      : never;
};

/**
 * Turns async handlers into grpc-js callbacks. Every error path goes through toServiceError,
 * and every call is counted in agentry_grpc_requests_total / _duration_seconds.
 */
export function implement<D extends ServiceDefinition>(serviceName: string, definition: D, handlers: Handlers<D>): UntypedServiceImplementation {
  const impl: UntypedServiceImplementation = {};
  for (const method of Object.keys(definition)) {
    const handler = (handlers as Record<string, (req: unknown, call: unknown) => Promise<unknown>>)[method];
    const def = definition[method];
    if (def.responseStream) {
      impl[method] = (call: ServerWritableStream<unknown, unknown>) => {
        const end = grpcMetrics.start(serviceName, method);
        handler(call.request, call).then(
          () => {
            end('OK');
            call.end();
          },
          (err: unknown) => {
            const e = toServiceError(err);
            end(String(e.code));
            call.destroy(Object.assign(new Error(e.details), e));
          },
        );
      };
    } else {
      impl[method] = (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
        const end = grpcMetrics.start(serviceName, method);
        handler(call.request, call).then(
          (res) => {
            end('OK');
            callback(null, res);
          },
          (err: unknown) => {
            const e = toServiceError(err);
            end(String(e.code));
            callback(e, null);
          },
        );
      };
    }
  }
  return impl;
}

export interface GrpcServiceRegistration {
  /** Fully qualified name, e.g. 'agentry.graph.v1.GraphService' (used by the health service). */
  name: string;
  definition: ServiceDefinition;
  implementation: UntypedServiceImplementation;
}

export interface RunningGrpcServer {
  port: number;
  address: string;
  health: HealthImplementation;
  /** Stop accepting, let calls in flight finish (up to graceMs), then force. */
  close(graceMs?: number): Promise<void>;
}

export async function startGrpcServer(options: {
  services: GrpcServiceRegistration[];
  host?: string;
  port?: number;
}): Promise<RunningGrpcServer> {
  const server = new Server({ 'grpc.max_receive_message_length': 16 * 1024 * 1024 });
  for (const s of options.services) server.addService(s.definition, s.implementation);
  const statusMap: Record<string, 'SERVING' | 'NOT_SERVING'> = { '': 'SERVING' };
  for (const s of options.services) statusMap[s.name] = 'SERVING';
  const health = new HealthImplementation(statusMap);
  health.addToServer(server);
  const host = options.host ?? '127.0.0.1';
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:${options.port ?? 0}`, ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return {
    port,
    address: `${host}:${port}`,
    health,
    close: (graceMs = 5000) =>
      new Promise<void>((resolve) => {
        for (const name of Object.keys(statusMap)) health.setStatus(name, 'NOT_SERVING');
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, graceMs);
        timer.unref();
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
  };
}
