import { Router, type Response } from 'express';
import { z } from 'zod';
import { DomainError } from '@agentry/kernel';
import type { HttpAppOptions } from '../app';
import { ApiRegistry } from '../openapi';
import { param as anyParam } from './context';

/** Store ids, slugs and handles are plain ASCII; anything else is refused before it reaches a service. */
const SAFE_ID = /^[\w.:-]{1,200}$/;
const param = (req: Parameters<typeof anyParam>[0], name: string): string => {
  const value = anyParam(req, name);
  if (!SAFE_ID.test(value))
    throw new DomainError('VALIDATION_FAILED', `invalid ${name}`, { errors: { [name]: 'letters, digits, _ . : -' } });
  return value;
};

const listQuery = z.object({
  q: z.string().max(200).optional(),
  category: z.string().max(40).optional(),
  sort: z.enum(['relevance', 'newest', 'rating', 'runs']).optional(),
  featured: z.enum(['true', 'false']).optional(),
  creator: z.string().max(30).optional(),
  minRating: z.coerce.number().min(0).max(5).optional(),
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
});
const pageQuery = z.object({
  // (an offset in memory; a keyset cursor of about 150 characters when ratings are in the read store)
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
});
const obj = z.record(z.string(), z.unknown());
const listingPage = z.object({ items: z.array(obj), nextCursor: z.string().optional(), total: z.number().int() });

/** Public catalogue pages may be cached briefly by browsers and proxies (paths allow-listed in app.ts). */
const cacheFor = (res: Response, seconds: number) => res.setHeader('Cache-Control', `public, max-age=${seconds}`);

/** Store pages readable without signing in: browse, search, featured, categories, listing detail, ratings, creators, media. */
export function storePublicRoutes(options: HttpAppOptions): Router {
  const store = options.clients.store;
  const api = options.api ?? new ApiRegistry();
  const r = Router();
  const tag = 'store';

  api.route(
    r,
    {
      method: 'get',
      path: '/v1/store/listings',
      tag,
      auth: 'none',
      summary:
        'Search and browse approved listings (full text over name, description and creator; filters; sort; cursor)',
      query: listQuery,
      responses: { 200: { description: 'a page of listings', schema: listingPage } },
    },
    async ({ res, query }) => {
      const out = await store.listListings({
        query: query.q ?? '',
        category: query.category ?? '',
        sort: query.sort ?? '',
        featuredOnly: query.featured === 'true',
        creatorHandle: query.creator ?? '',
        minRating: query.minRating ?? 0,
        page: { cursor: query.cursor ?? '', limit: query.limit ?? 0 },
      });
      cacheFor(res, 30);
      res.json({ items: out.items, nextCursor: out.page?.nextCursor || undefined, total: out.total });
    },
  );

  api.route(
    r,
    {
      method: 'get',
      path: '/v1/store/featured',
      tag,
      auth: 'none',
      summary: 'Featured listings',
      responses: { 200: { description: 'listings', schema: listingPage } },
    },
    async ({ res }) => {
      const out = await store.listListings({
        query: '',
        category: '',
        sort: 'rating',
        featuredOnly: true,
        creatorHandle: '',
        minRating: 0,
        page: { cursor: '', limit: 24 },
      });
      cacheFor(res, 60);
      res.json({ items: out.items, total: out.total });
    },
  );

  api.route(
    r,
    {
      method: 'get',
      path: '/v1/store/categories',
      tag,
      auth: 'none',
      summary: 'Categories with their number of approved listings',
      responses: { 200: { description: 'categories', schema: z.object({ items: z.array(obj) }) } },
    },
    async ({ res }) => {
      cacheFor(res, 60);
      res.json({ items: (await store.listCategories({})).items });
    },
  );

  api.route(
    r,
    {
      method: 'get',
      path: '/v1/store/listings/:id',
      tag,
      auth: 'none',
      summary: 'An approved listing by id or slug, with its approved versions',
      responses: { 200: { description: 'the listing', schema: obj } },
    },
    async ({ req, res }) => {
      const { listing } = await store.getListing({ listingId: param(req, 'id'), caller: undefined });
      cacheFor(res, 30);
      res.json(listing);
    },
  );

  api.route(
    r,
    {
      method: 'get',
      path: '/v1/store/listings/:id/ratings',
      tag,
      auth: 'none',
      summary: 'Ratings of a listing, newest first',
      query: pageQuery,
      responses: {
        200: { description: 'ratings', schema: z.object({ items: z.array(obj), nextCursor: z.string().optional() }) },
      },
    },
    async ({ req, res, query }) => {
      const out = await store.listRatings({
        listingId: param(req, 'id'),
        page: { cursor: query.cursor ?? '', limit: query.limit ?? 0 },
      });
      cacheFor(res, 30);
      res.json({ items: out.items, nextCursor: out.page?.nextCursor || undefined });
    },
  );

  api.route(
    r,
    {
      method: 'get',
      path: '/v1/store/creators/:handle',
      tag,
      auth: 'none',
      summary: 'A creator’s profile and approved listings with run and rating counts',
      responses: { 200: { description: 'creator page', schema: obj } },
    },
    async ({ req, res }) => {
      const out = await store.getCreator({ handle: param(req, 'handle'), caller: undefined });
      cacheFor(res, 60);
      res.json(out);
    },
  );

  // Uploaded images are immutable, served with the type their bytes proved.
  api.route(
    r,
    {
      method: 'get',
      path: '/v1/store/media/:id',
      tag,
      auth: 'none',
      summary: 'An uploaded image (immutable; its type proved by its bytes)',
      responses: {
        200: {
          description: 'the image',
          schema: z.string(),
          contentTypes: ['image/png', 'image/jpeg', 'image/gif', 'image/webp'],
        },
      },
    },
    async ({ req, res }) => {
      const out = await store.getMedia({ mediaId: param(req, 'id') });
      res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('Content-Security-Policy', "default-src 'none'");
      res.type(out.contentType).send(Buffer.from(out.data));
    },
  );

  return r;
}
