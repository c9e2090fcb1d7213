import { DomainError } from '@agentry/kernel';
import type { ListingDetails } from './events';

export const LIMITS = { name: 100, subHeading: 200, description: 10000, categories: 5, category: 40, images: 10, videoUrl: 500 } as const;

const CATEGORY_RE = /^[a-z0-9][a-z0-9 &-]*$/;
const MEDIA_ID_RE = /^[0-9a-f-]{36}$/;

/** Trims text and lower-cases categories; what is stored is always the normalized form. */
export function normalizeDetails(d: Partial<ListingDetails>): ListingDetails {
  return {
    name: (d.name ?? '').trim(),
    subHeading: (d.subHeading ?? '').trim(),
    description: (d.description ?? '').trim(),
    categories: [...new Set((d.categories ?? []).map((c) => c.trim().toLowerCase()).filter(Boolean))],
    images: (d.images ?? []).map((i) => i.trim()).filter(Boolean),
    videoUrl: (d.videoUrl ?? '').trim(),
  };
}

const isHttpUrl = (s: string) => {
  try {
    const u = new URL(s);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
};

/** Every problem at once, keyed by field. */
export function validateDetails(d: ListingDetails): void {
  const errors: Record<string, string> = {};
  if (!d.name) errors.name = 'required';
  else if (d.name.length > LIMITS.name) errors.name = `at most ${LIMITS.name} characters`;
  if (d.subHeading.length > LIMITS.subHeading) errors.subHeading = `at most ${LIMITS.subHeading} characters`;
  if (d.description.length > LIMITS.description) errors.description = `at most ${LIMITS.description} characters`;
  if (d.categories.length > LIMITS.categories) errors.categories = `at most ${LIMITS.categories}`;
  else if (d.categories.some((c) => c.length > LIMITS.category || !CATEGORY_RE.test(c))) errors.categories = 'lower-case words, digits, spaces, & or -';
  if (d.images.length > LIMITS.images) errors.images = `at most ${LIMITS.images}`;
  else if (d.images.some((i) => !MEDIA_ID_RE.test(i) && !(i.startsWith('https://') && isHttpUrl(i)))) errors.images = 'uploaded media ids or https URLs';
  if (d.videoUrl && (d.videoUrl.length > LIMITS.videoUrl || !isHttpUrl(d.videoUrl))) errors.videoUrl = 'an http(s) URL';
  if (Object.keys(errors).length) throw new DomainError('VALIDATION_FAILED', 'the listing is not valid', { errors });
}

/** URL-safe, readable, unique by the id suffix. */
export function slugFor(name: string, id: string): string {
  const base = name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60);
  return `${base || 'agent'}-${id.slice(0, 8)}`;
}
