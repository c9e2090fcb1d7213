import { credentials, makeGenericClientConstructor, type ServiceError } from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';

/** Asks a server's standard gRPC health service for the status of one service name. */
export function checkHealth(address: string, service = ''): Promise<string> {
  const Client = makeGenericClientConstructor(healthService as never, 'Health');
  const client = new Client(address, credentials.createInsecure()) as unknown as {
    check(req: { service: string }, cb: (err: ServiceError | null, res: { status: string }) => void): void;
    close(): void;
  };
  return new Promise((resolve, reject) =>
    client.check({ service }, (err, res) => {
      client.close();
      if (err) reject(err);
      else resolve(String(res.status));
    }),
  );
}
