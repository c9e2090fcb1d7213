import type { Router } from 'express';
import { z } from 'zod';
import { DomainError, newId } from '@agentry/kernel';
import type { Invitation, User } from '../../../app/accounts';
import type { ApiKeySummary } from '../../../app/api-keys';
import { ROLES, SCOPES } from '../../../domain/accounts/events';
import type { HttpAppOptions } from '../app';
import * as R from '../responses';
import { loginBody, pageOf, pageQuery } from '../schemas';
import { claimsOf, param } from './context';

type Options = HttpAppOptions & Required<Pick<HttpAppOptions, 'api' | 'sessions' | 'apiKeys' | 'config' | 'mailer'>>;

const email = z
  .string()
  .trim()
  .min(3)
  .max(320)
  .regex(/^[^\s@]+@[^\s@]+$/, 'an email address');
const password = z.string().min(8).max(1024);
const refreshBody = z.object({ refreshToken: z.string().min(1).max(512) });
const role = z.enum(ROLES);
const ok = z.object({ ok: z.literal(true) });

/** Routes that need no credential: sign-in, sign-up, refresh, logout, password reset, accepting an invitation. */
export function publicAccountRoutes(r: Router, options: Options): void {
  const { api, accounts, sessions, config, mailer } = options;
  const tag = 'auth';

  api.route(
    r,
    {
      method: 'post',
      path: '/v1/auth/login',
      tag,
      auth: 'none',
      summary: 'Sign in: an access token (ES256 JWT) and a refresh token',
      body: loginBody.extend({
        tenantId: z.string().max(200).optional().describe('Tenant to sign into (default: the home tenant)'),
      }),
      responses: { 200: { description: 'signed in', schema: R.tokenResponse } },
    },
    async ({ res, body }) => {
      const user = await accounts.authenticate(body.email, body.password);
      res.json(await signIn(options, user, body.tenantId));
    },
  );

  api.route(
    r,
    {
      method: 'post',
      path: '/v1/auth/signup',
      tag,
      auth: 'none',
      summary: 'Create an account and its own tenant (when AGENTRY_SIGNUP=open)',
      body: z.object({ email, password, tenantName: z.string().min(1).max(200).optional() }),
      responses: { 201: { description: 'signed up and signed in', schema: R.tokenResponse } },
    },
    async ({ res, body }) => {
      if (config.AGENTRY_SIGNUP !== 'open')
        throw new DomainError('PERMISSION_DENIED', 'sign-up is closed on this server; ask an admin for an invitation');
      const user = await accounts.signUp(body);
      res.status(201).json(await signIn(options, user));
    },
  );

  api.route(
    r,
    {
      method: 'post',
      path: '/v1/auth/refresh',
      tag,
      auth: 'none',
      summary: 'Swap a refresh token for new tokens (the old refresh token stops working)',
      body: refreshBody,
      responses: { 200: { description: 'new tokens', schema: R.tokenResponse } },
    },
    async ({ res, body }) => {
      const next = await sessions.rotate(body.refreshToken);
      const membership = accounts.membershipFor(
        next.userId,
        accounts.roleOf(next.userId, next.tenantId) ? next.tenantId : undefined,
      );
      const token = await options.tokens.issue({
        sub: next.userId,
        tenant: membership.tenantId,
        roles: [membership.role],
        sid: next.sessionId,
      });
      res.json({
        accessToken: token.accessToken,
        tokenType: 'Bearer',
        expiresIn: token.expiresIn,
        refreshToken: next.refreshToken,
        tenantId: membership.tenantId,
      });
    },
  );

  api.route(
    r,
    {
      method: 'post',
      path: '/v1/auth/logout',
      tag,
      auth: 'none',
      summary: 'Revoke a refresh token (and the access tokens of its session)',
      body: refreshBody,
      responses: { 200: { description: 'signed out', schema: ok } },
    },
    async ({ res, body }) => {
      await sessions.revoke(body.refreshToken);
      res.json({ ok: true });
    },
  );

  api.route(
    r,
    {
      method: 'post',
      path: '/v1/auth/password-reset',
      tag,
      auth: 'none',
      summary: 'Email a password-reset link (same answer whether the account exists or not)',
      body: z.object({ email }),
      responses: { 202: { description: 'requested', schema: ok } },
    },
    async ({ res, body }) => {
      const reset = await accounts.requestPasswordReset(body.email, config.AGENTRY_PASSWORD_RESET_TTL_SECONDS);
      if (reset) {
        const link = `${publicUrl(options)}/reset-password?token=${encodeURIComponent(reset.token)}`;
        await mailer
          .send({
            to: reset.user.email,
            subject: 'Reset your Agentry password',
            text: `Someone asked to reset the password of ${reset.user.email}.\n\nReset it at ${link}\nor send this token to POST /api/v1/auth/password-reset/confirm:\n\n${reset.token}\n\nThe token expires in ${Math.round(config.AGENTRY_PASSWORD_RESET_TTL_SECONDS / 60)} minutes. If it was not you, ignore this mail.\n`,
          })
          .catch((err: unknown) => options.logger.error({ err }, 'password-reset mail not sent'));
      }
      res.status(202).json({ ok: true });
    },
  );

  api.route(
    r,
    {
      method: 'post',
      path: '/v1/auth/password-reset/confirm',
      tag,
      auth: 'none',
      summary: 'Set a new password with the emailed token (signs out every session)',
      body: z.object({ token: z.string().min(1).max(512), password }),
      responses: { 200: { description: 'changed', schema: ok } },
    },
    async ({ res, body }) => {
      const user = await accounts.resetPassword(body.token, body.password);
      await sessions.revokeAllOf(user.id, 'password-changed');
      res.json({ ok: true });
    },
  );

  api.route(
    r,
    {
      method: 'post',
      path: '/v1/invitations/accept',
      tag: 'tenants',
      auth: 'none',
      summary: 'Accept an invitation as a newcomer (creates the account, even when sign-up is closed)',
      body: z.object({ token: z.string().min(1).max(512), password }),
      responses: { 200: { description: 'joined and signed in', schema: R.tokenResponse } },
    },
    async ({ res, body }) => {
      const out = await accounts.acceptInvitation(body.token, { password: body.password });
      res.json(await signIn(options, out.user, out.tenantId));
    },
  );
}

