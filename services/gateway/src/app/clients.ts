import { connect, type AsyncClient } from '@agentry/grpc';
import { blockrunnerV1, executionV1, graphV1 } from '@agentry/proto-ts';

export interface ServiceClients {
  graph: AsyncClient<graphV1.GraphServiceClient>;
  execution: AsyncClient<executionV1.ExecutionServiceClient>;
  blocks: AsyncClient<blockrunnerV1.BlockRunnerServiceClient>;
  close(): void;
}

export function connectServices(addresses: { graph: string; execution: string; blockRunner: string }): ServiceClients {
  const graph = connect(graphV1.GraphServiceClient, addresses.graph);
  const execution = connect(executionV1.ExecutionServiceClient, addresses.execution);
  const blocks = connect(blockrunnerV1.BlockRunnerServiceClient, addresses.blockRunner);
  return {
    graph,
    execution,
    blocks,
    close() {
      graph.close();
      execution.close();
      blocks.close();
    },
  };
}
