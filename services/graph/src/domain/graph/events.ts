import type { Graph, GraphLink, GraphNode } from '@agentry/kernel';

export interface GraphVersionContent {
  name: string;
  description: string;
  nodes: GraphNode[];
  links: GraphLink[];
}

export type GraphEvent =
  | { type: 'GraphCreated'; data: { graphId: string; tenantId: string; ownerId: string; forkedFrom?: Graph['forkedFrom']; createdAt: string } & GraphVersionContent }
  | { type: 'GraphVersionCreated'; data: { graphId: string; version: number; createdAt: string; createdBy: string } & GraphVersionContent }
  | { type: 'GraphDeleted'; data: { graphId: string; deletedAt: string; deletedBy: string } };
