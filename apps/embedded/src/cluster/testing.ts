import http from 'node:http';

/** One call the counting server received. */
export interface SideEffectCall {
  key: string;
  body: unknown;
}

/**
 * A local stand-in for an external system with side effects: counts calls per idempotency key
 * (header `x-agentry-idempotency-key`, sent by SendWebhookBlock) and may hold chosen calls open
 * ("the block calls it and then waits") until released or the caller dies.
 */
export interface CountingServer {
  url: string;
  calls: SideEffectCall[];
  /** calls per key */
  counts(): Map<string, number>;
  /** keys seen more than once */
  duplicates(): string[];
  /** Hold calls matching this until release() (or the client disconnects). */
  holdWhen(predicate: ((call: SideEffectCall) => boolean) | undefined): void;
  /** Answer every held call now. */
  release(): void;
  /** Resolves at the first call (already received or future) matching the predicate; bounded by polls of 50 ms. */
  waitFor(predicate: (call: SideEffectCall) => boolean, attempts?: number): Promise<SideEffectCall>;
  close(): Promise<void>;
}

export async function startCountingServer(options: { delayMs?: number } = {}): Promise<CountingServer> {
  const calls: SideEffectCall[] = [];
  let hold: ((call: SideEffectCall) => boolean) | undefined;
  const held = new Set<() => void>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null');
      } catch {
        body = null;
      }
      const call = { key: String(req.headers['x-agentry-idempotency-key'] ?? ''), body };
      calls.push(call);
      const answer = () => {
        if (res.writableEnded || res.destroyed) return;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ received: true, key: call.key }));
      };
      if (hold?.(call)) {
        const go = () => {
          held.delete(go);
          answer();
        };
        held.add(go);
        res.on('close', () => held.delete(go));
      } else if (options.delayMs) setTimeout(answer, options.delayMs);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const counts = () => {
    const m = new Map<string, number>();
    for (const c of calls) m.set(c.key, (m.get(c.key) ?? 0) + 1);
    return m;
  };
  return {
    url: `http://127.0.0.1:${port}/effects`,
    calls,
    counts,
    duplicates: () => [...counts()].filter(([, n]) => n > 1).map(([k]) => k),
    holdWhen: (p) => void (hold = p),
    release: () => {
      for (const go of [...held]) go();
    },
    async waitFor(predicate, attempts = 1200) {
      for (let i = 0; i < attempts; i++) {
        const found = calls.find(predicate);
        if (found) return found;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error('the expected side effect never arrived');
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const go of [...held]) go();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
