import { implement, startGrpcServer } from '@agentry/grpc';
import { executionV1 } from '@agentry/proto-ts';

/** An ExecutionService that only records RequestExecution calls (real gRPC socket). */
export async function startFakeExecution() {
  const requests: executionV1.RequestExecutionRequest[] = [];
  const handlers = {
    async requestExecution(req: executionV1.RequestExecutionRequest) {
      requests.push(req);
      return { executionId: `exec-${requests.length}` };
    },
  };
  const server = await startGrpcServer({
    services: [
      {
        name: 'agentry.execution.v1.ExecutionService',
        definition: executionV1.ExecutionServiceService,
        implementation: implement('execution', executionV1.ExecutionServiceService, handlers as unknown as Parameters<typeof implement<typeof executionV1.ExecutionServiceService>>[2]),
      },
    ],
  });
  return { requests, address: server.address, close: () => server.close(100) };
}
