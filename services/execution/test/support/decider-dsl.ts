import { fold, type Graph } from '@agentry/kernel';
import { schemaValidator } from '../../src/app/rules';
import type { ExecutionCommand } from '../../src/domain/execution/commands';
import { createExecutionDecider, type ExecutionRules } from '../../src/domain/execution/decider';
import type { ExecutionEvent, ForkSeed } from '../../src/domain/execution/events';
import { buildPlan } from '../../src/domain/execution/plan';
import type { ExecutionState } from '../../src/domain/execution/state';
import { registry } from './blocks';
import { TENANT, USER } from './graphs';

export const AT = '2026-01-01T00:00:00.000Z';
export const NOW = Date.parse(AT);
const blocks = registry();

export const makeDecider = (rules: Partial<ExecutionRules> = {}) =>
  createExecutionDecider({ validateInput: schemaValidator(), ...rules });
export const decider = makeDecider();

export const planOf = (g: Graph) =>
  buildPlan(g, (id) => {
    const b = blocks.get(id);
    return (
      b && {
        kind: b.kind,
        inputSchema: b.inputSchema,
        outputSchema: b.outputSchema,
        staticOutput: b.staticOutput,
        sideEffects: b.sideEffects,
        credentials: b.credentials,
      }
    );
  });

/* ---------------------------------------------------------------- commands */

export const request = (
  g: Graph,
  inputs: Record<string, unknown> = {},
  extra: Partial<Extract<ExecutionCommand, { type: 'RequestExecution' }>['data']> = {},
): ExecutionCommand => ({
  type: 'RequestExecution',
  data: {
    executionId: 'exec-1',
    tenantId: TENANT,
    userId: USER,
    graphId: g.id,
    graphVersion: g.version,
    inputs,
    trigger: 'manual',
    plan: planOf(g),
    at: AT,
    ...extra,
  },
});

type Report = Extract<ExecutionCommand, { type: 'ReportNodeProgress' }>['data'];
export const report = (nodeExecId: string, parts: Partial<Report> = {}): ExecutionCommand => ({
  type: 'ReportNodeProgress',
  data: { nodeExecId, attempt: 1, workerId: 'w1', nowMs: NOW, at: AT, ...parts },
});
export const start = (nodeExecId: string, attempt = 1, workerId = 'w1') =>
  report(nodeExecId, { attempt, workerId, started: true });
export const yields = (nodeExecId: string, outputs: Array<[string, unknown]>, attempt = 1) =>
  report(nodeExecId, { attempt, outputs: outputs.map(([pin, value]) => ({ pin, value })) });
export const complete = (nodeExecId: string, attempt = 1) =>
  report(nodeExecId, { attempt, finished: { status: 'COMPLETED' } });
export const fail = (nodeExecId: string, error: { message: string; code?: string; retryable?: boolean }, attempt = 1) =>
  report(nodeExecId, { attempt, finished: { status: 'FAILED', error } });
/** started + outputs + finished in one report. */
export const runs = (nodeExecId: string, outputs: Array<[string, unknown]> = [], attempt = 1) =>
  report(nodeExecId, {
    attempt,
    started: true,
    outputs: outputs.map(([pin, value]) => ({ pin, value })),
    finished: { status: 'COMPLETED' },
  });
export const cancel = (reason?: string): ExecutionCommand => ({ type: 'CancelExecution', data: { reason, at: AT } });
export const review = (nodeExecId: string, decision: 'approve' | 'reject', editedData?: unknown): ExecutionCommand => ({
  type: 'DecideReview',
  data: { nodeExecId, decision, editedData, userId: USER, at: AT },
});
export const expireLease = (nodeExecId: string, attempt = 1): ExecutionCommand => ({
  type: 'ExpireNodeLease',
  data: { nodeExecId, attempt, at: AT },
});
export const timeOut = (nodeExecId: string, attempt = 1): ExecutionCommand => ({
  type: 'TimeOutNodeExecution',
  data: { nodeExecId, attempt, nowMs: NOW, at: AT },
});
export const fork = (g: Graph, seed: ForkSeed) => request(g, {}, { executionId: 'exec-fork', forkOf: seed });

/* ---------------------------------------------------------------- given / when / then */

/** Runs commands one after another and returns every event they produced (a handy way to build `given`). */
export function history(commands: ExecutionCommand[], d = decider): ExecutionEvent[] {
  const events: ExecutionEvent[] = [];
  let state = d.initialState();
  for (const c of commands) {
    const produced = d.decide(c, state);
    events.push(...produced);
    state = fold(d, events);
  }
  return events;
}

export function given(events: ExecutionEvent[] | ExecutionCommand[], d = decider) {
  const isCommands =
    events.length > 0 && 'type' in events[0] && (events[0] as ExecutionCommand).type === 'RequestExecution';
  const past = isCommands ? history(events as ExecutionCommand[], d) : (events as ExecutionEvent[]);
  const state: ExecutionState = fold(d, past);
  return {
    state,
    past,
    when(command: ExecutionCommand) {
      const produce = () => d.decide(command, state);
      return {
        /** Expected events in order; each one matched partially (toMatchObject). */
        then(expected: Array<{ type: ExecutionEvent['type']; data?: Record<string, unknown> }>) {
          const got = produce();
          expect(got).toMatchObject(expected);
          return got;
        },
        thenTypes(types: Array<ExecutionEvent['type']>) {
          const got = produce();
          expect(got.map((e) => e.type)).toEqual(types);
          return got;
        },
        thenThrows(code: string) {
          let thrown: unknown;
          try {
            produce();
          } catch (err) {
            thrown = err;
          }
          expect(thrown).toMatchObject({ code });
          return thrown as Error;
        },
        events: produce,
        /** State after the command's events. */
        state: () => fold(d, [...past, ...produce()]),
      };
    },
  };
}

export const types = (events: ExecutionEvent[]) => events.map((e) => e.type);
export const ofType = <T extends ExecutionEvent['type']>(events: ExecutionEvent[], type: T) =>
  events.filter((e): e is Extract<ExecutionEvent, { type: T }> => e.type === type);
