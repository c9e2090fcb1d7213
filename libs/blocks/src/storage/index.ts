import type { BlockDefinition } from '@agentry/block-sdk';
import { ReadFileBlock, WriteFileBlock } from './files';
import { CounterBlock, PersistInformationBlock, RetrieveInformationBlock } from './storage';

export const storageBlocks: BlockDefinition[] = [
  PersistInformationBlock,
  RetrieveInformationBlock,
  CounterBlock,
  ReadFileBlock,
  WriteFileBlock,
];
export { toFileReference, type FileReference } from './files';
