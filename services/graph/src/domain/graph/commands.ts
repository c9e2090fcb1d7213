import type { Graph } from '@agentry/kernel';
import type { GraphVersionContent } from './events';

export type GraphCommand =
  | { type: 'CreateGraph'; graphId: string; tenantId: string; ownerId: string; content: GraphVersionContent; forkedFrom?: Graph['forkedFrom']; now: string }
  | { type: 'UpdateGraph'; graphId: string; userId: string; baseVersion: number; content: GraphVersionContent; now: string }
  | { type: 'DeleteGraph'; graphId: string; userId: string; now: string };
