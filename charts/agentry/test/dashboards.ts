// Reads the Grafana dashboards shipped in charts/agentry/dashboards and lists the
// metrics their PromQL uses, so other tests can check them against the prom-client registry.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const dashboardsDir = join(__dirname, '..', 'dashboards');

export interface DashboardPanel {
  id?: number;
  type: string;
  title: string;
  targets?: Array<{ refId?: string; expr?: string }>;
  panels?: DashboardPanel[];
  [key: string]: unknown;
}

export interface Dashboard {
  uid: string;
  title: string;
  panels: DashboardPanel[];
  templating?: { list: Array<{ name: string; type: string; query?: unknown; definition?: string }> };
  [key: string]: unknown;
}

export function loadDashboards(dir = dashboardsDir): Array<{ file: string; dashboard: Dashboard }> {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, dashboard: JSON.parse(readFileSync(join(dir, file), 'utf8')) as Dashboard }));
}

/** Every panel, including those nested in collapsed rows. */
export function panelsOf(dashboard: Dashboard): DashboardPanel[] {
  return dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
}

/** Every PromQL expression: panel targets and query variables. */
export function promqlExpressions(dashboard: Dashboard): string[] {
  const fromPanels = panelsOf(dashboard).flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? ''));
  const fromVariables = (dashboard.templating?.list ?? []).flatMap((v) => {
    if (v.type !== 'query') return [];
    const q = v.query as { query?: string } | string | undefined;
    return [typeof q === 'string' ? q : (q?.query ?? v.definition ?? '')];
  });
  return [...fromPanels, ...fromVariables].filter((e) => e.length > 0);
}

const HISTOGRAM_SERIES_SUFFIX = /_(bucket|sum|count)$/;

/**
 * Names as Prometheus scrapes them (`agentry_node_duration_seconds_bucket`, …) from one expression.
 * Agentry's metrics all start with `agentry_` (DESIGN.md), which keeps this free of a PromQL parser:
 * label names, functions and `$__rate_interval` never do.
 */
export function seriesNamesIn(expr: string): string[] {
  const withoutStrings = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  return [...new Set(withoutStrings.match(/\bagentry_[a-zA-Z0-9_:]+/g) ?? [])];
}

/**
 * The metric families the dashboards use, as registered in prom-client: histogram series
 * suffixes (_bucket, _sum, _count) are removed, so `agentry_node_duration_seconds_bucket`
 * becomes `agentry_node_duration_seconds`. Sorted, without duplicates.
 */
export function metricNamesInDashboards(dir = dashboardsDir): string[] {
  const names = loadDashboards(dir)
    .flatMap(({ dashboard }) => promqlExpressions(dashboard))
    .flatMap(seriesNamesIn)
    .map((n) => n.replace(HISTOGRAM_SERIES_SUFFIX, ''));
  return [...new Set(names)].sort();
}