/** Signed-in routes: the account, its tenants, members, invitations, API keys; platform admin. */
export function accountRoutes(r: Router, options: Options): void {
  const { api, accounts, sessions, apiKeys, config, tokens } = options;

  api.route(
    r,
    {
      method: 'get',
      path: '/v1/me',
      tag: 'auth',
      summary: 'The signed-in user (or the API key owner) and their tenants',
      responses: { 200: { description: 'me', schema: R.meResponse } },
    },
    async ({ res }) => {
      const c = claimsOf(res);
      const user = accounts.getUser(c.sub);
      if (c.external || !user)
        return void res.json({ id: c.sub, email: c.external?.email ?? '', tenantId: c.tenant, roles: c.roles });
      res.json({
        id: user.id,
        email: user.email,
        tenantId: c.tenant,
        roles: c.roles,
        scopes: c.scopes,
        platformAdmin: user.platformAdmin,
        tenants: c.scopes
          ? undefined
          : accounts.tenantsOf(user.id).map((m) => ({ id: m.tenant.id, name: m.tenant.name, role: m.role })),
      });
    },
  );

  api.route(
    r,
    {
      method: 'post',
      path: '/v1/auth/switch-tenant',
      tag: 'auth',
      summary: 'New tokens for another tenant the user is a member of',
      userOnly: true,
      body: z.object({ tenantId: z.string().min(1).max(200) }),
      responses: { 200: { description: 'signed into the tenant', schema: R.tokenResponse } },
    },
    async ({ res, body }) => {
      res.json(await signIn(options, accounts.getUser(claimsOf(res).sub)!, body.tenantId));
    },
  );

  api.route(
    r,
    {
      method: 'post',
      path: '/v1/me/password',
      tag: 'auth',
      summary: 'Change the password (signs out every session)',
      userOnly: true,
      body: z.object({ currentPassword: z.string().min(1).max(1024), newPassword: password }),
      responses: { 200: { description: 'changed', schema: ok } },
    },
    async ({ res, body }) => {
      const c = claimsOf(res);
      await accounts.changePassword(c.sub, body.currentPassword, body.newPassword);
      await sessions.revokeAllOf(c.sub, 'password-changed');
      res.json({ ok: true });
    },
  );

  // Tenants
  const tag = 'tenants';
  api.route(
    r,
    {
      method: 'get',
      path: '/v1/tenants',
      tag,
      summary: 'Tenants the user is a member of (oldest first; `q` filters by name)',
      userOnly: true,
      query: pageQuery.extend({ q: z.string().max(200).optional() }),
      responses: { 200: { description: 'tenants', schema: R.page(R.tenantResponse) } },
    },
    async ({ res, query }) => {
      const q = query.q?.toLowerCase();
      const items = accounts
        .tenantsOf(claimsOf(res).sub)
        .filter((m) => !q || m.tenant.name.toLowerCase().includes(q))
        .map((m) => ({ id: m.tenant.id, name: m.tenant.name, role: m.role, createdAt: m.tenant.createdAt }));
      res.json(pageOf(items, (t) => t.id, query));
    },
  );

  api.route(
    r,
    {
      method: 'post',
      path: '/v1/tenants',
      tag,
      summary: 'Create a tenant owned by the caller (platform admins; anyone when sign-up is open)',
      userOnly: true,
      body: z.object({ name: z.string().trim().min(1).max(200) }),
      responses: { 201: { description: 'created', schema: R.tenantResponse } },
    },
    async ({ res, body }) => {
      const c = claimsOf(res);
      if (!accounts.getUser(c.sub)?.platformAdmin && config.AGENTRY_SIGNUP !== 'open')
        throw new DomainError('PERMISSION_DENIED', 'only platform admins create tenants on this server');
      const tenant = await accounts.createTenant(newId(), body.name, c.sub);
      res
        .status(201)
        .location(`/api/v1/tenants/${tenant.id}`)
        .json({ id: tenant.id, name: tenant.name, role: 'owner', createdAt: tenant.createdAt });
    },
  );

  api.route(
    r,
    {
      method: 'get',
      path: '/v1/tenants/:id',
      tag,
      summary: 'A tenant the user is a member of',
      scope: 'tenant:read',
      responses: { 200: { description: 'the tenant', schema: R.tenantResponse } },
    },
    async ({ req, res }) => {
      const c = claimsOf(res);
      const id = param(req, 'id');
      const tenant = accounts.getTenant(id);
      const role = accounts.roleOf(c.sub, id);
      if (!tenant || !role || (c.scopes && id !== c.tenant))
        throw new DomainError('NOT_FOUND', `tenant ${id} not found`);
      res.json({ id: tenant.id, name: tenant.name, role, createdAt: tenant.createdAt });
    },
  );

  api.route(
    r,
    {
      method: 'get',
      path: '/v1/tenants/:id/members',
      tag,
      summary: 'Members and their roles (by email; filter by `role`)',
      scope: 'tenant:read',
      query: pageQuery.extend({ role: role.optional() }),
      responses: { 200: { description: 'members', schema: R.page(R.memberResponse) } },
    },
    async ({ req, res, query }) => {
      const items = accounts
        .members(claimsOf(res).sub, tenantParam(req, res))
        .filter((m) => !query.role || m.role === query.role);
      res.json(pageOf(items, (m) => m.userId, query));
    },
  );

  api.route(
    r,
    {
      method: 'post',
      path: '/v1/tenants/:id/members',
      tag,
      summary: 'Add a member: an existing account joins at once (201); an unknown email gets an invitation (202)',
      scope: 'tenant:admin',
      body: z.object({ email, role: role.default('member') }),
      responses: {
        201: { description: 'added', schema: R.memberResponse },
        202: { description: 'invited', schema: R.invitationResponse },
      },
    },
    async ({ req, res, body }) => {
      const tenantId = tenantParam(req, res);
      const by = claimsOf(res).sub;
      const added = await accounts.addMember(by, tenantId, body.email, body.role);
      if (added) return void res.status(201).json(added);
      const { invitation, token } = await accounts.invite(
        by,
        tenantId,
        body.email,
        body.role,
        config.AGENTRY_INVITATION_TTL_SECONDS,
      );
      await sendInvitation(options, invitation, token);
      res.status(202).json(invitationView(invitation, token));
    },
  );

  api.route(
    r,
    {
      method: 'patch',
      path: '/v1/tenants/:id/members/:userId',
      tag,
      summary: "Change a member's role",
      scope: 'tenant:admin',
      body: z.object({ role }),
      responses: { 200: { description: 'changed', schema: R.memberResponse } },
    },
    async ({ req, res, body }) => {
      const tenantId = tenantParam(req, res);
      const userId = param(req, 'userId');
      await accounts.changeRole(claimsOf(res).sub, tenantId, userId, body.role);
      res.json(accounts.members(claimsOf(res).sub, tenantId).find((m) => m.userId === userId));
    },
  );

  api.route(
    r,
    {
      method: 'delete',
      path: '/v1/tenants/:id/members/:userId',
      tag,
      summary: 'Remove a member (or leave, for yourself)',
      scope: 'tenant:read',
      responses: { 204: { description: 'removed' } },
    },
    async ({ req, res }) => {
      const tenantId = tenantParam(req, res);
      const userId = param(req, 'userId');
      await accounts.removeMember(claimsOf(res).sub, tenantId, userId);
      await sessions.revokeAllOf(userId, 'member-removed', tenantId);
      res.status(204).end();
    },
  );

  api.route(
    r,
    {
      method: 'get',
      path: '/v1/tenants/:id/invitations',
      tag,
      summary: 'Invitations without their tokens (oldest first; filter by `status`)',
      scope: 'tenant:admin',
      query: pageQuery.extend({ status: z.enum(['pending', 'accepted', 'revoked']).optional() }),
      responses: { 200: { description: 'invitations', schema: R.page(R.invitationResponse) } },
    },
    async ({ req, res, query }) => {
      const items = accounts
        .invitations(claimsOf(res).sub, tenantParam(req, res))
        .filter((i) => !query.status || i.status === query.status);
      res.json(
        pageOf(
          items.map((i) => invitationView(i)),
          (i) => i.id,
          query,
        ),
      );
    },
  );

  api.route(
    r,
    {
      method: 'post',
      path: '/v1/tenants/:id/invitations',
      tag,
      summary: 'Invite someone by email (the token is emailed, and shown once here)',
      scope: 'tenant:admin',
      body: z.object({ email, role: role.default('member') }),
      responses: { 201: { description: 'invited', schema: R.invitationResponse } },
    },
    async ({ req, res, body }) => {
      const { invitation, token } = await accounts.invite(
        claimsOf(res).sub,
        tenantParam(req, res),
        body.email,
        body.role,
        config.AGENTRY_INVITATION_TTL_SECONDS,
      );
      await sendInvitation(options, invitation, token);
      res.status(201).json(invitationView(invitation, token));
    },
  );

  api.route(
    r,
    {
      method: 'delete',
      path: '/v1/tenants/:id/invitations/:invitationId',
      tag,
      summary: 'Revoke a pending invitation',
      scope: 'tenant:admin',
      responses: { 204: { description: 'revoked' } },
    },
    async ({ req, res }) => {
      await accounts.revokeInvitation(claimsOf(res).sub, tenantParam(req, res), param(req, 'invitationId'));
      res.status(204).end();
    },
  );

  api.route(
    r,
    {
      method: 'post',
      path: '/v1/invitations/accept-signed-in',
      tag,
      summary: 'Accept an invitation with the signed-in account (its email must match)',
      userOnly: true,
      body: z.object({ token: z.string().min(1).max(512) }),
      responses: { 200: { description: 'joined; tokens for the new tenant', schema: R.tokenResponse } },
    },
    async ({ res, body }) => {
      const out = await accounts.acceptInvitation(body.token, { userId: claimsOf(res).sub });
      res.json(await signIn(options, out.user, out.tenantId));
    },
  );

  // API keys
  api.route(
    r,
    {
      method: 'get',
      path: '/v1/api-keys',
      tag: 'api-keys',
      summary: "The tenant's API keys, newest first (never the keys themselves; filter by `status`)",
      userOnly: true,
      query: pageQuery.extend({ status: z.enum(['active', 'revoked']).optional() }),
      responses: { 200: { description: 'keys', schema: R.page(R.apiKeyResponse) } },
    },
    async ({ res, query }) => {
      const page = await apiKeys.list(claimsOf(res).tenant, {
        status: query.status,
        cursor: query.cursor,
        limit: query.limit,
      });
      res.json({ items: page.items.map((k) => keyView(k)), nextCursor: page.nextCursor });
    },
  );

  api.route(
    r,
    {
      method: 'post',
      path: '/v1/api-keys',
      tag: 'api-keys',
      summary: 'Create an API key; the key is in this response only. A viewer may only create read scopes.',
      userOnly: true,
      body: z.object({
        name: z.string().trim().min(1).max(200),
        scopes: z.array(z.enum(SCOPES)).min(1).max(SCOPES.length),
        expiresAt: z.iso.datetime().optional(),
      }),
      responses: { 201: { description: 'created', schema: R.createdApiKey } },
    },
    async ({ res, body }) => {
      const c = claimsOf(res);
      const roles = c.roles;
      const writer = roles.some((x) => ['owner', 'admin', 'member'].includes(x));
      const manager = roles.some((x) => ['owner', 'admin'].includes(x));
      for (const s of body.scopes) {
        if (s === 'tenant:admin' && !manager)
          throw new DomainError('PERMISSION_DENIED', 'only owners and admins may create keys with tenant:admin');
        if (s.endsWith(':write') && !writer)
          throw new DomainError('PERMISSION_DENIED', `a viewer cannot create a key with ${s}`);
      }
      const { key, secret } = await apiKeys.create({
        tenantId: c.tenant,
        userId: c.sub,
        name: body.name,
        scopes: body.scopes,
        expiresAt: body.expiresAt,
      });
      res.status(201).location(`/api/v1/api-keys/${key.id}`).json(keyView(key, secret));
    },
  );

  api.route(
    r,
    {
      method: 'get',
      path: '/v1/api-keys/:id',
      tag: 'api-keys',
      summary: 'One API key (with its last-used time)',
      userOnly: true,
      responses: { 200: { description: 'the key', schema: R.apiKeyResponse } },
    },
    async ({ req, res }) => {
      res.json(keyView(apiKeys.get(claimsOf(res).tenant, param(req, 'id'))));
    },
  );

  api.route(
    r,
    {
      method: 'delete',
      path: '/v1/api-keys/:id',
      tag: 'api-keys',
      summary: 'Revoke an API key (yours, or any as owner/admin)',
      userOnly: true,
      responses: { 204: { description: 'revoked' } },
    },
    async ({ req, res }) => {
      const c = claimsOf(res);
      const key = apiKeys.get(c.tenant, param(req, 'id'));
      if (key.userId !== c.sub && !c.roles.some((x) => ['owner', 'admin'].includes(x)))
        throw new DomainError('PERMISSION_DENIED', "only owners and admins revoke other members' keys");
      await apiKeys.revoke(c.tenant, key.id, c.sub);
      res.status(204).end();
    },
  );

  // Platform administration
  api.route(
    r,
    {
      method: 'post',
      path: '/v1/admin/signing-keys/rotate',
      tag: 'admin',
      summary: 'Add a new token-signing key (older keys keep verifying; all are in the JWKS)',
      userOnly: true,
      responses: { 200: { description: 'rotated', schema: z.object({ kid: z.string(), keys: z.array(z.string()) }) } },
    },
    async ({ res }) => {
      if (!accounts.getUser(claimsOf(res).sub)?.platformAdmin)
        throw new DomainError('PERMISSION_DENIED', 'only platform admins rotate signing keys');
      res.json(tokens.rotate());
    },
  );
}

