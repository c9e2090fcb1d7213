import type { BlockDefinition } from '@agentry/block-sdk';
import { JavaScriptCodeBlock } from './javascript';

export const codeBlocks: BlockDefinition[] = [JavaScriptCodeBlock];
