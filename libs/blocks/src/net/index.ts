import type { BlockDefinition } from '@agentry/block-sdk';

/** Blocks that call out over the network (AI, web, communication, developer tools, productivity). */
export const networkBlocks: BlockDefinition[] = [];
