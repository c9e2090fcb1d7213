/** A tiny external store keyed by id, so one node re-renders when its own entry changes (useSyncExternalStore). */
export class KeyedStore<T> {
  private values = new Map<string, T>();
  private readonly subs = new Map<string, Set<() => void>>();
  private readonly allSubs = new Set<() => void>();
  private version = 0;

  get = (key: string): T | undefined => this.values.get(key);

  getVersion = (): number => this.version;

  entries(): IterableIterator<[string, T]> {
    return this.values.entries();
  }

  subscribe(key: string, cb: () => void): () => void {
    let set = this.subs.get(key);
    if (!set) this.subs.set(key, (set = new Set()));
    set.add(cb);
    return () => {
      set!.delete(cb);
      if (!set!.size) this.subs.delete(key);
    };
  }

  subscribeAll = (cb: () => void): (() => void) => {
    this.allSubs.add(cb);
    return () => this.allSubs.delete(cb);
  };

  setMany(entries: Iterable<[string, T]>): void {
    const changed: string[] = [];
    for (const [k, v] of entries) {
      if (this.values.get(k) === v) continue;
      this.values.set(k, v);
      changed.push(k);
    }
    this.notify(changed);
  }

  replace(values: Map<string, T>): void {
    const changed = new Set([...this.values.keys(), ...values.keys()]);
    this.values = new Map(values);
    this.notify([...changed]);
  }

  clear(): void {
    this.replace(new Map());
  }

  private notify(keys: string[]): void {
    if (!keys.length) return;
    this.version++;
    for (const k of keys) for (const cb of this.subs.get(k) ?? []) cb();
    for (const cb of this.allSubs) cb();
  }
}
