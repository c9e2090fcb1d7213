import type { BlockDefinition, BlockRegistry } from '@agentry/block-sdk';
import { networkBlocks } from './net';

export const allBlocks: BlockDefinition[] = [...networkBlocks];

export function createRegistry(blocks: BlockDefinition[] = allBlocks): BlockRegistry {
  const byId = new Map(blocks.map((b) => [b.id, b]));
  return { get: (id) => byId.get(id), list: () => [...byId.values()] };
}
