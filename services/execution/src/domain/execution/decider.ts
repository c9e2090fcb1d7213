import { assertNever, DomainError, type Decider, type GraphLink, type RetryPolicy } from '@agentry/kernel';
import { mergeDynamicPins, pickFromOutput } from '@agentry/block-sdk/src/pins';
import { isBlobRef } from '../blob-ref';
import type { ExecutionCommand } from './commands';
import type { EventOf, ExecutionEvent, NodeError } from './events';
import type { PlanNode, Schema } from './plan';
import {
  ACTIVE_NODE_STATUSES,
  draftOf,
  initialState,
  type ExecutionState,
  type NodeExecState,
  type NodeStatus,
} from './state';

export { initialState } from './state';

/** Pure policies the decider is parameterised with (no I/O): input validation and default retries. */
export interface ExecutionRules {
  /** Problem with a merged input, or undefined when valid. Default: required fields present. */
  validateInput(schema: Schema, input: Record<string, unknown>): string | undefined;
  /** Retry policy of nodes without their own whose block has no side effects (rule 11). Default: none. */
  defaultRetry?: RetryPolicy;
  /** A node attempt re-dispatched this many times after lost leases fails with LEASE_EXPIRED. Default 3. */
  maxLeaseExpiries?: number;
  /**
   * Rule 5 for blocks that may run before every linked input has a value (AutoGPT's SmartDecisionMaker tool loop):
   * the linked inputs the node must still wait for, given what it has. Default: every unsatisfied link.
   */
  missingInputs?(blockId: string, input: Record<string, unknown>, unsatisfiedLinks: readonly string[]): readonly string[];
}

export const requiredFieldsOnly: ExecutionRules['validateInput'] = (schema, input) => {
  const missing = (schema.required ?? []).filter((name) => input[name] === undefined || input[name] === null);
  return missing.length > 0 ? `missing required input ${missing.join(', ')}` : undefined;
};

const ALLOWED: Record<NodeStatus, readonly NodeStatus[]> = {
  INCOMPLETE: ['QUEUED'],
  // QUEUED -> QUEUED: the attempt's lease expired before it reported (re-dispatch as a new attempt).
  QUEUED: ['RUNNING', 'QUEUED', 'TERMINATED'],
  // RUNNING -> QUEUED: a retry (rule 11) or a re-dispatch after a lost lease (rule 12).
  RUNNING: ['REVIEW', 'COMPLETED', 'FAILED', 'TERMINATED', 'QUEUED'],
  REVIEW: ['COMPLETED', 'FAILED', 'TERMINATED'],
  COMPLETED: [],
  FAILED: [],
  TERMINATED: [],
};

function invalid(message: string, details?: Record<string, unknown>): DomainError {
  return new DomainError('INVALID_TRANSITION', message, details);
}

function assertTransition(exec: NodeExecState, to: NodeStatus): void {
  if (!ALLOWED[exec.status].includes(to))
    throw invalid(`node execution ${exec.id} cannot go from ${exec.status} to ${to}`, {
      nodeExecId: exec.id,
      from: exec.status,
      to,
    });
}

