import type { Graph } from '@agentry/kernel';
import type { GraphSnapshot } from './listing/events';

/** Input names that hold credentials or secrets (never published). `max_tokens`-like names are not secrets. */
const SECRET_KEY = /^(credentials?|authorization|proxy-authorization|cookie|.*_credentials|api[_-]?keys?|.*[_-]api[_-]?key|secret|.*[_-]secret|client[_-]?secret|password|.*[_-]password|passphrase|private[_-]?key|(access|refresh|auth|bearer|bot|api)[_-]?token|token)$/i;
/** Values that look like provider secrets even under an innocent name. */
const SECRET_VALUE = /^(sk-[A-Za-z0-9_-]{16,}|sk_(live|test)_[A-Za-z0-9]{10,}|ghp_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|xox[abpr]-[A-Za-z0-9-]{10,}|AKIA[0-9A-Z]{16}|-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*)$/;

export const isSecretKey = (key: string): boolean => SECRET_KEY.test(key);

function scrub(value: unknown, path: string, found: string[]): unknown {
  if (typeof value === 'string') {
    if (SECRET_VALUE.test(value.trim())) {
      found.push(path);
      return undefined;
    }
    return value;
  }
  if (Array.isArray(value)) return value.map((v, i) => scrub(v, `${path}[${i}]`, found)).filter((v) => v !== undefined);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const p = `${path}.${k}`;
      if (isSecretKey(k)) {
        found.push(p);
        continue;
      }
      const clean = scrub(v, p, found);
      if (clean !== undefined) out[k] = clean;
    }
    return out;
  }
  return value;
}

/**
 * The publishable copy of a graph version: no tenant, owner or ids of the source, and no credentials or secrets
 * in node inputs. Returns what was removed as "<nodeId>.<field>" so installers know what to fill in.
 */
export function snapshotOf(graph: Pick<Graph, 'name' | 'description' | 'nodes' | 'links'>): { snapshot: GraphSnapshot; requiredCredentials: string[] } {
  const found: string[] = [];
  const nodes = graph.nodes.map((n) => {
    const node = { ...n, inputDefault: scrub(n.inputDefault ?? {}, n.id, found) as Record<string, unknown> };
    return node;
  });
  return { snapshot: { name: graph.name, description: graph.description, nodes, links: graph.links }, requiredCredentials: [...new Set(found)] };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * One-click update of an installed agent: the new snapshot, plus every node input the installer changed from the
 * snapshot they installed (credentials they filled in, tuned prompts) when the node still exists with the same block.
 */
export function mergeForUpdate(installed: GraphSnapshot, mine: Pick<GraphSnapshot, 'nodes'>, next: GraphSnapshot): GraphSnapshot {
  const base = new Map(installed.nodes.map((n) => [n.id, n]));
  const current = new Map(mine.nodes.map((n) => [n.id, n]));
  const nodes = next.nodes.map((n) => {
    const my = current.get(n.id);
    const was = base.get(n.id);
    if (!my || my.blockId !== n.blockId) return n;
    const inputDefault = { ...n.inputDefault };
    for (const [k, v] of Object.entries(my.inputDefault ?? {})) {
      const customised = !was || was.blockId !== n.blockId || !same(was.inputDefault?.[k], v);
      if (customised) inputDefault[k] = v;
    }
    return { ...n, inputDefault };
  });
  return { ...next, nodes };
}
