// Every metric the dashboards query must exist in the prom-client registry and be documented in docs/metrics.md;
// every agentry_* metric registered must be documented too. (apps/embedded/test/observability-*.e2e.test.ts
// checks the same names in what the running services actually export after some traffic.)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import '@agentry/grpc/src/metrics';
import { collectProcessMetrics, registry } from '@agentry/observability';
import { loadDashboards, metricNamesInDashboards, promqlExpressions, seriesNamesIn } from './dashboards';

const docs = readFileSync(join(__dirname, '../../../docs/metrics.md'), 'utf8');
const documented = new Set([...docs.matchAll(/`(agentry_[a-z0-9_]+)`/g)].map((m) => m[1]));

describe('metrics registry vs dashboards and docs/metrics.md', () => {
  collectProcessMetrics();
  const registered = new Set(registry.getMetricsAsArray().map((m) => m.name));

  it('registers every metric family a dashboard expression uses', () => {
    const used = metricNamesInDashboards();
    expect(used.length).toBeGreaterThan(5);
    expect(used.filter((n) => !registered.has(n))).toEqual([]);
  });

  it('parses every PromQL expression of every dashboard into known series', () => {
    for (const { file, dashboard } of loadDashboards()) {
      for (const expr of promqlExpressions(dashboard)) {
        const names = seriesNamesIn(expr);
        expect({ file, expr, names: names.length > 0 }).toEqual({ file, expr, names: true });
        // balanced brackets: a cheap syntax check of hand-written PromQL
        for (const [open, close] of [['(', ')'], ['{', '}'], ['[', ']']]) expect({ file, expr, open: expr.split(open).length }).toEqual({ file, expr, open: expr.split(close).length });
      }
    }
  });

  it('documents every registered agentry_* metric and every metric the dashboards use', () => {
    const undocumented = [...registered].filter((n) => n.startsWith('agentry_') && !n.startsWith('agentry_process_') && !documented.has(n));
    expect(undocumented).toEqual([]);
    expect(metricNamesInDashboards().filter((n) => !documented.has(n))).toEqual([]);
    expect([...registered].some((n) => n.startsWith('agentry_process_'))).toBe(true);
  });

  it('documents nothing that does not exist', () => {
    expect([...documented].filter((n) => n !== 'agentry_process_' && !registered.has(n))).toEqual([]);
  });
});
