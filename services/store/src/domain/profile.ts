import { DomainError } from '@agentry/kernel';

export interface CreatorProfile {
  userId: string;
  tenantId: string;
  handle: string;
  name: string;
  bio: string;
  links: string[];
  avatar: string;
  createdAt: string;
  updatedAt: string;
}

export const HANDLE_RE = /^[a-z0-9][a-z0-9_-]{2,29}$/;

export function normalizeProfile(p: { handle: string; name: string; bio: string; links: string[]; avatar: string }) {
  return { handle: p.handle.trim().toLowerCase(), name: p.name.trim(), bio: p.bio.trim(), links: p.links.map((l) => l.trim()).filter(Boolean), avatar: p.avatar.trim() };
}

export function validateProfile(p: ReturnType<typeof normalizeProfile>): void {
  const errors: Record<string, string> = {};
  if (!HANDLE_RE.test(p.handle)) errors.handle = '3–30 characters: a-z, 0-9, _ or -, starting with a letter or digit';
  if (!p.name) errors.name = 'required';
  else if (p.name.length > 100) errors.name = 'at most 100 characters';
  if (p.bio.length > 2000) errors.bio = 'at most 2000 characters';
  if (p.links.length > 5) errors.links = 'at most 5';
  else if (p.links.some((l) => !/^https?:\/\/[^\s]{1,490}$/.test(l))) errors.links = 'http(s) URLs';
  if (p.avatar && !/^[0-9a-f-]{36}$/.test(p.avatar)) errors.avatar = 'an uploaded media id';
  if (Object.keys(errors).length) throw new DomainError('VALIDATION_FAILED', 'the profile is not valid', { errors });
}

export function validateRating(score: number, comment: string): void {
  const errors: Record<string, string> = {};
  if (!Number.isInteger(score) || score < 1 || score > 5) errors.score = 'an integer from 1 to 5';
  if (comment.length > 2000) errors.comment = 'at most 2000 characters';
  if (Object.keys(errors).length) throw new DomainError('VALIDATION_FAILED', 'the rating is not valid', { errors });
}
