import express, { Router, type Response } from 'express';
import { z } from 'zod';
import { DomainError } from '@agentry/kernel';
import type { commonV1 } from '@agentry/proto-ts';
import type { HttpAppOptions } from '../app';
import { ApiRegistry } from '../openapi';
import { callerOf, claimsOf, param as anyParam } from './context';

/** Store ids, slugs and handles are plain ASCII; anything else is refused before it reaches a service. */
const SAFE_ID = /^[\w.:-]{1,200}$/;
const param = (req: Parameters<typeof anyParam>[0], name: string): string => {
  const value = anyParam(req, name);
  if (!SAFE_ID.test(value))
    throw new DomainError('VALIDATION_FAILED', `invalid ${name}`, { errors: { [name]: 'letters, digits, _ . : -' } });
  return value;
};

/** Store-admin rights come from the account (platform admin), never from a tenant role a tenant could hand out itself. */
export const STORE_ADMIN = 'admin';

const listingDetails = {
  name: z.string().trim().min(1).max(100),
  subHeading: z.string().max(200).default(''),
  description: z.string().max(10000).default(''),
  categories: z.array(z.string().max(40)).max(5).default([]),
  images: z.array(z.string().max(500)).max(10).default([]),
  videoUrl: z.string().max(500).default(''),
};
const createListingBody = z.object({
  graphId: z.string().regex(/^[\w.:-]{1,200}$/),
  graphVersion: z.number().int().min(0).default(0).describe('0: the newest version'),
  draft: z.boolean().default(false),
  ...listingDetails,
});
const addVersionBody = z.object({
  graphVersion: z.number().int().min(0).default(0),
  draft: z.boolean().default(false),
  ...listingDetails,
});
const editVersionBody = z.object(listingDetails);
const reviewBody = z.object({ decision: z.enum(['APPROVE', 'REJECT']), reason: z.string().max(2000).default('') });
const featuredBody = z.object({ featured: z.boolean() });
const queueQuery = z.object({ status: z.enum(['PENDING', 'APPROVED', 'REJECTED', 'DRAFT']).optional() });
const ratingBody = z.object({ score: z.number().int().min(1).max(5), comment: z.string().max(2000).default('') });
const profileBody = z.object({
  handle: z.string().min(3).max(30),
  name: z.string().min(1).max(100),
  bio: z.string().max(2000).default(''),
  links: z.array(z.string().max(500)).max(5).default([]),
  avatar: z.string().max(100).default(''),
});
const addToLibraryBody = z.object({ listingId: z.string().regex(/^[\w.:-]{1,200}$/) });
const presetBody = z.object({
  name: z.string().trim().min(1).max(100),
  inputs: z.record(z.string(), z.unknown()).default({}),
});
const runBody = z.object({
  inputs: z.record(z.string(), z.unknown()).default({}),
  presetId: z
    .string()
    .regex(/^[\w.:-]{1,200}$/)
    .optional(),
});

const obj = z.record(z.string(), z.unknown());
const listingResponse = z.looseObject({
  id: z.string(),
  slug: z.string(),
  name: z.string(),
  status: z.string(),
  approvedVersion: z.number(),
  latestVersion: z.number(),
});
const libraryAgentResponse = z.looseObject({
  id: z.string(),
  listingId: z.string(),
  graphId: z.string(),
  listingVersion: z.number(),
  latestVersion: z.number(),
  updateAvailable: z.boolean(),
});
const items = <T extends z.ZodType>(t: T) => z.object({ items: z.array(t) });

