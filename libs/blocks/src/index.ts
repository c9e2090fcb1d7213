import type { BlockDefinition, BlockRegistry } from '@agentry/block-sdk';
import { basicBlocks } from './basic';
import { codeBlocks } from './code';
import { dataBlocks } from './data';
import { logicBlocks } from './logic';
import { networkBlocks } from './net';
import { storageBlocks } from './storage';
import { textBlocks } from './text';
import { timeBlocks } from './time';

export { basicBlocks, codeBlocks, dataBlocks, logicBlocks, storageBlocks, textBlocks, timeBlocks };

/** Blocks that run without network or credentials (pure, storage, time, code sandbox). */
export const localBlocks: BlockDefinition[] = [
  ...basicBlocks,
  ...dataBlocks,
  ...textBlocks,
  ...logicBlocks,
  ...timeBlocks,
  ...storageBlocks,
  ...codeBlocks,
];

export const allBlocks: BlockDefinition[] = [...localBlocks, ...networkBlocks];

export function createRegistry(blocks: BlockDefinition[] = allBlocks): BlockRegistry {
  const byId = new Map(blocks.map((b) => [b.id, b]));
  return { get: (id) => byId.get(id), list: () => [...byId.values()] };
}
