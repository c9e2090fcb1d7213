import { DomainError } from '@agentry/kernel';
import type { CollectionSpec, FieldValue, ListQuery, ReadDocument } from './ports';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;

export const clampLimit = (limit: number | undefined) => Math.min(Math.max(Math.trunc(limit ?? DEFAULT_LIMIT), 1), MAX_LIMIT);

export function checkSpec(spec: CollectionSpec<ReadDocument>): void {
  const name = /^[a-z][a-z0-9_]{0,62}$/;
  if (!name.test(spec.name)) throw new Error(`read-store: collection name ${JSON.stringify(spec.name)} must match ${name}`);
  // field names reach SQL json paths and Mongo key paths: letters, digits and `_` only
  const fieldName = /^[A-Za-z][A-Za-z0-9_]{0,62}$/;
  for (const f of [...spec.indexes.flat(), ...(spec.text ?? [])]) if (!fieldName.test(f)) throw new Error(`read-store: field name ${JSON.stringify(f)} must match ${fieldName}`);
}

/** Lower-cased words of a text, as both adapters tokenize it (letters and digits). */
export function words(text: string): string[] {
  return (text.toLowerCase().normalize('NFKD').replace(/\p{M}/gu, '').match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, 64);
}

/**
 * The index a list query uses: tenant, then its equality fields in any order, then its sort field. A query
 * that no declared index serves is a programming error, refused before it reaches the database. Answers the
 * position of the declared index that serves it (the shortest), or undefined for the primary key or text.
 */
export function requireIndex(spec: CollectionSpec<ReadDocument>, q: Pick<ListQuery<ReadDocument>, 'where' | 'orderBy' | 'text' | 'range'>): number | undefined {
  const eq = Object.keys(q.where ?? {});
  const sort = q.orderBy?.field;
  if (q.range && !sort) throw new DomainError('VALIDATION_FAILED', `${spec.name}: a range needs an orderBy field`);
  if (q.text !== undefined) {
    if (!spec.text?.length) throw new DomainError('VALIDATION_FAILED', `${spec.name}: no text index`);
    return undefined;
  }
  if (eq.length === 0 && !sort) return undefined; // (tenant, id): the primary key
  let best: number | undefined;
  spec.indexes.forEach((index, i) => {
    const head = index.slice(0, eq.length);
    if (head.length !== eq.length || !eq.every((f) => head.includes(f))) return;
    if (sort && index[eq.length] !== sort && !eq.includes(sort)) return;
    if (best === undefined || index.length < spec.indexes[best].length) best = i;
  });
  if (best === undefined) throw new DomainError('VALIDATION_FAILED', `${spec.name}: no index serves where(${eq.join(', ')}) order by ${sort ?? 'id'}`);
  return best;
}

export const encodeCursor = (values: Array<FieldValue>) => Buffer.from(JSON.stringify(values)).toString('base64url');

export function decodeCursor(cursor: string, length: number): FieldValue[] {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === length && v.every((x) => x === null || ['string', 'number', 'boolean'].includes(typeof x))) return v as FieldValue[];
  } catch {
    /* fall through */
  }
  throw new DomainError('VALIDATION_FAILED', 'the cursor is not valid', { errors: { cursor: 'invalid' } });
}
