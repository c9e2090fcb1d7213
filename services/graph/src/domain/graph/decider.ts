import { assertNever, DomainError, type Decider, type Graph } from '@agentry/kernel';
import type { GraphCommand } from './commands';
import type { GraphEvent } from './events';

/** All versions of one graph; the newest is the active one. */
export interface GraphState {
  exists: boolean;
  deleted: boolean;
  versions: Graph[];
}

export const graphDecider: Decider<GraphCommand, GraphEvent, GraphState> = {
  initialState: () => ({ exists: false, deleted: false, versions: [] }),

  decide(command, state) {
    switch (command.type) {
      case 'CreateGraph':
        if (state.exists) throw new DomainError('ALREADY_EXISTS', `graph ${command.graphId} already exists`);
        return [
          {
            type: 'GraphCreated',
            data: { graphId: command.graphId, tenantId: command.tenantId, ownerId: command.ownerId, forkedFrom: command.forkedFrom, createdAt: command.now, ...command.content },
          },
        ];
      case 'UpdateGraph': {
        if (!state.exists || state.deleted) throw new DomainError('NOT_FOUND', `graph ${command.graphId} not found`);
        const latest = state.versions[state.versions.length - 1].version;
        if (command.baseVersion !== latest) {
          throw new DomainError('VERSION_CONFLICT', `graph ${command.graphId} has a newer version (${latest}) than the one edited (${command.baseVersion})`, {
            latestVersion: latest,
            baseVersion: command.baseVersion,
          });
        }
        return [{ type: 'GraphVersionCreated', data: { graphId: command.graphId, version: latest + 1, createdAt: command.now, createdBy: command.userId, ...command.content } }];
      }
      case 'DeleteGraph':
        if (!state.exists || state.deleted) throw new DomainError('NOT_FOUND', `graph ${command.graphId} not found`);
        return [{ type: 'GraphDeleted', data: { graphId: command.graphId, deletedAt: command.now, deletedBy: command.userId } }];
      default:
        return assertNever(command, 'graph command');
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'GraphCreated': {
        const d = event.data;
        const graph: Graph = {
          id: d.graphId,
          version: 1,
          tenantId: d.tenantId,
          ownerId: d.ownerId,
          name: d.name,
          description: d.description,
          isActive: true,
          forkedFrom: d.forkedFrom,
          nodes: d.nodes,
          links: d.links,
          createdAt: d.createdAt,
        };
        return { exists: true, deleted: false, versions: [graph] };
      }
      case 'GraphVersionCreated': {
        const d = event.data;
        const first = state.versions[0];
        const next: Graph = { ...first, version: d.version, name: d.name, description: d.description, nodes: d.nodes, links: d.links, createdAt: d.createdAt, isActive: true };
        return { ...state, versions: [...state.versions.map((v) => ({ ...v, isActive: false })), next] };
      }
      case 'GraphDeleted':
        return { ...state, deleted: true };
      default:
        return assertNever(event, 'graph event');
    }
  },
};
