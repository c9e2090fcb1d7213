import type { BlockDefinition } from '@agentry/block-sdk';
import { CounterBlock, PersistInformationBlock, RetrieveInformationBlock } from './storage';

export const storageBlocks: BlockDefinition[] = [PersistInformationBlock, RetrieveInformationBlock, CounterBlock];
