/** Store and library REST calls (public catalogue reads work without a token). */
import { ApiError, auth } from '../api/client';
import type { Problem } from '../api/types';

export interface ListingVersion {
  version: number;
  graphVersion: number;
  name: string;
  subHeading: string;
  description: string;
  categories: string[];
  status: 'DRAFT' | 'PENDING' | 'APPROVED' | 'REJECTED';
  reviewReason: string;
  submittedAt: string;
  reviewedAt: string;
  requiredCredentials: string[];
}

export interface Listing {
  id: string;
  slug: string;
  name: string;
  subHeading: string;
  description: string;
  categories: string[];
  creatorHandle: string;
  creatorName: string;
  images: string[];
  videoUrl: string;
  featured: boolean;
  status: string;
  approvedVersion: number;
  latestVersion: number;
  ratingAverage: number;
  ratingCount: number;
  runCount: number;
  graphId: string;
  versions: ListingVersion[];
}

export interface Rating {
  userId: string;
  score: number;
  comment: string;
  updatedAt: string;
}

export interface Creator {
  handle: string;
  name: string;
  bio: string;
  links: string[];
  avatar: string;
  listingCount: number;
  runCount: number;
  ratingAverage: number;
  ratingCount: number;
}

export interface LibraryAgent {
  id: string;
  listingId: string;
  listingName: string;
  listingVersion: number;
  latestVersion: number;
  updateAvailable: boolean;
  graphId: string;
  runCount: number;
  requiredCredentials: string[];
  presets: Array<{ id: string; name: string; inputs: Record<string, unknown> }>;
}

export type Sort = 'relevance' | 'newest' | 'rating' | 'runs';

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json, application/problem+json' };
  if (auth.token) headers.Authorization = `Bearer ${auth.token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  // Public pages are cacheable for proxies; the app itself revalidates (ETag) so it sees its own writes at once.
  const res = await fetch(`/api/v1${path}`, { method, headers, cache: 'no-cache', body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  const json = text ? (JSON.parse(text) as unknown) : undefined;
  if (!res.ok) throw new ApiError({ title: res.statusText, status: res.status, ...(json as Partial<Problem>) } as Problem);
  return json as T;
}

const qs = (p: Record<string, string | number | boolean | undefined>) => {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(p)) if (v !== undefined && v !== '' && v !== false) s.set(k, String(v));
  const out = s.toString();
  return out ? `?${out}` : '';
};
const enc = encodeURIComponent;

export const storeApi = {
  search: (p: { q?: string; category?: string; sort?: Sort; cursor?: string; featured?: boolean; creator?: string; limit?: number }) =>
    call<{ items: Listing[]; nextCursor?: string; total: number }>('GET', `/store/listings${qs(p)}`),
  featured: () => call<{ items: Listing[] }>('GET', '/store/featured'),
  categories: () => call<{ items: Array<{ name: string; listingCount: number }> }>('GET', '/store/categories'),
  listing: (idOrSlug: string) => call<Listing>('GET', `/store/listings/${enc(idOrSlug)}`),
  ratings: (id: string) => call<{ items: Rating[] }>('GET', `/store/listings/${enc(id)}/ratings`),
  creator: (handle: string) => call<{ creator: Creator; listings: Listing[] }>('GET', `/store/creators/${enc(handle)}`),
  submit: (body: { graphId: string; graphVersion?: number; name: string; subHeading: string; description: string; categories: string[]; videoUrl?: string }) =>
    call<Listing>('POST', '/store/listings', body),
  myListings: () => call<{ items: Listing[] }>('GET', '/store/my/listings'),
  queue: () => call<{ items: Array<{ listing: Listing; version: ListingVersion }> }>('GET', '/store/admin/queue'),
  review: (id: string, version: number, decision: 'APPROVE' | 'REJECT', reason: string) =>
    call<Listing>('POST', `/store/listings/${enc(id)}/versions/${version}/review`, { decision, reason }),
  rate: (id: string, score: number, comment: string) => call<Rating>('POST', `/store/listings/${enc(id)}/ratings`, { score, comment }),
  editRating: (id: string, score: number, comment: string) => call<Rating>('PUT', `/store/listings/${enc(id)}/ratings/mine`, { score, comment }),
  addToLibrary: (listingId: string) => call<LibraryAgent>('POST', '/library', { listingId }),
  library: () => call<{ items: LibraryAgent[] }>('GET', '/library'),
  update: (id: string) => call<LibraryAgent>('POST', `/library/${enc(id)}/update`),
  savePreset: (id: string, name: string, inputs: Record<string, unknown>) =>
    call<LibraryAgent>('POST', `/library/${enc(id)}/presets`, { name, inputs }),
  deletePreset: (id: string, presetId: string) => call<LibraryAgent>('DELETE', `/library/${enc(id)}/presets/${enc(presetId)}`),
  runLibraryAgent: (id: string, body: { presetId?: string; inputs?: Record<string, unknown> }) =>
    call<{ executionId: string }>('POST', `/library/${enc(id)}/run`, { inputs: body.inputs ?? {}, ...(body.presetId ? { presetId: body.presetId } : {}) }),
  addVersion: (id: string, body: { graphVersion?: number; name: string; subHeading: string; description: string; categories: string[]; videoUrl?: string }) =>
    call<Listing>('POST', `/store/listings/${enc(id)}/versions`, body),
  myProfile: () => call<{ creator: Creator; listings: Listing[] }>('GET', '/store/me/profile'),
  saveProfile: (body: { handle: string; name: string; bio: string; links: string[]; avatar: string }) => call<Creator>('PUT', '/store/me/profile', body),
  /** Raw image bytes; the store decides the type from the content. */
  uploadMedia: async (file: Blob): Promise<{ mediaId: string; contentType: string; size: number }> => {
    const headers: Record<string, string> = { Accept: 'application/json, application/problem+json', 'Content-Type': file.type || 'application/octet-stream' };
    if (auth.token) headers.Authorization = `Bearer ${auth.token}`;
    const res = await fetch('/api/v1/store/media', { method: 'POST', headers, body: file });
    const text = await res.text();
    const json = text ? (JSON.parse(text) as unknown) : undefined;
    if (!res.ok) throw new ApiError({ title: res.statusText, status: res.status, ...(json as Partial<Problem>) } as Problem);
    return json as { mediaId: string; contentType: string; size: number };
  },
};
