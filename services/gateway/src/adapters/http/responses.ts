import { z } from 'zod';

/** Response shapes, for the OpenAPI document (and so for the contract test that checks real responses against it). */
const json = z.unknown();
const obj = z.record(z.string(), z.unknown());
const iso = z.string();

export const tokenResponse = z.object({
  accessToken: z.string(),
  tokenType: z.literal('Bearer'),
  expiresIn: z.number().int(),
  refreshToken: z.string().optional(),
  tenantId: z.string().optional(),
});

export const meResponse = z.object({
  id: z.string(),
  email: z.string(),
  tenantId: z.string(),
  roles: z.array(z.string()),
  scopes: z.array(z.string()).optional(),
  platformAdmin: z.boolean().optional(),
  tenants: z.array(z.object({ id: z.string(), name: z.string(), role: z.string() })).optional(),
});

export const blockResponse = z.looseObject({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  categories: z.array(z.string()),
  kind: z.string().optional(),
  inputSchema: obj,
  outputSchema: obj,
});

export const nodeResponse = z.looseObject({
  id: z.string(),
  blockId: z.string(),
  inputDefault: obj.optional(),
  metadata: obj.optional(),
});
export const linkResponse = z.looseObject({
  id: z.string(),
  sourceId: z.string(),
  sourceName: z.string(),
  sinkId: z.string(),
  sinkName: z.string(),
  isStatic: z.boolean(),
});

export const graphResponse = z.looseObject({
  id: z.string(),
  version: z.number().int(),
  tenantId: z.string(),
  name: z.string(),
  description: z.string(),
  isActive: z.boolean(),
  nodes: z.array(nodeResponse),
  links: z.array(linkResponse),
  createdAt: iso,
  updatedAt: iso,
});

export const graphSummary = z.looseObject({
  id: z.string(),
  version: z.number().int(),
  name: z.string(),
  description: z.string(),
  isActive: z.boolean(),
  updatedAt: iso,
  nodeCount: z.number().int(),
});
export const graphVersion = z.looseObject({ version: z.number().int(), createdAt: iso, isActive: z.boolean() });

export const exportResponse = z.looseObject({
  id: z.string(),
  version: z.number().int(),
  name: z.string(),
  description: z.string(),
  nodes: z.array(nodeResponse),
  links: z.array(linkResponse),
});

export const nodeExecution = z.looseObject({
  id: z.string(),
  nodeId: z.string(),
  blockId: z.string(),
  status: z.string(),
  attempt: z.number().int(),
  input: json,
  outputs: json,
});

export const executionResponse = z.looseObject({
  id: z.string(),
  tenantId: z.string(),
  graphId: z.string(),
  graphVersion: z.number().int(),
  status: z.enum(['QUEUED', 'RUNNING', 'REVIEW', 'COMPLETED', 'FAILED', 'TERMINATED', 'INCOMPLETE']),
  trigger: z.string(),
  inputs: json,
  outputs: json,
  nodeExecutions: z.array(nodeExecution),
});

export const executionSummary = z.looseObject({
  id: z.string(),
  graphId: z.string(),
  graphVersion: z.number().int(),
  status: z.string(),
  trigger: z.string(),
});

export const eventEnvelope = z.looseObject({
  id: z.string(),
  type: z.string(),
  streamId: z.string(),
  streamVersion: z.number().int(),
  globalPosition: z.number().int(),
  tenantId: z.string(),
  occurredAt: iso,
  data: json,
});

export const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().optional() });
export const list = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });

export const accepted = z.object({ executionId: z.string() });

export const apiKeyResponse = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  scopes: z.array(z.string()),
  userId: z.string(),
  createdAt: iso,
  expiresAt: iso.optional(),
  lastUsedAt: iso.optional(),
  revokedAt: iso.optional(),
});
export const createdApiKey = apiKeyResponse.extend({
  key: z.string().describe('The key itself: shown only in this response'),
});

export const tenantResponse = z.object({ id: z.string(), name: z.string(), role: z.string(), createdAt: iso });
export const memberResponse = z.object({ userId: z.string(), email: z.string(), role: z.string() });
export const invitationResponse = z.object({
  id: z.string(),
  email: z.string(),
  role: z.string(),
  status: z.enum(['pending', 'accepted', 'revoked']),
  expiresAt: iso,
  createdAt: iso,
  token: z.string().optional().describe('Only in the creation response'),
});

export const jwksResponse = z.object({
  keys: z.array(z.looseObject({ kty: z.string(), kid: z.string(), alg: z.string(), use: z.string() })),
});
