import type { BlockDefinition, BlockRegistry } from '@agentry/block-sdk';
import { implement, type GrpcServiceRegistration } from '@agentry/grpc';
import { notFound } from '@agentry/kernel';
import { blockrunnerV1 } from '@agentry/proto-ts';

export function blockInfo(b: BlockDefinition): blockrunnerV1.BlockInfo {
  return {
    id: b.id,
    name: b.name,
    description: b.description,
    categories: b.categories,
    kind: b.kind,
    inputSchema: b.inputSchema as Record<string, unknown>,
    outputSchema: b.outputSchema as Record<string, unknown>,
    staticOutput: b.staticOutput ?? false,
    credentials: b.credentials ? JSON.parse(JSON.stringify(b.credentials)) : undefined,
  };
}

export function blockRunnerGrpcService(blocks: BlockRegistry, status: () => { workerId: string; running: number; concurrency: number; completed: number }): GrpcServiceRegistration {
  const infos = new Map<string, blockrunnerV1.BlockInfo>();
  const info = (b: BlockDefinition) => {
    let i = infos.get(b.id);
    if (!i) infos.set(b.id, (i = blockInfo(b)));
    return i;
  };
  return {
    name: 'agentry.blockrunner.v1.BlockRunnerService',
    definition: blockrunnerV1.BlockRunnerServiceService,
    implementation: implement('block-runner', blockrunnerV1.BlockRunnerServiceService, {
      async listBlocks(req) {
        const list = blocks.list().filter((b) => !req.category || b.categories.includes(req.category as never));
        return { items: list.map(info) };
      },
      async getBlock(req) {
        const b = blocks.get(req.blockId);
        if (!b) throw notFound('block', req.blockId);
        return { block: info(b) };
      },
      async getRunnerStatus() {
        return status();
      },
    }),
  };
}
