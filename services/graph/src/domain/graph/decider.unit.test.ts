import { DomainError, fold } from '@agentry/kernel';
import type { GraphCommand } from './commands';
import { graphDecider } from './decider';
import type { GraphEvent } from './events';

const content = { name: 'g', description: '', nodes: [], links: [] };
const created: GraphEvent = { type: 'GraphCreated', data: { graphId: 'g1', tenantId: 't', ownerId: 'u', createdAt: '2026-01-01T00:00:00.000Z', ...content } };

/** given(events).when(command).then(events) / .thenThrows(code) */
const given = (events: GraphEvent[]) => ({
  when: (command: GraphCommand) => ({
    then: (expected: GraphEvent[]) => expect(graphDecider.decide(command, fold(graphDecider, events))).toEqual(expected),
    thenThrows: (code: string) => {
      try {
        graphDecider.decide(command, fold(graphDecider, events));
      } catch (err) {
        expect(err).toBeInstanceOf(DomainError);
        expect((err as DomainError).code).toBe(code);
        return;
      }
      throw new Error(`expected ${code}`);
    },
  }),
});

describe('graph decider', () => {
  it('creates version 1', () => {
    given([])
      .when({ type: 'CreateGraph', graphId: 'g1', tenantId: 't', ownerId: 'u', content, now: '2026-01-01T00:00:00.000Z' })
      .then([created]);
  });

  it('refuses to create a graph twice', () => {
    given([created]).when({ type: 'CreateGraph', graphId: 'g1', tenantId: 't', ownerId: 'u', content, now: 'x' }).thenThrows('ALREADY_EXISTS');
  });

  it('saves a change as the next version, and the newest version is the only active one', () => {
    given([created])
      .when({ type: 'UpdateGraph', graphId: 'g1', userId: 'u', baseVersion: 1, content: { ...content, name: 'g2' }, now: 'n' })
      .then([{ type: 'GraphVersionCreated', data: { graphId: 'g1', version: 2, createdAt: 'n', createdBy: 'u', ...content, name: 'g2' } }]);
    const state = fold(graphDecider, [created, { type: 'GraphVersionCreated', data: { graphId: 'g1', version: 2, createdAt: 'n', createdBy: 'u', ...content, name: 'g2' } }]);
    expect(state.versions.map((v) => [v.version, v.isActive, v.name])).toEqual([
      [1, false, 'g'],
      [2, true, 'g2'],
    ]);
  });

  it('refuses an edit based on a stale version', () => {
    const v2: GraphEvent = { type: 'GraphVersionCreated', data: { graphId: 'g1', version: 2, createdAt: 'n', createdBy: 'u', ...content } };
    given([created, v2]).when({ type: 'UpdateGraph', graphId: 'g1', userId: 'u', baseVersion: 1, content, now: 'n' }).thenThrows('VERSION_CONFLICT');
  });

  it('deletes once; a deleted graph cannot be changed', () => {
    const deleted: GraphEvent = { type: 'GraphDeleted', data: { graphId: 'g1', deletedAt: 'd', deletedBy: 'u' } };
    given([created]).when({ type: 'DeleteGraph', graphId: 'g1', userId: 'u', now: 'd' }).then([deleted]);
    given([created, deleted]).when({ type: 'DeleteGraph', graphId: 'g1', userId: 'u', now: 'd' }).thenThrows('NOT_FOUND');
    given([created, deleted]).when({ type: 'UpdateGraph', graphId: 'g1', userId: 'u', baseVersion: 1, content, now: 'n' }).thenThrows('NOT_FOUND');
  });
});
