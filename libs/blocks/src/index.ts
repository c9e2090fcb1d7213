import type { BlockDefinition, BlockRegistry } from '@agentry/block-sdk';
import { basicBlocks } from './basic';
import { codeBlocks } from './code';
import { dataBlocks } from './data';
import { logicBlocks } from './logic';
import { engineBlocks } from './engine';
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

/** Blocks a block-runner runs; each carries self-tests. */
export const allBlocks: BlockDefinition[] = [...localBlocks, ...networkBlocks];

/** Everything a graph may use: the runnable blocks plus those the execution engine runs itself (sub-agent, review). */
export const catalogueBlocks: BlockDefinition[] = [...allBlocks, ...engineBlocks];

export { engineBlocks, AGENT_EXECUTOR_BLOCK_ID, HUMAN_REVIEW_BLOCK_ID } from './engine';

export function createRegistry(blocks: BlockDefinition[] = catalogueBlocks): BlockRegistry {
  const byId = new Map(blocks.map((b) => [b.id, b]));
  return { get: (id) => byId.get(id), list: () => [...byId.values()] };
}