async function signIn(options: Options, user: User, tenantId?: string) {
  const membership = options.accounts.membershipFor(user.id, tenantId);
  const { refreshToken, sessionId } = await options.sessions.open(user.id, membership.tenantId);
  const token = await options.tokens.issue({
    sub: user.id,
    tenant: membership.tenantId,
    roles: [membership.role],
    sid: sessionId,
  });
  return {
    accessToken: token.accessToken,
    tokenType: 'Bearer' as const,
    expiresIn: token.expiresIn,
    refreshToken,
    tenantId: membership.tenantId,
  };
}

/** API keys act on their own tenant only; a user acts on any tenant they belong to (checked by Accounts: 404 otherwise). */
function tenantParam(req: Parameters<typeof param>[0], res: Parameters<typeof claimsOf>[0]): string {
  const id = param(req, 'id');
  const c = claimsOf(res);
  if (c.scopes && id !== c.tenant) throw new DomainError('NOT_FOUND', `tenant ${id} not found`);
  return id;
}

function keyView(k: ApiKeySummary, secret?: string) {
  return {
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    scopes: k.scopes,
    userId: k.userId,
    createdAt: k.createdAt,
    expiresAt: k.expiresAt,
    lastUsedAt: k.lastUsedAt,
    revokedAt: k.revokedAt,
    ...(secret ? { key: secret } : {}),
  };
}

function invitationView(i: Invitation, token?: string) {
  return {
    id: i.id,
    email: i.email,
    role: i.role,
    status: i.status,
    expiresAt: i.expiresAt,
    createdAt: i.createdAt,
    ...(token ? { token } : {}),
  };
}

function publicUrl(options: Options): string {
  return (options.config.AGENTRY_PUBLIC_URL ?? 'http://localhost:8080').replace(/\/$/, '');
}

async function sendInvitation(options: Options, invitation: Invitation, token: string): Promise<void> {
  const tenant = options.accounts.getTenant(invitation.tenantId);
  await options.mailer
    .send({
      to: invitation.email,
      subject: `You are invited to ${tenant?.name ?? 'an Agentry tenant'}`,
      text: `You are invited to join ${tenant?.name ?? 'a tenant'} on Agentry as ${invitation.role}.\n\nAccept at ${publicUrl(options)}/invitations?token=${encodeURIComponent(token)}\nor send this token to POST /api/v1/invitations/accept:\n\n${token}\n`,
    })
    .catch((err: unknown) => options.logger.error({ err }, 'invitation mail not sent'));
}
