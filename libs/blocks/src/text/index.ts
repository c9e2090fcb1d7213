import type { BlockDefinition } from '@agentry/block-sdk';
import { MarkdownToTextBlock, TextToJsonBlock } from './convert';
import { FillTextTemplateBlock } from './fill-template';
import * as t from './text';

export const textBlocks: BlockDefinition[] = [
  FillTextTemplateBlock,
  t.MatchTextPatternBlock,
  t.ExtractTextInformationBlock,
  t.CombineTextsBlock,
  t.TextSplitBlock,
  t.TextReplaceBlock,
  t.RegexReplaceBlock,
  t.TextStatisticsBlock,
  t.ChangeTextCaseBlock,
  t.TruncateTextBlock,
  MarkdownToTextBlock,
  TextToJsonBlock,
];
