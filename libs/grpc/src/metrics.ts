import { Counter, Histogram } from 'prom-client';
import { registry } from '@agentry/observability';

const requests = new Counter({ name: 'agentry_grpc_requests_total', help: 'gRPC calls served', labelNames: ['service', 'method', 'code'], registers: [registry] });
const duration = new Histogram({
  name: 'agentry_grpc_request_duration_seconds',
  help: 'gRPC call duration',
  labelNames: ['service', 'method'],
  buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
  registers: [registry],
});

export const grpcMetrics = {
  start(service: string, method: string) {
    const stop = duration.startTimer({ service, method });
    return (code: string) => {
      stop();
      requests.inc({ service, method, code });
    };
  },
};