const has = (o: Record<string, unknown>, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/* ------------------------------------------------------------------ evolve */

function setExec(
  state: ExecutionState,
  id: string,
  update: (e: NodeExecState) => Partial<NodeExecState>,
): NodeExecState {
  const current = state.nodeExecs.get(id);
  if (!current) throw new Error(`unknown node execution ${id}`);
  const next = { ...current, ...update(current) };
  if (next.status !== current.status) {
    state.active +=
      (ACTIVE_NODE_STATUSES.has(next.status) ? 1 : 0) - (ACTIVE_NODE_STATUSES.has(current.status) ? 1 : 0);
    if (current.status === 'INCOMPLETE') {
      const waiting = state.incompleteByNode.get(current.nodeId) ?? [];
      state.incompleteByNode.set(
        current.nodeId,
        waiting[0] === id ? waiting.slice(1) : waiting.filter((w) => w !== id),
      );
    }
  }
  state.nodeExecs.set(id, next);
  return next;
}

function indexLinks(links: GraphLink[], key: 'sourceId' | 'sinkId'): Map<string, GraphLink[]> {
  const map = new Map<string, GraphLink[]>();
  for (const link of links) map.set(link[key], [...(map.get(link[key]) ?? []), link]);
  return map;
}

export function evolve(state: ExecutionState, event: ExecutionEvent): ExecutionState {
  state.version += 1;
  switch (event.type) {
    case 'ExecutionRequested': {
      const { plan } = event.data;
      state.request = event.data;
      state.nodes = new Map(plan.nodes.map((n) => [n.id, n]));
      state.linksFrom = indexLinks(plan.links, 'sourceId');
      state.linksTo = indexLinks(plan.links, 'sinkId');
      state.errorLinked = new Set(plan.links.filter((l) => l.sourceName === 'error').map((l) => l.sourceId));
      if (event.data.forkOf) state.staticInputs = new Map(Object.entries(event.data.forkOf.staticInputs));
      return state;
    }
    case 'ExecutionStarted':
      state.status = 'RUNNING';
      state.startedAt = event.data.startedAt;
      return state;
    case 'NodeExecutionCreated': {
      const { nodeExecId, nodeId, blockId, createdAt } = event.data;
      if (state.nodeExecs.has(nodeExecId)) throw new Error(`node execution ${nodeExecId} created twice`);
      state.nodeExecs.set(nodeExecId, {
        id: nodeExecId,
        nodeId,
        blockId,
        status: 'INCOMPLETE',
        attempt: 0,
        inputs: {},
        outputs: {},
        attemptOutputs: 0,
        createdAt,
      });
      state.execCountByNode.set(nodeId, (state.execCountByNode.get(nodeId) ?? 0) + 1);
      state.incompleteByNode.set(nodeId, [...(state.incompleteByNode.get(nodeId) ?? []), nodeExecId]);
      return state;
    }
    case 'NodeInputReceived': {
      const { nodeExecId, name, value, isStatic } = event.data;
      const exec = setExec(state, nodeExecId, (e) => ({ inputs: { ...e.inputs, [name]: value } }));
      if (isStatic) state.staticInputs.set(exec.nodeId, { ...state.staticInputs.get(exec.nodeId), [name]: value });
      return state;
    }
    case 'NodeExecutionQueued':
      setExec(state, event.data.nodeExecId, () => ({
        status: 'QUEUED',
        attempt: event.data.attempt,
        input: event.data.input,
        queuedAt: event.data.queuedAt,
      }));
      state.usage = { ...state.usage, nodeRuns: state.usage.nodeRuns + 1 };
      return state;
    case 'NodeTaskLeased':
      setExec(state, event.data.nodeExecId, () => ({ workerId: event.data.workerId }));
      return state;
    case 'NodeExecutionStarted':
      setExec(state, event.data.nodeExecId, (e) => ({
        status: 'RUNNING',
        attempt: event.data.attempt,
        startedAt: event.data.startedAt,
        notBefore: undefined,
        attemptOutputs: e.resumeOutputs ? e.attemptOutputs : 0,
        resumeOutputs: false,
      }));
      return state;
    case 'NodeOutputProduced': {
      const { nodeExecId, pin, value } = event.data;
      const exec = setExec(state, nodeExecId, (e) => ({
        outputs: { ...e.outputs, [pin]: [...(e.outputs[pin] ?? []), value] },
        attemptOutputs: (e.attemptOutputs ?? 0) + 1,
      }));
      const node = state.nodes.get(exec.nodeId);
      if (node?.kind === 'output' && pin === node.outputPin) {
        const name = String(exec.input?.name ?? node.inputDefault.name ?? node.id);
        state.outputs = { ...state.outputs, [name]: [...(state.outputs[name] ?? []), value] };
      }
      return state;
    }
    case 'NodeUsageRecorded': {
      const u = event.data.usage;
      state.usage = {
        nodeRuns: state.usage.nodeRuns,
        inputTokens: state.usage.inputTokens + (u.inputTokens ?? 0),
        outputTokens: state.usage.outputTokens + (u.outputTokens ?? 0),
        costUsd: state.usage.costUsd + (u.costUsd ?? 0),
      };
      return state;
    }
    case 'NodeExecutionCompleted':
      setExec(state, event.data.nodeExecId, () => ({ status: 'COMPLETED', endedAt: event.data.endedAt }));
      return state;
    case 'NodeExecutionFailed': {
      const { nodeExecId, error, handled, endedAt } = event.data;
      setExec(state, nodeExecId, () => ({ status: 'FAILED', error, errorHandled: handled, endedAt }));
      if (!handled) state.unhandledFailures = [...state.unhandledFailures, nodeExecId];
      return state;
    }
    case 'NodeRetryScheduled':
      setExec(state, event.data.nodeExecId, () => ({
        status: 'QUEUED',
        attempt: event.data.attempt,
        error: event.data.error,
        notBefore: event.data.notBefore,
        workerId: undefined,
      }));
      state.usage = { ...state.usage, nodeRuns: state.usage.nodeRuns + 1 };
      return state;
    case 'NodeLeaseExpired':
      setExec(state, event.data.nodeExecId, () => ({
        status: 'QUEUED',
        attempt: event.data.nextAttempt,
        workerId: undefined,
        notBefore: undefined,
        resumeOutputs: true,
      }));
      return state;
    case 'NodeExecutionTerminated':
      setExec(state, event.data.nodeExecId, () => ({ status: 'TERMINATED', endedAt: event.data.endedAt }));
      return state;
    case 'ReviewRequested':
      setExec(state, event.data.nodeExecId, () => ({
        status: 'REVIEW',
        review: { payload: event.data.payload, message: event.data.message },
      }));
      return state;
    case 'ReviewDecided': {
      const { decision, editedData, userId, decidedAt, auto } = event.data;
      setExec(state, event.data.nodeExecId, (e) => ({
        review: { ...e.review!, decision, editedData, decidedBy: userId, decidedAt, auto },
      }));
      return state;
    }
    case 'SubExecutionStarted':
      setExec(state, event.data.nodeExecId, () => ({ childExecutionId: event.data.childExecutionId }));
      return state;
    case 'ExecutionCancelRequested':
      state.cancelReason = event.data.reason;
      return state;
    case 'ExecutionCompleted':
      state.status = 'COMPLETED';
      state.endedAt = event.data.endedAt;
      return state;
    case 'ExecutionFailed':
      state.status = 'FAILED';
      state.endedAt = event.data.endedAt;
      state.error = { reason: event.data.reason, code: event.data.code };
      return state;
    case 'ExecutionTerminated':
      state.status = 'TERMINATED';
      state.endedAt = event.data.endedAt;
      state.error = { reason: event.data.reason, code: 'TERMINATED' };
      return state;
    default:
      return assertNever(event, 'execution event');
  }
}

/* ------------------------------------------------------------------ decide */

/** One decision: a draft state plus the events emitted so far; every emitted event is applied to the draft. */
class Decision {
  readonly events: ExecutionEvent[] = [];
  budgetExceeded?: string;

  constructor(
    public state: ExecutionState,
    private readonly rules: ExecutionRules,
    readonly at: string,
  ) {}

  emit<E extends ExecutionEvent>(event: E): void {
    this.events.push(event);
    evolve(this.state, event);
  }

  exec(id: string): NodeExecState {
    const exec = this.state.nodeExecs.get(id);
    if (!exec) throw new DomainError('NOT_FOUND', `node execution ${id} not found`, { what: 'node execution', id });
    return exec;
  }

  node(id: string): PlanNode {
    return this.state.nodes.get(id)!;
  }

  isStaticLink(link: GraphLink): boolean {
    return link.isStatic || this.state.nodes.get(link.sourceId)?.staticOutput === true;
  }

  /** Deterministic, readable ids: `<nodeId>#<n>`, n counting this node's executions from 1. */
  create(node: PlanNode): NodeExecState {
    const nodeExecId = `${node.id}#${(this.state.execCountByNode.get(node.id) ?? 0) + 1}`;
    this.emit({
      type: 'NodeExecutionCreated',
      data: { nodeExecId, nodeId: node.id, blockId: node.blockId, createdAt: this.at },
    });
    return this.exec(nodeExecId);
  }

  /** Rule 5: queue the node execution if it is runnable; otherwise it stays INCOMPLETE. */
  tryQueue(execId: string): void {
    const exec = this.exec(execId);
    if (exec.status !== 'INCOMPLETE') return;
    const node = this.node(exec.nodeId);
    const statics = this.state.staticInputs.get(node.id) ?? {};
    const raw: Record<string, unknown> = { ...node.inputDefault };
    let unsatisfied: string[] | undefined;
    for (const link of this.state.linksTo.get(node.id) ?? []) {
      if (has(exec.inputs, link.sinkName)) continue;
      if (this.isStaticLink(link) && has(statics, link.sinkName)) raw[link.sinkName] = statics[link.sinkName];
      else if (!this.rules.missingInputs) return;
      else (unsatisfied ??= []).push(link.sinkName);
    }
    Object.assign(raw, exec.inputs);
    if (unsatisfied && this.rules.missingInputs!(node.blockId, raw, unsatisfied).length > 0) return;
    let input: Record<string, unknown>;
    try {
      input = mergeDynamicPins(raw);
    } catch {
      return;
    }
    if (validateTolerant(this.rules, node.inputSchema, input) !== undefined) return;
    const max = this.state.request!.budget.maxNodeRuns;
    if (max !== undefined && this.state.usage.nodeRuns >= max) {
      this.budgetExceeded ??= `budget exceeded: node runs limit of ${max} reached`;
      return;
    }
    this.queue(exec, input);
  }

  queue(exec: NodeExecState, input: Record<string, unknown>): void {
    assertTransition(exec, 'QUEUED');
    const attempt = exec.attempt + 1;
    this.emit({ type: 'NodeExecutionQueued', data: { nodeExecId: exec.id, attempt, input, queuedAt: this.at } });
    const node = this.node(exec.nodeId);
    if (node.kind === 'review') {
      this.emit({ type: 'NodeExecutionStarted', data: { nodeExecId: exec.id, attempt, startedAt: this.at } });
      this.emit({
        type: 'ReviewRequested',
        data: {
          nodeExecId: exec.id,
          payload: input.data,
          message: typeof input.message === 'string' ? input.message : undefined,
          requestedAt: this.at,
        },
      });
      if (this.state.request!.autoApproveReviews)
        this.decideReview(exec.id, 'approve', undefined, 'system', 'auto-approved by graph policy', true);
    }
  }

  decideReview(
    nodeExecId: string,
    decision: 'approve' | 'reject',
    editedData: unknown,
    userId: string,
    message: string | undefined,
    auto: boolean,
  ): void {
    const exec = this.exec(nodeExecId);
    if (exec.status !== 'REVIEW' || !exec.review)
      throw invalid(`node execution ${nodeExecId} has no pending review`, { nodeExecId, status: exec.status });
    this.emit({
      type: 'ReviewDecided',
      data: { nodeExecId, decision, editedData, userId, message, auto, decidedAt: this.at },
    });
    const payload = exec.review.payload;
    if (decision === 'approve')
      this.produce(nodeExecId, 'approved_data', editedData !== undefined ? editedData : payload);
    else this.produce(nodeExecId, 'rejected', payload);
    this.emit({ type: 'NodeExecutionCompleted', data: { nodeExecId, attempt: exec.attempt, endedAt: this.at } });
  }

  /** A yield: recorded, then fanned out along every link from that pin (rule 3). */
  produce(nodeExecId: string, pin: string, value: unknown): void {
    const exec = this.exec(nodeExecId);
    this.emit({
      type: 'NodeOutputProduced',
      data: { nodeExecId, attempt: exec.attempt, pin, value, producedAt: this.at },
    });
    for (const link of this.state.linksFrom.get(exec.nodeId) ?? []) {
      const picked = isBlobRef(value)
        ? link.sourceName === pin
          ? { matched: true, value }
          : { matched: false }
        : pickFromOutput(link.sourceName, pin, value);
      if (!picked.matched) continue;
      const sink = this.state.nodes.get(link.sinkId);
      if (!sink || sink.kind === 'note') continue;
      const isStatic = this.isStaticLink(link);
      const waiting = this.state.incompleteByNode.get(sink.id) ?? [];
      let targetId = waiting.find((id) => !has(this.state.nodeExecs.get(id)!.inputs, link.sinkName));
      targetId ??= this.create(sink).id;
      this.emit({
        type: 'NodeInputReceived',
        data: { nodeExecId: targetId, name: link.sinkName, value: picked.value, isStatic, fromNodeExecId: nodeExecId },
      });
      this.tryQueue(targetId);
      // A static value also completes every other execution of the sink that was waiting for it (rule 4).
      if (isStatic)
        for (const id of this.state.incompleteByNode.get(sink.id) ?? []) if (id !== targetId) this.tryQueue(id);
    }
  }

  /** A failed attempt: retried per policy (rule 11), else FAILED with the message on the `error` pin (rule 6). */
  fail(nodeExecId: string, error: NodeError, nowMs: number, allowRetry = true): void {
    const exec = this.exec(nodeExecId);
    const node = this.node(exec.nodeId);
    const policy = node.retry ?? (node.sideEffects ? undefined : this.rules.defaultRetry);
    const max = this.state.request!.budget.maxNodeRuns;
    const retryable =
      allowRetry &&
      policy !== undefined &&
      exec.attempt < policy.maxAttempts &&
      error.retryable !== false &&
      !policy.nonRetryableErrors.some((e) => e === error.code || e === error.message) &&
      (max === undefined || this.state.usage.nodeRuns < max);
    if (retryable) {
      assertTransition(exec, 'QUEUED');
      const delay = Math.min(
        policy.initialIntervalMs * Math.pow(policy.backoffCoefficient, exec.attempt - 1),
        policy.maxIntervalMs,
      );
      this.emit({
        type: 'NodeRetryScheduled',
        data: {
          nodeExecId,
          attempt: exec.attempt + 1,
          error,
          notBefore: nowMs + Math.max(0, delay),
          scheduledAt: this.at,
        },
      });
      return;
    }
    assertTransition(exec, 'FAILED');
    this.produce(nodeExecId, 'error', error.message);
    this.emit({
      type: 'NodeExecutionFailed',
      data: {
        nodeExecId,
        attempt: exec.attempt,
        error,
        handled: this.state.errorLinked.has(exec.nodeId),
        endedAt: this.at,
      },
    });
  }

  terminateActive(reason: string): void {
    for (const exec of this.state.nodeExecs.values()) {
      if (ACTIVE_NODE_STATUSES.has(exec.status))
        this.emit({ type: 'NodeExecutionTerminated', data: { nodeExecId: exec.id, reason, endedAt: this.at } });
    }
  }

  /** Rule 6: the execution ends when nothing is QUEUED, RUNNING or in REVIEW. Budgets end it early (rule 16). */
  finalize(): ExecutionEvent[] {
    const s = this.state;
    if (s.status !== 'RUNNING') return this.events;
    const budget = this.budgetExceeded ?? budgetProblem(s);
    if (budget) {
      this.terminateActive(budget);
      this.emit({ type: 'ExecutionFailed', data: { reason: budget, code: 'BUDGET_EXCEEDED', endedAt: this.at } });
    } else if (s.active === 0) {
      if (s.unhandledFailures.length === 0) this.emit({ type: 'ExecutionCompleted', data: { endedAt: this.at } });
      else {
        const first = s.nodeExecs.get(s.unhandledFailures[0])!;
        const reason = `node ${first.nodeId} failed: ${first.error?.message ?? 'unknown error'}${s.unhandledFailures.length > 1 ? ` (and ${s.unhandledFailures.length - 1} more)` : ''}`;
        this.emit({ type: 'ExecutionFailed', data: { reason, code: 'NODE_FAILED', endedAt: this.at } });
      }
    }
    return this.events;
  }
}

function budgetProblem(s: ExecutionState): string | undefined {
  const b = s.request!.budget;
  const tokens = s.usage.inputTokens + s.usage.outputTokens;
  if (b.maxTokens !== undefined && tokens > b.maxTokens)
    return `budget exceeded: ${tokens} LLM tokens used, limit ${b.maxTokens}`;
  if (b.maxCostUsd !== undefined && s.usage.costUsd > b.maxCostUsd)
    return `budget exceeded: cost $${s.usage.costUsd.toFixed(4)}, limit $${b.maxCostUsd}`;
  return undefined;
}

/** Values stored by reference are not validated (their content is not at hand); they count as present. */
function validateTolerant(rules: ExecutionRules, schema: Schema, input: Record<string, unknown>): string | undefined {
  const refs = Object.keys(input).filter((k) => isBlobRef(input[k]));
  if (refs.length === 0) return rules.validateInput(schema, input);
  const rest = { ...input };
  for (const k of refs) delete rest[k];
  const props = { ...(schema.properties ?? {}) };
  for (const k of refs) delete props[k];
  return rules.validateInput(
    { ...schema, properties: props, required: (schema.required ?? []).filter((r) => !refs.includes(r)) },
    rest,
  );
}

function assertRunning(state: ExecutionState): void {
  if (state.status === 'NEW') throw new DomainError('NOT_FOUND', 'execution not found', { what: 'execution' });
  if (state.status !== 'RUNNING') throw invalid(`execution is ${state.status}`, { status: state.status });
}

export function createExecutionDecider(
  rules: ExecutionRules = { validateInput: requiredFieldsOnly },
): Decider<ExecutionCommand, ExecutionEvent, ExecutionState> {
  function decide(command: ExecutionCommand, state: ExecutionState): ExecutionEvent[] {
    const at = command.data.at;
    const d = new Decision(draftOf(state), rules, at);
    switch (command.type) {
      case 'RequestExecution': {
        if (state.status !== 'NEW')
          throw new DomainError('ALREADY_EXISTS', `execution ${command.data.executionId} already exists`, {
            id: command.data.executionId,
          });
        const { at: _at, budget, autoApproveReviews, ...rest } = command.data;
        d.emit({
          type: 'ExecutionRequested',
          data: { ...rest, budget: budget ?? {}, autoApproveReviews: autoApproveReviews ?? false, requestedAt: at },
        });
        d.emit({ type: 'ExecutionStarted', data: { startedAt: at } });
        const fork = command.data.forkOf;
        if (fork) {
          const node = d.state.nodes.get(fork.nodeId);
          if (!node)
            throw new DomainError('NOT_FOUND', `node ${fork.nodeId} not found in the graph`, {
              what: 'node',
              id: fork.nodeId,
            });
          d.queue(d.create(node), fork.input);
          return d.finalize();
        }
        // Rule 1: input nodes get inputs[name]; nodes without inbound links start with their defaults.
        for (const node of command.data.plan.nodes) {
          if (node.kind === 'note' || (d.state.linksTo.get(node.id)?.length ?? 0) > 0) continue;
          const exec = d.create(node);
          const name = node.inputDefault.name;
          if (node.kind === 'input' && typeof name === 'string' && has(command.data.inputs, name)) {
            d.emit({
              type: 'NodeInputReceived',
              data: { nodeExecId: exec.id, name: 'value', value: command.data.inputs[name], isStatic: false },
            });
          }
          d.tryQueue(exec.id);
        }
        return d.finalize();
      }
      case 'ReportNodeProgress': {
        assertRunning(state);
        const { nodeExecId, attempt, workerId, started, usage, finished, nowMs, outputSeq } = command.data;
        let outputs = command.data.outputs;
        let exec = d.exec(nodeExecId);
        if (attempt < exec.attempt)
          throw invalid(`attempt ${attempt} of ${nodeExecId} is stale (current ${exec.attempt})`, {
            nodeExecId,
            attempt,
            current: exec.attempt,
          });
        if (attempt > exec.attempt) {
          // A redelivered task: the previous attempt's lease expired before the engine noticed (rule 12).
          if (!started || (exec.status !== 'QUEUED' && exec.status !== 'RUNNING'))
            throw invalid(`attempt ${attempt} of ${nodeExecId} was never dispatched`, { nodeExecId, attempt });
          assertTransition(exec, 'QUEUED');
          d.emit({
            type: 'NodeLeaseExpired',
            data: { nodeExecId, attempt: exec.attempt, nextAttempt: attempt, expiredAt: at },
          });
          exec = d.exec(nodeExecId);
        }
        if (started) {
          if (exec.status === 'RUNNING' && exec.workerId === workerId) {
            // duplicate delivery of the same report: nothing new
          } else {
            if (exec.status === 'RUNNING')
              throw invalid(`attempt ${attempt} of ${nodeExecId} is already running on ${exec.workerId}`, {
                nodeExecId,
                workerId: exec.workerId,
              });
            if (d.node(exec.nodeId).kind === 'agent' || d.node(exec.nodeId).kind === 'review')
              throw invalid(`node execution ${nodeExecId} is run by the engine`, { nodeExecId });
            assertTransition(exec, 'RUNNING');
            d.emit({ type: 'NodeTaskLeased', data: { nodeExecId, attempt, workerId, leasedAt: at } });
            d.emit({ type: 'NodeExecutionStarted', data: { nodeExecId, attempt, startedAt: at } });
          }
          exec = d.exec(nodeExecId);
        }
        const hasWork = (outputs?.length ?? 0) > 0 || usage !== undefined || finished !== undefined;
        if (hasWork) {
          if (exec.status !== 'RUNNING')
            throw invalid(`node execution ${nodeExecId} is ${exec.status}, not RUNNING`, {
              nodeExecId,
              status: exec.status,
            });
          if (exec.workerId !== undefined && exec.workerId !== workerId)
            throw invalid(`attempt ${attempt} of ${nodeExecId} belongs to ${exec.workerId}`, { nodeExecId });
        }
        if (outputSeq !== undefined && outputs?.length) {
          const recorded = exec.attemptOutputs ?? 0;
          if (outputSeq > recorded)
            throw invalid(`outputs ${recorded}..${outputSeq - 1} of ${nodeExecId} attempt ${attempt} never arrived`, {
              nodeExecId,
              recorded,
              outputSeq,
            });
          outputs = outputs.slice(recorded - outputSeq);
        }
        if (usage) d.emit({ type: 'NodeUsageRecorded', data: { nodeExecId, attempt, usage } });
        let failure = finished?.status === 'FAILED' ? (finished.error ?? { message: 'failed' }) : undefined;
        for (const output of outputs ?? []) {
          if (output.pin === 'error') {
            failure = { message: typeof output.value === 'string' ? output.value : JSON.stringify(output.value) };
            break;
          }
          d.produce(nodeExecId, output.pin, output.value);
        }
        if (failure) d.fail(nodeExecId, failure, nowMs);
        else if (finished) {
          assertTransition(d.exec(nodeExecId), 'COMPLETED');
          d.emit({ type: 'NodeExecutionCompleted', data: { nodeExecId, attempt, endedAt: at } });
        }
        return d.finalize();
      }
      case 'ExpireNodeLease': {
        assertRunning(state);
        const exec = d.exec(command.data.nodeExecId);
        if (exec.attempt !== command.data.attempt || (exec.status !== 'RUNNING' && exec.status !== 'QUEUED')) {
          throw invalid(`attempt ${command.data.attempt} of ${exec.id} holds no lease`, {
            nodeExecId: exec.id,
            status: exec.status,
          });
        }
        if (exec.attempt >= (rules.maxLeaseExpiries ?? 3)) {
          if (exec.status === 'QUEUED')
            d.emit({
              type: 'NodeExecutionStarted',
              data: { nodeExecId: exec.id, attempt: exec.attempt, startedAt: at },
            });
          d.fail(
            exec.id,
            { message: `runner lost ${exec.attempt} times (lease expired)`, code: 'LEASE_EXPIRED', retryable: false },
            0,
            false,
          );
        } else {
          assertTransition(exec, 'QUEUED');
          d.emit({
            type: 'NodeLeaseExpired',
            data: { nodeExecId: exec.id, attempt: exec.attempt, nextAttempt: exec.attempt + 1, expiredAt: at },
          });
        }
        return d.finalize();
      }
      case 'TimeOutNodeExecution': {
        assertRunning(state);
        const exec = d.exec(command.data.nodeExecId);
        if (exec.attempt !== command.data.attempt || exec.status !== 'RUNNING')
          throw invalid(`attempt ${command.data.attempt} of ${exec.id} is not running`, { nodeExecId: exec.id });
        const timeoutMs = d.node(exec.nodeId).timeoutMs;
        d.fail(
          exec.id,
          { message: `timed out after ${timeoutMs} ms`, code: 'TIMEOUT', retryable: true },
          command.data.nowMs,
        );
        return d.finalize();
      }
      case 'DecideReview': {
        assertRunning(state);
        const { nodeExecId, decision, editedData, userId, message } = command.data;
        d.decideReview(nodeExecId, decision, editedData, userId, message, false);
        return d.finalize();
      }
      case 'StartSubExecution': {
        assertRunning(state);
        const exec = d.exec(command.data.nodeExecId);
        if (d.node(exec.nodeId).kind !== 'agent')
          throw invalid(`node execution ${exec.id} is not a sub-agent`, { nodeExecId: exec.id });
        assertTransition(exec, 'RUNNING');
        if (exec.status !== 'QUEUED')
          throw invalid(`node execution ${exec.id} is ${exec.status}`, { nodeExecId: exec.id });
        d.emit({ type: 'NodeExecutionStarted', data: { nodeExecId: exec.id, attempt: exec.attempt, startedAt: at } });
        const input = exec.input ?? {};
        d.emit({
          type: 'SubExecutionStarted',
          data: {
            nodeExecId: exec.id,
            childExecutionId: command.data.childExecutionId,
            graphId: String(input.graph_id ?? ''),
            graphVersion: typeof input.graph_version === 'number' ? input.graph_version : undefined,
            startedAt: at,
          },
        });
        return d.finalize();
      }
      case 'FinishSubExecution': {
        assertRunning(state);
        const { nodeExecId, childExecutionId, status, outputs, error } = command.data;
        const exec = d.exec(nodeExecId);
        if (exec.status !== 'RUNNING' || exec.childExecutionId !== childExecutionId)
          throw invalid(`node execution ${nodeExecId} is not waiting for ${childExecutionId}`, { nodeExecId });
        if (status === 'COMPLETED') {
          for (const o of outputs) d.produce(nodeExecId, o.name, o.value);
          d.emit({ type: 'NodeExecutionCompleted', data: { nodeExecId, attempt: exec.attempt, endedAt: at } });
        } else {
          d.fail(
            nodeExecId,
            error ?? {
              message: `sub-agent execution ${childExecutionId} ${status === 'FAILED' ? 'failed' : 'was terminated'}`,
            },
            0,
            false,
          );
        }
        return d.finalize();
      }
      case 'CancelExecution': {
        assertRunning(state);
        const reason = command.data.reason ?? 'cancelled';
        d.emit({ type: 'ExecutionCancelRequested', data: { reason, requestedAt: at } });
        d.terminateActive(reason);
        d.emit({ type: 'ExecutionTerminated', data: { reason, endedAt: at } });
        return d.events;
      }
      case 'FailExecution': {
        assertRunning(state);
        d.terminateActive(command.data.reason);
        d.emit({
          type: 'ExecutionFailed',
          data: { reason: command.data.reason, code: command.data.code, endedAt: at },
        });
        return d.events;
      }
      default:
        return assertNever(command, 'execution command');
    }
  }
  return { decide, evolve, initialState };
}

export const executionDecider = createExecutionDecider();

export type { EventOf };
