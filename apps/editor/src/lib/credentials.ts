/**
 * Credentials for node cards: which of the tenant's credentials fit a block's requirement, the reference the engine
 * expects in the block's credentials input (`{ id, provider, type, title }`, resolved server-side; never a secret),
 * and a shared, lazily loaded list that every card subscribes to.
 */
import type { CredentialMeta } from '../api/types';

export interface CredentialsRequirement {
  field: string;
  providers: string[];
  types: string[];
}

export interface CredentialRef {
  id: string;
  provider: string;
  type: string;
  title?: string;
}

/** Usable credentials for a requirement: matching provider and type, not revoked; newest first. */
export function matchingCredentials(all: readonly CredentialMeta[], req: CredentialsRequirement): CredentialMeta[] {
  return all
    .filter((c) => req.providers.includes(c.provider) && req.types.includes(c.type) && c.status !== 'revoked')
    .sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''));
}

/** The value stored in the node's credentials input for a chosen credential. */
export function credentialRef(c: CredentialMeta): CredentialRef {
  return { id: c.id, provider: c.provider, type: c.type, ...(c.title ? { title: c.title } : {}) };
}

/** The credential id a node input currently holds (a reference object; a bare id string is tolerated). */
export function selectedCredentialId(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof (value as { id?: unknown }).id === 'string')
    return (value as { id: string }).id;
  return '';
}

/** A readable option label: title, provider and type, and a warning when the credential needs reconnecting. */
export function credentialLabel(c: CredentialMeta): string {
  const base = `${c.title || c.provider} (${c.provider}, ${c.type === 'api_key' ? 'API key' : c.type === 'oauth2' ? 'OAuth' : c.type})`;
  return c.status === 'reconnect_required' ? `${base} — reconnect required` : base;
}

/** Checks an inline API-key form; returns field → message, empty when it can be submitted. */
export function validateApiKeyForm(form: { provider: string; title: string; apiKey: string }): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!/^[a-z0-9_.-]{1,64}$/.test(form.provider)) errors.provider = 'Choose a provider';
  if (!form.apiKey.trim()) errors.apiKey = 'Enter the API key';
  if (form.title.length > 200) errors.title = 'At most 200 characters';
  return errors;
}

export interface CredentialsApi {
  list(): Promise<{ items: CredentialMeta[] }>;
  create(body: { provider: string; type: 'api_key'; title: string; secret: { apiKey: string } }): Promise<CredentialMeta>;
}

/** One list for the whole canvas: loaded on the first card that asks, refreshed after a create or an OAuth connect. */
export class CredentialsStore {
  private items: CredentialMeta[] | null = null;
  private loading: Promise<void> | null = null;
  private readonly subs = new Set<() => void>();
  error: string | null = null;

  constructor(private readonly api: CredentialsApi) {}

  get = (): CredentialMeta[] | null => this.items;

  subscribe = (cb: () => void): (() => void) => {
    this.subs.add(cb);
    return () => this.subs.delete(cb);
  };

  private emit(): void {
    for (const cb of this.subs) cb();
  }

  /** Loads once; `force` reloads (e.g. when the window regains focus after an OAuth popup). */
  load(force = false): Promise<void> {
    if (this.loading && !force) return this.loading;
    if (this.items && !force) return Promise.resolve();
    this.loading = this.api
      .list()
      .then((r) => {
        this.items = r.items;
        this.error = null;
      })
      .catch((err: unknown) => {
        this.error = err instanceof Error ? err.message : String(err);
        this.items ??= [];
      })
      .finally(() => {
        this.loading = null;
        this.emit();
      });
    return this.loading;
  }

  async createApiKey(provider: string, title: string, apiKey: string): Promise<CredentialMeta> {
    const created = await this.api.create({ provider, type: 'api_key', title, secret: { apiKey } });
    this.items = [created, ...(this.items ?? []).filter((c) => c.id !== created.id)];
    this.emit();
    return created;
  }
}
