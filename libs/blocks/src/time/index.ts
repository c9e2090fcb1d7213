import type { BlockDefinition } from '@agentry/block-sdk';
import * as t from './time';

export const timeBlocks: BlockDefinition[] = [
  t.GetCurrentDateBlock,
  t.GetCurrentDateAndTimeBlock,
  t.CountdownTimerBlock,
  t.WaitBlock,
  t.FormatDateBlock,
  t.ParseDateBlock,
  t.DateAddBlock,
  t.ConvertTimezoneBlock,
  t.DateDifferenceBlock,
];
