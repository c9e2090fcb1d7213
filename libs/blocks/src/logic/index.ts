import type { BlockDefinition } from '@agentry/block-sdk';
import * as l from './logic';

export const logicBlocks: BlockDefinition[] = [
  l.ConditionBlock,
  l.IfInputMatchesBlock,
  l.CalculatorBlock,
  l.BooleanLogicBlock,
];
