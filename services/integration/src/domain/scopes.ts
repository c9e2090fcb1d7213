import type { CredentialsRequirement } from '@agentry/block-sdk';

/** What scopesOfBlocks needs of the block catalogue (a BlockRegistry fits). */
export interface BlockLookup {
  get(id: string): { name: string; credentials?: CredentialsRequirement } | undefined;
}

/** A token endpoint's `scope` answer: space-separated (RFC 6749), or comma-separated (Slack, Linear). */
export function parseScopes(scope: string): string[] {
  return unionScopes(scope.split(/[ ,]+/));
}

/** Every scope once, in first-seen order; empty entries dropped. */
export function unionScopes(...lists: ReadonlyArray<readonly string[]>): string[] {
  const out = new Set<string>();
  for (const list of lists) for (const s of list) if (s.trim()) out.add(s.trim());
  return [...out];
}

/** The required scopes a credential was not granted (exact match: providers grant the scope strings they were asked for). */
export function missingScopes(required: readonly string[], granted: readonly string[]): string[] {
  const have = new Set(granted);
  return unionScopes(required).filter((s) => !have.has(s));
}

/**
 * The scopes the given blocks need from `provider` (their credentials requirement), or the problems, keyed
 * `blockIds[i]`: an unknown block, or a block that does not connect to this provider.
 */
export function scopesOfBlocks(blocks: BlockLookup, provider: string, blockIds: readonly string[]): { scopes: string[]; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const lists: string[][] = [];
  blockIds.forEach((id, i) => {
    const block = blocks.get(id);
    const need = block?.credentials;
    if (!block) errors[`blockIds[${i}]`] = `unknown block '${id}'`;
    else if (!need || !need.providers.includes(provider)) errors[`blockIds[${i}]`] = `block ${block.name} does not use a ${provider} connection`;
    else lists.push(need.scopes ?? []);
  });
  return { scopes: unionScopes(...lists), errors };
}
