import { z } from 'zod';
import { DomainError } from '@agentry/kernel';

export const loginBody = z.object({ email: z.string().min(1).max(320), password: z.string().min(1).max(1024) });

const retryPolicy = z.object({
  maxAttempts: z.number().int().min(1).max(100),
  initialIntervalMs: z.number().int().min(0).default(1000),
  backoffCoefficient: z.number().min(1).default(2),
  maxIntervalMs: z.number().int().min(0).default(60000),
  nonRetryableErrors: z.array(z.string()).default([]),
});

export const nodeBody = z.object({
  id: z.string().min(1).max(200),
  blockId: z.string().min(1).max(200),
  inputDefault: z.record(z.string(), z.unknown()).default({}),
  metadata: z.record(z.string(), z.unknown()).default({}),
  retry: retryPolicy.optional(),
  timeoutMs: z.number().int().positive().optional(),
});

export const linkBody = z.object({
  id: z.string().max(200).optional(),
  sourceId: z.string().min(1),
  sourceName: z.string().min(1),
  sinkId: z.string().min(1),
  sinkName: z.string().min(1),
  isStatic: z.boolean().default(false),
});

export const graphBody = z.object({
  name: z.string().min(1).max(500),
  description: z.string().max(20000).default(''),
  nodes: z.array(nodeBody).max(5000).default([]),
  links: z.array(linkBody).max(20000).default([]),
});

export const updateGraphBody = graphBody.extend({ baseVersion: z.number().int().positive() });

export const executeBody = z.object({
  inputs: z.record(z.string(), z.unknown()).default({}),
  version: z.number().int().positive().optional(),
});

export const reviewBody = z.object({
  decision: z.enum(['approve', 'reject']),
  editedData: z.unknown().optional(),
  message: z.string().max(5000).optional(),
});

export const pageQuery = z.object({
  cursor: z.string().max(2000).optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
});

export const listGraphsQuery = pageQuery.extend({
  q: z.string().max(500).optional(),
  sort: z.enum(['name', 'updatedAt']).optional(),
});

export const listExecutionsQuery = pageQuery.extend({
  graphId: z.string().max(200).optional(),
  status: z.enum(['QUEUED', 'RUNNING', 'REVIEW', 'COMPLETED', 'FAILED', 'TERMINATED', 'INCOMPLETE']).optional(),
  trigger: z.enum(['manual', 'schedule', 'webhook', 'api', 'subagent']).optional(),
  from: z.iso.datetime().optional(),
  to: z.iso.datetime().optional(),
});

/** Parse or answer 400 with every field problem, keyed by its path (e.g. `nodes.0.blockId`). */
export function parse<T extends z.ZodType>(schema: T, value: unknown, where = 'body'): z.output<T> {
  const result = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  if (result.success) return result.data;
  const errors: Record<string, string> = {};
  for (const issue of result.error.issues) {
    const key = issue.path.length ? issue.path.join('.') : where;
    errors[key] ??= issue.message;
  }
  throw new DomainError(
    'VALIDATION_FAILED',
    `the request ${where} is not valid: ${Object.entries(errors)
      .map(([k, v]) => `${k}: ${v}`)
      .join('; ')}`,
    { errors },
  );
}

/** Cursor pagination over an in-memory, already sorted list: the cursor names the last item of the previous page. */
export function pageOf<T>(
  items: T[],
  keyOf: (item: T) => string,
  q: { cursor?: string; limit?: number },
): { items: T[]; nextCursor?: string } {
  const limit = q.limit ?? 50;
  let start = 0;
  if (q.cursor) {
    let after: string;
    try {
      after = Buffer.from(q.cursor, 'base64url').toString('utf8');
    } catch {
      after = '';
    }
    const at = items.findIndex((i) => keyOf(i) === after);
    if (at < 0)
      throw new DomainError(
        'VALIDATION_FAILED',
        'the cursor is not valid (the list changed, or it belongs to another list)',
        { errors: { cursor: 'invalid' } },
      );
    start = at + 1;
  }
  const page = items.slice(start, start + limit);
  const more = start + limit < items.length;
  return {
    items: page,
    nextCursor: more && page.length ? Buffer.from(keyOf(page[page.length - 1])).toString('base64url') : undefined,
  };
}
