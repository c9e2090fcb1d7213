import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  dashboardsDir,
  loadDashboards,
  metricNamesInDashboards,
  panelsOf,
  promqlExpressions,
  seriesNamesIn,
} from './dashboards';

// The metric families the platform exports (DESIGN.md "Observability"); the dashboards may use no others.
const AGENTRY_METRICS = [
  'agentry_consumer_lag_seconds',
  'agentry_executions_started_total',
  'agentry_executions_total',
  'agentry_grpc_requests_total',
  'agentry_http_request_duration_seconds',
  'agentry_http_requests_total',
  'agentry_lease_expiries_total',
  'agentry_llm_cost_usd_total',
  'agentry_llm_tokens_total',
  'agentry_node_duration_seconds',
  'agentry_node_executions_total',
  'agentry_node_retries_total',
  'agentry_queue_depth',
];

describe('Grafana dashboards', () => {
  const dashboards = loadDashboards();

  it('ships the overview, executions, block-runner and per-tenant dashboards, each valid JSON', () => {
    const files = readdirSync(dashboardsDir)
      .filter((f) => f.endsWith('.json'))
      .sort();
    expect(files).toEqual(['block-runner.json', 'executions.json', 'overview.json', 'tenant.json']);
    for (const f of files) expect(() => JSON.parse(readFileSync(join(dashboardsDir, f), 'utf8'))).not.toThrow();
  });

  it('have unique uids and titles, and a Prometheus data source variable', () => {
    expect(new Set(dashboards.map((d) => d.dashboard.uid)).size).toBe(dashboards.length);
    for (const { dashboard } of dashboards) {
      expect(dashboard.uid).toMatch(/^[a-z0-9-]{1,40}$/);
      expect(dashboard.templating?.list).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ name: 'datasource', type: 'datasource', query: 'prometheus' }),
        ]),
      );
    }
  });

  describe.each(loadDashboards().map(({ file, dashboard }) => [file, dashboard] as const))('%s', (_file, dashboard) => {
    const panels = panelsOf(dashboard).filter((p) => p.type !== 'row');

    it('gives every panel a title and at least one PromQL expression', () => {
      expect(panels.length).toBeGreaterThan(5);
      for (const p of panels) {
        expect(p.title).toEqual(expect.any(String));
        expect(p.targets?.length ?? 0).toBeGreaterThan(0);
        for (const t of p.targets ?? [])
          expect({ panel: p.title, expr: (t.expr ?? '').trim().length > 0 }).toEqual({ panel: p.title, expr: true });
      }
    });

    it('has unique panel ids and panels that fit the 24-column grid', () => {
      const ids = panels.map((p) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const p of panels) {
        const pos = p.gridPos as { x: number; w: number };
        expect(pos.x + pos.w).toBeLessThanOrEqual(24);
      }
    });

    it('writes well-formed PromQL: balanced brackets, an agentry_ metric in each expression', () => {
      for (const expr of promqlExpressions(dashboard)) {
        expect({ expr, balanced: isBalanced(expr) }).toEqual({ expr, balanced: true });
        expect({ expr, metrics: seriesNamesIn(expr).length > 0 }).toEqual({ expr, metrics: true });
      }
    });

    it('takes quantiles from _bucket series grouped by le, and rates of counters only', () => {
      for (const expr of promqlExpressions(dashboard)) {
        if (expr.includes('histogram_quantile')) expect(expr).toMatch(/_bucket\{/);
        if (expr.includes('histogram_quantile')) expect(expr).toMatch(/by \((le|le, \w+)\)/);
        for (const m of expr.matchAll(/(?:rate|increase)\((agentry_\w+)/g))
          expect(m[1]).toMatch(/(_total|_bucket|_sum|_count)$/);
        expect(expr).not.toMatch(/(?:rate|increase)\(agentry_queue_depth/);
      }
    });
  });
});

describe('metricNamesInDashboards', () => {
  it('lists the metric families used, as prom-client registers them', () => {
    expect(metricNamesInDashboards()).toEqual(AGENTRY_METRICS);
  });

  it('strips histogram suffixes but not names inside label matchers', () => {
    expect(
      seriesNamesIn('histogram_quantile(0.9, sum by (le) (rate(agentry_x_seconds_bucket{route="agentry_fake"}[5m])))'),
    ).toEqual(['agentry_x_seconds_bucket']);
  });
});

function isBalanced(expr: string): boolean {
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  const stack: string[] = [];
  let inString = false;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i];
    if (c === '"' && expr[i - 1] !== '\\') inString = !inString;
    if (inString) continue;
    if ('([{'.includes(c)) stack.push(c);
    else if (c in pairs && stack.pop() !== pairs[c]) return false;
  }
  return stack.length === 0 && !inString;
}