/** Routes that need a signed-in user: submit and manage listings, admin review, ratings, profile, media, library. */
export function storeRoutes(options: HttpAppOptions): Router {
  const { clients, accounts } = options;
  const api = options.api ?? new ApiRegistry();
  const store = clients.store;
  const r = Router();
  const tag = 'store';
  // The catalogue's public GET paths are cache-allow-listed; nothing a signed-in user writes or reads here is.
  r.use(['/v1/store', '/v1/library'], (_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });

  /** The caller as the store sees it: STORE_ADMIN only for platform admins. */
  const caller = (res: Response): commonV1.CallerContext => {
    const c = callerOf(res);
    const platformAdmin = !claimsOf(res).scopes && !!accounts.getUser(c.userId)?.platformAdmin;
    return { ...c, roles: [...c.roles.filter((x) => x !== STORE_ADMIN), ...(platformAdmin ? [STORE_ADMIN] : [])] };
  };
  const version = (req: Parameters<typeof param>[0]) => {
    const v = Number(param(req, 'version'));
    if (!Number.isInteger(v) || v < 1)
      throw new DomainError('VALIDATION_FAILED', 'version must be a positive integer', {
        errors: { version: 'positive integer' },
      });
    return v;
  };

  api.route(
    r,
    {
      method: 'post',
      path: '/v1/store/listings',
      tag,
      summary: 'Submit a graph version as a new listing (PENDING, or DRAFT with draft=true)',
      scope: 'store:write',
      body: createListingBody,
      responses: { 201: { description: 'the listing', schema: listingResponse } },
    },
    async ({ res, body }) => {
      const { listing } = await store.createListing({ caller: caller(res), ...body });
      res.status(201).location(`/api/v1/store/my/listings/${listing!.id}`).json(listing);
    },
  );

  api.route(
    r,
    {
      method: 'get',
      path: '/v1/store/my/listings',
      tag,
      summary: 'My tenant’s listings with every version and its review status',
      scope: 'store:read',
      responses: { 200: { description: 'listings', schema: items(listingResponse) } },
    },
    async ({ res }) => {
      res.json({ items: (await store.listMyListings({ caller: caller(res) })).items });
    },
  );

  api.route(
    r,
    {
      method: 'get',
      path: '/v1/store/my/listings/:id',
      tag,
      summary: 'One of my listings (or any, for store admins) with snapshots of every version',
      scope: 'store:read',
      responses: { 200: { description: 'the listing', schema: listingResponse } },
    },
    async ({ req, res }) => {
      res.json((await store.getListing({ listingId: param(req, 'id'), caller: caller(res) })).listing);
    },
  );

  api.route(
    r,
    {
      method: 'post',
      path: '/v1/store/listings/:id/versions',
      tag,
      summary: 'Submit a new version of a listing',
      scope: 'store:write',
      body: addVersionBody,
      responses: { 201: { description: 'the listing', schema: listingResponse } },
    },
    async ({ req, res, body }) => {
      const { graphVersion, draft, ...details } = body;
      res
        .status(201)
        .json(
          (
            await store.addListingVersion({
              caller: caller(res),
              listingId: param(req, 'id'),
              graphVersion,
              draft,
              details,
            })
          ).listing,
        );
    },
  );

  api.route(
    r,
    {
      method: 'put',
      path: '/v1/store/listings/:id/versions/:version',
      tag,
      summary: 'Edit a DRAFT or REJECTED version (approved versions are immutable)',
      scope: 'store:write',
      body: editVersionBody,
      responses: { 200: { description: 'the listing', schema: listingResponse } },
    },
    async ({ req, res, body }) => {
      res.json(
        (
          await store.updateListingVersion({
            caller: caller(res),
            listingId: param(req, 'id'),
            version: version(req),
            details: body,
          })
        ).listing,
      );
    },
  );

  api.route(
    r,
    {
      method: 'post',
      path: '/v1/store/listings/:id/versions/:version/submit',
      tag,
      summary: 'Submit a DRAFT or REJECTED version for review',
      scope: 'store:write',
      responses: { 200: { description: 'the listing', schema: listingResponse } },
    },
    async ({ req, res }) => {
      res.json(
        (await store.submitListingVersion({ caller: caller(res), listingId: param(req, 'id'), version: version(req) }))
          .listing,
      );
    },
  );

  api.route(
    r,
    {
      method: 'post',
      path: '/v1/store/listings/:id/versions/:version/review',
      tag,
      summary: 'Store admins: approve or reject (with a reason) a PENDING version',
      scope: 'store:write',
      body: reviewBody,
      responses: { 200: { description: 'the listing', schema: listingResponse } },
    },
    async ({ req, res, body }) => {
      res.json(
        (
          await store.reviewListingVersion({
            caller: caller(res),
            listingId: param(req, 'id'),
            version: version(req),
            decision: body.decision,
            reason: body.reason,
          })
        ).listing,
      );
    },
  );

  api.route(
    r,
    {
      method: 'put',
      path: '/v1/store/listings/:id/featured',
      tag,
      summary: 'Store admins: feature an approved listing or stop featuring it',
      scope: 'store:write',
      body: featuredBody,
      responses: { 200: { description: 'the listing', schema: listingResponse } },
    },
    async ({ req, res, body }) => {
      res.json(
        (await store.setListingFeatured({ caller: caller(res), listingId: param(req, 'id'), featured: body.featured }))
          .listing,
      );
    },
  );

  api.route(
    r,
    {
      method: 'get',
      path: '/v1/store/admin/queue',
      tag,
      summary: 'Store admins: versions by review status, oldest submission first (PENDING by default)',
      scope: 'store:read',
      query: queueQuery,
      responses: { 200: { description: 'queue', schema: items(obj) } },
    },
    async ({ res, query }) => {
      res.json({
        items: (await store.listReviewQueue({ caller: caller(res), status: query.status ?? 'PENDING' })).items,
      });
    },
  );

  api.route(
    r,
    {
      method: 'post',
      path: '/v1/store/listings/:id/ratings',
      tag,
      summary: 'Rate a listing (1–5, one per user; 409 ALREADY_EXISTS the second time)',
      scope: 'store:write',
      body: ratingBody,
      responses: { 201: { description: 'the rating', schema: obj } },
    },
    async ({ req, res, body }) => {
      res
        .status(201)
        .json((await store.rateListing({ caller: caller(res), listingId: param(req, 'id'), ...body })).rating);
    },
  );

  api.route(
    r,
    {
      method: 'put',
      path: '/v1/store/listings/:id/ratings/mine',
      tag,
      summary: 'Edit my rating of a listing',
      scope: 'store:write',
      body: ratingBody,
      responses: { 200: { description: 'the rating', schema: obj } },
    },
    async ({ req, res, body }) => {
      res.json((await store.editRating({ caller: caller(res), listingId: param(req, 'id'), ...body })).rating);
    },
  );

  api.route(
    r,
    {
      method: 'get',
      path: '/v1/store/me/profile',
      tag,
      summary: 'My creator profile',
      scope: 'store:read',
      responses: { 200: { description: 'profile and approved listings', schema: obj } },
    },
    async ({ res }) => {
      res.json(await store.getCreator({ handle: '', caller: caller(res) }));
    },
  );

  api.route(
    r,
    {
      method: 'put',
      path: '/v1/store/me/profile',
      tag,
      summary: 'Create or edit my creator profile (handle, name, bio, links, avatar media id)',
      scope: 'store:write',
      body: profileBody,
      responses: { 200: { description: 'the profile', schema: obj } },
    },
    async ({ res, body }) => {
      res.json((await store.saveCreatorProfile({ caller: caller(res), ...body })).creator);
    },
  );

  // Raw image bytes (not JSON): the type is decided by the content's magic bytes in the store service.
  const rawImage = express.raw({ type: () => true, limit: '2100kb' });
  r.use('/v1/store/media', (req, res, next) => (req.method === 'POST' ? rawImage(req, res, next) : next()));
  api.route(
    r,
    {
      method: 'post',
      path: '/v1/store/media',
      tag,
      summary:
        'Upload an image for a listing or profile (raw bytes, at most 2 MB; PNG, JPEG, GIF or WebP, decided by content)',
      scope: 'store:write',
      rawBody: { contentType: 'application/octet-stream', schema: { type: 'string', contentMediaType: 'image/*' } },
      responses: {
        201: {
          description: 'stored',
          schema: z.object({ mediaId: z.string(), contentType: z.string(), size: z.number().int() }),
        },
      },
    },
    async ({ req, res }) => {
      const data = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const out = await store.uploadMedia({ caller: caller(res), data, contentType: req.header('content-type') ?? '' });
      res.status(201).location(`/api/v1/store/media/${out.mediaId}`).json(out);
    },
  );

  const libTag = 'library';
  api.route(
    r,
    {
      method: 'post',
      path: '/v1/library',
      tag: libTag,
      summary: 'Add an approved listing to my tenant’s library (a fork of its graph)',
      scope: 'store:write',
      body: addToLibraryBody,
      responses: { 201: { description: 'the library agent', schema: libraryAgentResponse } },
    },
    async ({ res, body }) => {
      res.status(201).json((await store.addToLibrary({ caller: caller(res), listingId: body.listingId })).agent);
    },
  );

  api.route(
    r,
    {
      method: 'get',
      path: '/v1/library',
      tag: libTag,
      summary: 'My tenant’s library, with update notices and run counts',
      scope: 'store:read',
      responses: { 200: { description: 'library agents', schema: items(libraryAgentResponse) } },
    },
    async ({ res }) => {
      res.json({ items: (await store.listLibrary({ caller: caller(res) })).items });
    },
  );

  api.route(
    r,
    {
      method: 'get',
      path: '/v1/library/:id',
      tag: libTag,
      summary: 'One library agent',
      scope: 'store:read',
      responses: { 200: { description: 'the library agent', schema: libraryAgentResponse } },
    },
    async ({ req, res }) => {
      res.json((await store.getLibraryAgent({ caller: caller(res), libraryAgentId: param(req, 'id') })).agent);
    },
  );

  api.route(
    r,
    {
      method: 'post',
      path: '/v1/library/:id/update',
      tag: libTag,
      summary: 'Update to the newest approved version, keeping my changed inputs and presets',
      scope: 'store:write',
      responses: { 200: { description: 'the library agent', schema: libraryAgentResponse } },
    },
    async ({ req, res }) => {
      res.json((await store.updateLibraryAgent({ caller: caller(res), libraryAgentId: param(req, 'id') })).agent);
    },
  );

  api.route(
    r,
    {
      method: 'post',
      path: '/v1/library/:id/presets',
      tag: libTag,
      summary: 'Save a preset (named inputs); the same name replaces it',
      scope: 'store:write',
      body: presetBody,
      responses: { 201: { description: 'the library agent', schema: libraryAgentResponse } },
    },
    async ({ req, res, body }) => {
      res
        .status(201)
        .json(
          (
            await store.savePreset({
              caller: caller(res),
              libraryAgentId: param(req, 'id'),
              name: body.name,
              inputs: body.inputs,
            })
          ).agent,
        );
    },
  );

  api.route(
    r,
    {
      method: 'delete',
      path: '/v1/library/:id/presets/:presetId',
      tag: libTag,
      summary: 'Delete a preset',
      scope: 'store:write',
      responses: { 200: { description: 'the library agent', schema: libraryAgentResponse } },
    },
    async ({ req, res }) => {
      res.json(
        (
          await store.deletePreset({
            caller: caller(res),
            libraryAgentId: param(req, 'id'),
            presetId: param(req, 'presetId'),
          })
        ).agent,
      );
    },
  );

  api.route(
    r,
    {
      method: 'post',
      path: '/v1/library/:id/run',
      tag: libTag,
      summary: 'Run a library agent with inputs, over a preset’s inputs when presetId is given',
      scope: 'executions:write',
      body: runBody,
      responses: { 202: { description: 'execution requested', schema: z.object({ executionId: z.string() }) } },
    },
    async ({ req, res, body }) => {
      const { agent } = await store.getLibraryAgent({ caller: caller(res), libraryAgentId: param(req, 'id') });
      const preset = body.presetId ? agent!.presets.find((p) => p.id === body.presetId) : undefined;
      if (body.presetId && !preset) throw new DomainError('NOT_FOUND', `preset ${body.presetId} not found`);
      const inputs = { ...(preset?.inputs ?? {}), ...body.inputs };
      const out = await clients.execution.requestExecution({
        caller: callerOf(res),
        graphId: agent!.graphId,
        graphVersion: 0,
        inputs,
        trigger: claimsOf(res).keyId ? 'api' : 'manual',
        parentExecutionId: '',
      });
      res.status(202).json({ executionId: out.executionId });
    },
  );

  return r;
}
