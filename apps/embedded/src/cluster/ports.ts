import net from 'node:net';
import { SERVICE_NAMES, type ServiceName } from '@agentry/config';

/** Where each service of a cluster listens. */
export interface ClusterPorts {
  grpc: Record<ServiceName, number>;
  ops: Record<ServiceName, number>;
  /** Gateway REST/WebSocket/editor; the gateway serves /healthz /readyz /metrics here too. */
  http: number;
}

/**
 * Fixed port layout. Without a base: the defaults of distributed mode and the chart (gRPC 50051–50058,
 * ops 9464 + index, HTTP 8080). With a base B: gRPC B+i, ops B+10+i, HTTP B+20.
 */
export function clusterPorts(basePort?: number): ClusterPorts {
  const grpc = {} as Record<ServiceName, number>;
  const ops = {} as Record<ServiceName, number>;
  SERVICE_NAMES.forEach((name, i) => {
    grpc[name] = basePort === undefined ? 50051 + i : basePort + i;
    ops[name] = basePort === undefined ? 9464 + i : basePort + 10 + i;
  });
  return { grpc, ops, http: basePort === undefined ? 8080 : basePort + 20 };
}

export function portFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/** A port the OS considers free right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A base B such that B..B+20 are all free (tries a bounded number of random bases in 20000–40000). */
export async function freeBasePort(tries = 50): Promise<number> {
  for (let t = 0; t < tries; t++) {
    const base = 20000 + Math.floor(Math.random() * 2000) * 10;
    let ok = true;
    for (let p = base; p <= base + 20 && ok; p++) ok = await portFree(p);
    if (ok) return base;
  }
  throw new Error('no free block of 21 ports found');
}
