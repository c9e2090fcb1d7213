/**
 * A Map that reads through to a base map and keeps its own writes: a copy-on-write view that costs O(1)
 * to create. The decider drafts on it so that a decision over an execution with thousands of node
 * executions does not copy them. Iteration follows the base order, then keys added here.
 */
export class OverlayMap<K, V> extends Map<K, V> {
  private readonly local = new Map<K, V>();

  constructor(private readonly base: ReadonlyMap<K, V>) {
    super();
  }

  override get(key: K): V | undefined {
    const own = this.local.get(key);
    return own !== undefined || this.local.has(key) ? own : this.base.get(key);
  }

  override has(key: K): boolean {
    return this.local.has(key) || this.base.has(key);
  }

  override set(key: K, value: V): this {
    this.local.set(key, value);
    return this;
  }

  override delete(): boolean {
    throw new Error('OverlayMap does not support delete');
  }

  override get size(): number {
    let added = 0;
    for (const k of this.local.keys()) if (!this.base.has(k)) added++;
    return this.base.size + added;
  }

  override *entries(): MapIterator<[K, V]> {
    for (const [k, v] of this.base) yield [k, this.local.has(k) ? (this.local.get(k) as V) : v];
    for (const [k, v] of this.local) if (!this.base.has(k)) yield [k, v];
  }

  override *keys(): MapIterator<K> {
    for (const [k] of this.entries()) yield k;
  }

  override *values(): MapIterator<V> {
    for (const [, v] of this.entries()) yield v;
  }

  override [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }

  override forEach(callback: (value: V, key: K, map: Map<K, V>) => void, thisArg?: unknown): void {
    for (const [k, v] of this.entries()) callback.call(thisArg, v, k, this);
  }
}
