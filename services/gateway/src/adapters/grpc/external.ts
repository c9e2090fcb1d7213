import type { Metadata } from '@grpc/grpc-js';
import { implement } from '@agentry/grpc';
import { DomainError } from '@agentry/kernel';
import { gatewayV1, type commonV1 } from '@agentry/proto-ts';
import type { ServiceClients } from '../../app/clients';
import type { Drain } from '../../app/drain';
import type { AccessClaims } from '../../app/tokens';
import type { Scope } from '../../domain/accounts/events';
import { checkScope, type Authenticator } from '../http/auth';

/** Reads `authorization: Bearer …` or `x-api-key` metadata; the tenant always comes from the credential. */
async function callerFrom(
  auth: Authenticator,
  metadata: Metadata,
  scope?: Scope,
): Promise<{ claims: AccessClaims; caller: commonV1.CallerContext }> {
  const header = metadata.get('authorization')[0]?.toString();
  const apiKey = metadata.get('x-api-key')[0]?.toString();
  let bearer: string | undefined;
  if (header !== undefined) {
    const m = header.match(/^Bearer\s+(\S{1,8192})$/i);
    if (!m) throw new DomainError('UNAUTHENTICATED', 'send `authorization: Bearer <token>` or `x-api-key` metadata');
    bearer = m[1];
  }
  const claims = await auth.authenticate({ bearer, apiKey });
  if (scope) checkScope(claims, scope);
  return { claims, caller: { tenantId: claims.tenant, userId: claims.sub, roles: claims.roles } };
}

const required = (value: string, name: string) => {
  if (!value || value.length > 200)
    throw new DomainError('VALIDATION_FAILED', `${name} is required`, { errors: { [name]: 'required' } });
  return value;
};

/** agentry.gateway.v1.GatewayService: the graph and execution operations of the REST API, over gRPC. */
export function externalGrpcService(deps: {
  auth: Authenticator;
  clients: ServiceClients;
  info: { version: string; mode: string };
  drain?: Drain;
}) {
  const { auth, clients } = deps;
  return implement('gateway', gatewayV1.GatewayServiceService, {
    async getServerInfo() {
      return {
        version: deps.info.version,
        mode: deps.info.mode,
        services: [
          'graph',
          'execution',
          'block-runner',
          'integration',
          'store',
          'scheduler',
          'notification',
          'gateway',
        ],
      };
    },
    async whoAmI(_req, call) {
      const { claims } = await callerFrom(auth, call.metadata);
      return { userId: claims.sub, tenantId: claims.tenant, roles: claims.roles, scopes: claims.scopes ?? [] };
    },
    async listGraphs(req, call) {
      const { caller } = await callerFrom(auth, call.metadata, 'graphs:read');
      return clients.graph.listGraphs({ caller, page: req.page, query: req.query, sort: req.sort });
    },
    async getGraph(req, call) {
      const { caller } = await callerFrom(auth, call.metadata, 'graphs:read');
      return clients.graph.getGraph({ caller, graphId: required(req.graphId, 'graph_id'), version: req.version });
    },
    async createGraph(req, call) {
      const { caller } = await callerFrom(auth, call.metadata, 'graphs:write');
      if (!req.draft?.name)
        throw new DomainError('VALIDATION_FAILED', 'draft.name is required', { errors: { 'draft.name': 'required' } });
      return clients.graph.createGraph({ caller, draft: req.draft, forkedFrom: undefined });
    },
    async updateGraph(req, call) {
      const { caller } = await callerFrom(auth, call.metadata, 'graphs:write');
      return clients.graph.updateGraph({
        caller,
        graphId: required(req.graphId, 'graph_id'),
        draft: req.draft,
        baseVersion: req.baseVersion,
      });
    },
    async deleteGraph(req, call) {
      const { caller } = await callerFrom(auth, call.metadata, 'graphs:write');
      return clients.graph.deleteGraph({ caller, graphId: required(req.graphId, 'graph_id') });
    },
    async executeGraph(req, call) {
      const { caller, claims } = await callerFrom(auth, call.metadata, 'executions:write');
      deps.drain?.admit('POST', `/v1/graphs/${req.graphId}/execute`);
      return clients.execution.requestExecution({
        caller,
        graphId: required(req.graphId, 'graph_id'),
        graphVersion: req.graphVersion,
        inputs: req.inputs ?? {},
        trigger: claims.keyId ? 'api' : 'manual',
        parentExecutionId: '',
      });
    },
    async getExecution(req, call) {
      const { caller } = await callerFrom(auth, call.metadata, 'executions:read');
      return clients.execution.getExecution({ caller, executionId: required(req.executionId, 'execution_id') });
    },
    async listExecutions(req, call) {
      const { caller } = await callerFrom(auth, call.metadata, 'executions:read');
      return clients.execution.listExecutions({
        caller,
        page: req.page,
        graphId: req.graphId,
        status: req.status,
        trigger: '',
        from: '',
        to: '',
      });
    },
    async cancelExecution(req, call) {
      const { caller } = await callerFrom(auth, call.metadata, 'executions:write');
      return clients.execution.cancelExecution({
        caller,
        executionId: required(req.executionId, 'execution_id'),
        reason: 'cancelled over gRPC',
      });
    },
    async listExecutionEvents(req, call) {
      const { caller } = await callerFrom(auth, call.metadata, 'executions:read');
      return clients.execution.listExecutionEvents({ caller, executionId: required(req.executionId, 'execution_id') });
    },
  });
}
