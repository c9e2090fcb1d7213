import type { BlockDefinition } from '@agentry/block-sdk';
import * as io from './agent-io';
import { GenerateUuidBlock, RandomNumberBlock } from './generators';
import { NoteBlock } from './note';
import { StoreValueBlock } from './store-value';

export const basicBlocks: BlockDefinition[] = [
  io.AgentInputBlock,
  io.AgentShortTextInputBlock,
  io.AgentLongTextInputBlock,
  io.AgentNumberInputBlock,
  io.AgentDateInputBlock,
  io.AgentTimeInputBlock,
  io.AgentFileInputBlock,
  io.AgentDropdownInputBlock,
  io.AgentToggleInputBlock,
  io.AgentTableInputBlock,
  io.AgentOutputBlock,
  NoteBlock,
  StoreValueBlock,
  RandomNumberBlock,
  GenerateUuidBlock,
];
