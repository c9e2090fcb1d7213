import { collectDefaultMetrics, Registry } from 'prom-client';

/** One registry per process; in embedded mode all services share it (metrics carry a `service` label where needed). */
export const registry = new Registry();
let defaultsCollected = false;

export function collectProcessMetrics(): void {
  if (defaultsCollected) return;
  defaultsCollected = true;
  collectDefaultMetrics({ register: registry, prefix: 'agentry_process_' });
}
