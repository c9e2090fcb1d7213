/**
 * The small Jinja subset AutoGPT agents use in text templates and prompts: `{{ name }}`, `{{name}}`,
 * dotted and indexed paths (`{{ a.b }}`, `{{ a[0] }}`, `{{ a["key with space"] }}`) and filters
 * (`safe`, `upper`, `lower`, `title`, `capitalize`, `trim`, `length`, `tojson`, `join(", ")`, `default("x")`).
 * Missing values render empty. No statements (`{% … %}`) and no expressions: those are left as written.
 */
export interface TemplateOptions {
  /** Escape HTML in rendered values, except those marked `| safe`. */
  escapeHtml?: boolean;
}

const PLACEHOLDER = /\{\{\s*([\s\S]*?)\s*\}\}/g;

export function renderTemplate(
  template: string,
  values: Record<string, unknown>,
  options: TemplateOptions = {},
): string {
  return template.replace(PLACEHOLDER, (whole, expression: string) => {
    const [head, ...filters] = splitFilters(expression);
    const path = parsePath(head.trim());
    if (!path) return whole;
    let value: unknown = lookup(values, path);
    let safe = false;
    for (const raw of filters) {
      const f = parseFilter(raw.trim());
      if (!f) return whole;
      if (f.name === 'safe') safe = true;
      else value = applyFilter(f.name, f.args, value);
    }
    const text = stringify(value);
    return options.escapeHtml && !safe ? escapeHtml(text) : text;
  });
}

/** Names a template reads at the top level (`{{ topic }}`, `{{ user.name }}` → topic, user). */
export function templateVariables(template: string): string[] {
  const names = new Set<string>();
  for (const m of template.matchAll(PLACEHOLDER)) {
    const path = parsePath(splitFilters(m[1])[0].trim());
    if (path && typeof path[0] === 'string') names.add(path[0]);
  }
  return [...names];
}

/** How a value reads in text: strings as they are, null/undefined empty, everything else as JSON. */
export function stringify(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&#34;')
    .replace(/'/g, '&#39;');
}

/** Splits on `|` outside quotes. */
function splitFilters(expression: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quote: string | undefined;
  for (const ch of expression) {
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '|') {
      parts.push(current);
      current = '';
      continue;
    }
    current += ch;
  }
  parts.push(current);
  return parts;
}

type PathSegment = string | number;

function parsePath(expr: string): PathSegment[] | undefined {
  const first = /^[A-Za-z_][\w-]*/.exec(expr);
  if (!first) return undefined;
  const path: PathSegment[] = [first[0]];
  let rest = expr.slice(first[0].length);
  while (rest.length > 0) {
    const m = /^\.([A-Za-z_]\w*|\d+)/.exec(rest) ?? /^\[\s*(\d+|"[^"]*"|'[^']*')\s*\]/.exec(rest);
    if (!m) return undefined;
    const seg = m[1];
    path.push(/^\d+$/.test(seg) ? Number(seg) : seg.replace(/^["']|["']$/g, ''));
    rest = rest.slice(m[0].length);
  }
  return path;
}

function lookup(values: Record<string, unknown>, path: PathSegment[]): unknown {
  let current: unknown = values;
  for (const seg of path) {
    if (current === null || current === undefined) return undefined;
    if (typeof current === 'string' && typeof seg === 'string' && path.length > 1) {
      // A JSON string passed where a structure was expected: read into it, as agents often do.
      try {
        current = JSON.parse(current);
      } catch {
        return undefined;
      }
    }
    if (typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[seg];
  }
  return current;
}

function parseFilter(raw: string): { name: string; args: unknown[] } | undefined {
  const m = /^([A-Za-z_]\w*)\s*(?:\((.*)\))?$/.exec(raw);
  if (!m) return undefined;
  const args = m[2] === undefined || m[2].trim() === '' ? [] : parseArgs(m[2]);
  return args ? { name: m[1], args } : undefined;
}

function parseArgs(text: string): unknown[] | undefined {
  const args: unknown[] = [];
  const re = /\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|-?\d+(?:\.\d+)?|true|false|True|False|none|None)\s*(,|$)/gy;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while (consumed < text.length && (m = re.exec(text))) {
    const tok = m[1];
    if (/^["']/.test(tok)) args.push(tok.slice(1, -1).replace(/\\(.)/g, '$1'));
    else if (/^(true|True)$/.test(tok)) args.push(true);
    else if (/^(false|False)$/.test(tok)) args.push(false);
    else if (/^(none|None)$/.test(tok)) args.push(null);
    else args.push(Number(tok));
    consumed = re.lastIndex;
    if (m[2] === '') break;
  }
  return consumed >= text.trimEnd().length ? args : undefined;
}

function applyFilter(name: string, args: unknown[], value: unknown): unknown {
  switch (name) {
    case 'upper':
      return stringify(value).toUpperCase();
    case 'lower':
      return stringify(value).toLowerCase();
    case 'trim':
      return stringify(value).trim();
    case 'capitalize': {
      const s = stringify(value);
      return s.charAt(0).toUpperCase() + s.slice(1).toLowerCase();
    }
    case 'title':
      return stringify(value).replace(/\w\S*/g, (w) => w.charAt(0).toUpperCase() + w.slice(1).toLowerCase());
    case 'length':
    case 'count':
      return typeof value === 'string' || Array.isArray(value)
        ? value.length
        : value && typeof value === 'object'
          ? Object.keys(value).length
          : 0;
    case 'tojson':
      return JSON.stringify(value ?? null);
    case 'join':
      return Array.isArray(value)
        ? value.map(stringify).join(typeof args[0] === 'string' ? args[0] : '')
        : stringify(value);
    case 'default':
    case 'd':
      return value === undefined || value === null || (args[1] === true && !value) ? args[0] : value;
    case 'string':
      return stringify(value);
    case 'int':
      return Math.trunc(Number(value)) || 0;
    case 'float':
      return Number(value) || 0;
    default:
      // Unknown filters pass the value through rather than failing a whole render.
      return value;
  }
}
