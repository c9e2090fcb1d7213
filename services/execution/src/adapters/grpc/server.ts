import type { EventStore } from '@agentry/event-log';
import { implement, requireCaller, type GrpcServiceRegistration } from '@agentry/grpc';
import { DomainError, type EventEnvelope } from '@agentry/kernel';
import { executionV1, type commonV1 } from '@agentry/proto-ts';
import type { ExecutionEngine } from '../../app/engine';
import type { ExecutionView } from '../../domain/execution/view';

const TRIGGERS = ['manual', 'schedule', 'webhook', 'api', 'subagent'] as const;
type TriggerName = (typeof TRIGGERS)[number];

export function envelopeToProto(e: EventEnvelope): commonV1.EventEnvelope {
  return {
    id: e.id,
    type: e.type,
    streamId: e.streamId,
    streamVersion: e.streamVersion,
    globalPosition: e.globalPosition,
    tenantId: e.tenantId,
    occurredAt: e.occurredAt,
    causationId: e.causationId ?? '',
    correlationId: e.correlationId ?? '',
    traceparent: e.traceparent ?? '',
    data: e.data,
  };
}

/** JSON round trip: protobuf Value cannot carry undefined, Dates or class instances. */
const plain = <T>(v: T): T => (v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T));

export function executionToProto(v: ExecutionView): executionV1.Execution {
  return {
    id: v.id,
    tenantId: v.tenantId,
    graphId: v.graphId,
    graphVersion: v.graphVersion,
    status: v.status,
    trigger: v.trigger,
    inputs: plain(v.inputs),
    outputs: plain(v.outputs),
    nodeExecutions: v.nodeExecutions.map((n) => ({
      id: n.id,
      nodeId: n.nodeId,
      blockId: n.blockId,
      status: n.status,
      attempt: n.attempt,
      input: plain(n.input ?? n.receivedInputs),
      outputs: plain(n.outputs),
      error: plain(n.error),
      startedAt: n.startedAt ?? '',
      endedAt: n.endedAt ?? '',
    })),
    error: plain(v.error),
    startedAt: v.startedAt ?? v.requestedAt,
    endedAt: v.endedAt ?? '',
    parentExecutionId: v.parentExecutionId ?? '',
    extra: plain({
      requestedAt: v.requestedAt,
      usage: v.usage,
      budget: v.budget,
      reviews: v.nodeExecutions.filter((n) => n.review).map((n) => ({ nodeExecId: n.id, nodeId: n.nodeId, ...n.review })),
    }),
  };
}

export function executionGrpcService(engine: ExecutionEngine, events: EventStore): GrpcServiceRegistration {
  return {
    name: 'agentry.execution.v1.ExecutionService',
    definition: executionV1.ExecutionServiceService,
    implementation: implement('execution', executionV1.ExecutionServiceService, {
      async requestExecution(req) {
        const caller = requireCaller(req.caller);
        const trigger = (req.trigger || 'manual') as TriggerName;
        if (!TRIGGERS.includes(trigger)) throw new DomainError('VALIDATION_FAILED', `unknown trigger '${req.trigger}'`, { errors: { trigger: TRIGGERS.join(', ') } });
        return engine.requestExecution({
          tenantId: caller.tenantId,
          userId: caller.userId,
          graphId: req.graphId,
          graphVersion: req.graphVersion || undefined,
          inputs: req.inputs ?? {},
          trigger,
          parentExecutionId: req.parentExecutionId || undefined,
        });
      },
      async getExecution(req) {
        const caller = requireCaller(req.caller);
        return { execution: executionToProto(await engine.get(caller.tenantId, req.executionId)) };
      },
      async listExecutions(req) {
        const caller = requireCaller(req.caller);
        const page = await engine.list(caller.tenantId, {
          graphId: req.graphId || undefined,
          status: (req.status || undefined) as never,
          trigger: (req.trigger || undefined) as never,
          from: req.from || undefined,
          to: req.to || undefined,
          cursor: req.page?.cursor || undefined,
          limit: req.page?.limit || undefined,
        });
        return {
          items: page.items.map((s) => ({
            id: s.id,
            graphId: s.graphId,
            graphVersion: s.graphVersion,
            status: s.status,
            trigger: s.trigger,
            startedAt: s.startedAt ?? s.requestedAt,
            endedAt: s.endedAt ?? '',
          })),
          page: { nextCursor: page.nextCursor ?? '' },
        };
      },
      async cancelExecution(req) {
        const caller = requireCaller(req.caller);
        await engine.cancel(caller.tenantId, req.executionId, req.reason || undefined);
        return {};
      },
      async decideReview(req) {
        const caller = requireCaller(req.caller);
        if (req.decision !== 'approve' && req.decision !== 'reject') throw new DomainError('VALIDATION_FAILED', "decision must be 'approve' or 'reject'", { errors: { decision: 'approve | reject' } });
        await engine.decideReview({
          tenantId: caller.tenantId,
          executionId: req.executionId,
          nodeExecId: req.nodeExecId,
          decision: req.decision,
          editedData: req.editedData,
          userId: caller.userId,
          message: req.message || undefined,
        });
        return {};
      },
      async reportNodeProgress(req) {
        return engine.reportNodeProgress({
          tenantId: req.tenantId,
          executionId: req.executionId,
          nodeExecId: req.nodeExecId,
          attempt: req.attempt,
          workerId: req.workerId,
          started: req.started || undefined,
          outputSeq: req.outputSeq,
          outputs: req.outputs.map((o) => ({ pin: o.pin, value: o.value })),
          finished: req.finished
            ? { status: req.finished.status as 'COMPLETED' | 'FAILED', error: req.finished.error ? { message: req.finished.error.message, code: req.finished.error.code || undefined, retryable: req.finished.error.retryable } : undefined }
            : undefined,
          usage: req.usage ? { model: req.usage.model || undefined, inputTokens: req.usage.inputTokens, outputTokens: req.usage.outputTokens, costUsd: req.usage.costUsd } : undefined,
        });
      },
      async listExecutionEvents(req) {
        const caller = requireCaller(req.caller);
        return { events: (await engine.events(caller.tenantId, req.executionId)).map(envelopeToProto) };
      },
      async forkExecution(req) {
        const caller = requireCaller(req.caller);
        if (!req.fromNodeExecId && !req.fromNodeId)
          throw new DomainError('VALIDATION_FAILED', 'fork needs fromNodeId or fromNodeExecId', { errors: { fromNodeId: 'required' } });
        return engine.fork(caller.tenantId, req.executionId, req.fromNodeExecId || { nodeId: req.fromNodeId }, caller.userId || undefined);
      },
      async watchExecutionEvents(req, call) {
        const caller = requireCaller(req.caller);
        // Tail the execution category from a position; stops when the client goes away.
        let after = req.afterPosition;
        let open = true;
        call.on('cancelled', () => (open = false));
        call.on('close', () => (open = false));
        while (open) {
          const page = await events.readAll({ after, limit: 500, categories: ['execution'] });
          for (const e of page) {
            after = e.globalPosition;
            if (e.tenantId === caller.tenantId) call.write({ event: envelopeToProto(e) });
          }
          if (page.length < 500) await new Promise((r) => setTimeout(r, 50));
        }
      },
    }),
  };
}
