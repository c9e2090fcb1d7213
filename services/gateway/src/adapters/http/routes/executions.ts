import type { Router } from 'express';
import { z } from 'zod';
import type { HttpAppOptions } from '../app';
import { callerOf, param } from './context';

type Options = HttpAppOptions & Required<Pick<HttpAppOptions, 'api'>>;

/** Rule 17 (ENGINE.md): re-run from one node, reusing the recorded outputs upstream of it. */
export const forkBody = z
  .strictObject({
    fromNodeId: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe('Re-run from this node: its latest execution that ran is used'),
    fromNodeExecId: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe('Or exactly this node execution (`<nodeId>#<n>`); takes precedence'),
  })
  .refine((b) => b.fromNodeId !== undefined || b.fromNodeExecId !== undefined, {
    message: 'name fromNodeId or fromNodeExecId',
  });

export const forkResponse = z.object({
  executionId: z.string().describe('The new execution'),
  forkedFrom: z.object({ executionId: z.string(), nodeExecId: z.string() }),
});

/** Execution routes beyond the basic ones of api.ts: replay and fork. */
export function executionExtraRoutes(r: Router, { clients, api }: Options): void {
  api.route(
    r,
    {
      method: 'post',
      path: '/v1/executions/:id/fork',
      tag: 'executions',
      summary:
        'Fork: a new execution re-running one node with its recorded input (upstream outputs come from the log), and everything downstream',
      scope: 'executions:write',
      body: forkBody,
      responses: { 202: { description: 'the fork was requested', schema: forkResponse } },
    },
    async ({ req, res, body }) => {
      const executionId = param(req, 'id');
      const out = await clients.execution.forkExecution({
        caller: callerOf(res),
        executionId,
        fromNodeId: body.fromNodeId ?? '',
        fromNodeExecId: body.fromNodeExecId ?? '',
      });
      res
        .status(202)
        .location(`/api/v1/executions/${out.executionId}`)
        .json({ executionId: out.executionId, forkedFrom: { executionId, nodeExecId: out.fromNodeExecId } });
    },
  );
}
