import type { BlockDefinition } from '@agentry/block-sdk';
import * as convert from './convert';
import * as d from './dictionary';
import * as l from './list';
import * as q from './query';

export const dataBlocks: BlockDefinition[] = [
  d.CreateDictionaryBlock,
  d.AddToDictionaryBlock,
  d.FindInDictionaryBlock,
  d.RemoveFromDictionaryBlock,
  d.ReplaceDictionaryValueBlock,
  d.DictionaryIsEmptyBlock,
  d.GetDictionaryValueBlock,
  d.MergeDictionariesBlock,
  d.DictionaryKeysValuesBlock,
  l.CreateListBlock,
  l.AddToListBlock,
  l.FindInListBlock,
  l.GetListItemBlock,
  l.RemoveFromListBlock,
  l.ReplaceListItemBlock,
  l.ListIsEmptyBlock,
  l.ConcatenateListsBlock,
  l.FlattenListBlock,
  l.InterleaveListsBlock,
  l.ZipListsBlock,
  l.ListDifferenceBlock,
  l.SliceListBlock,
  l.SortListBlock,
  l.CountItemsBlock,
  l.StepThroughItemsBlock,
  convert.UniversalTypeConverterBlock,
  convert.JsonParseBlock,
  convert.JsonStringifyBlock,
  convert.XMLParserBlock,
  q.JsonPathQueryBlock,
  q.JmesPathQueryBlock,
  q.ReadCsvBlock,
  q.WriteCsvBlock,
];
