/**
 * Fill Jinja-style placeholders (`{{ name }}`, `{{ name | safe }}`, `{{ name | trim }}`) from prompt_values,
 * as AutoGPT does for prompts. Undefined names render empty, like Jinja; non-strings render as JSON.
 */
export function fillTemplate(template: string, values: Record<string, unknown>): string {
  return template.replace(
    /\{\{\s*([A-Za-z0-9_ .-]+?)\s*((?:\|\s*[a-z_]+\s*)*)\}\}/g,
    (_match, name: string, filters: string) => {
      const value = values[name.trim()];
      let text = value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value);
      for (const filter of filters
        .split('|')
        .map((f) => f.trim())
        .filter(Boolean)) {
        if (filter === 'trim') text = text.trim();
        else if (filter === 'upper') text = text.toUpperCase();
        else if (filter === 'lower') text = text.toLowerCase();
        // `safe` and unknown filters leave the text as is (no HTML escaping happens here).
      }
      return text;
    },
  );
}

const FENCE = /```(?:json|python|javascript|js)?\s*\n?([\s\S]*?)```/i;

/** The JSON value in a model answer: the whole text, a fenced block, or the outermost {...} / [...] span. */
export function extractJson(text: string): unknown {
  const candidates: string[] = [text.trim()];
  const fenced = FENCE.exec(text);
  if (fenced) candidates.push(fenced[1].trim());
  for (const [open, close] of [
    ['{', '}'],
    ['[', ']'],
  ]) {
    const start = text.indexOf(open);
    const end = text.lastIndexOf(close);
    if (start >= 0 && end > start) candidates.push(text.slice(start, end + 1));
  }
  let lastError: unknown;
  for (const candidate of candidates) {
    try {
      return JSON.parse(candidate);
    } catch (err) {
      lastError = err;
    }
  }
  throw new Error(`the response is not valid JSON (${(lastError as Error)?.message ?? 'empty'})`);
}

/**
 * Parse a list the way AutoGPT's list generator does (Python `ast.literal_eval`): JSON or Python literal
 * syntax with single or double quoted strings, numbers, True/False/None and nested lists.
 */
export function parseListLiteral(text: string): unknown[] {
  const fenced = FENCE.exec(text);
  const source = (fenced ? fenced[1] : text).trim();
  let pos = 0;
  const fail = (what: string): never => {
    throw new Error(`Invalid list format: ${what} at position ${pos}`);
  };
  const ws = () => {
    while (pos < source.length && /\s/.test(source[pos])) pos++;
  };
  const value = (): unknown => {
    ws();
    const c = source[pos];
    if (c === '[' || c === '(') return list(c === '[' ? ']' : ')');
    if (c === '"' || c === "'") return str(c);
    const m = /^(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?|True|False|None|true|false|null)/.exec(source.slice(pos));
    if (!m) return fail('unexpected token');
    pos += m[0].length;
    const word = m[0];
    if (word === 'True' || word === 'true') return true;
    if (word === 'False' || word === 'false') return false;
    if (word === 'None' || word === 'null') return null;
    return Number(word);
  };
  const str = (quote: string): string => {
    pos++;
    let out = '';
    while (pos < source.length && source[pos] !== quote) {
      if (source[pos] === '\\') {
        const next = source[pos + 1];
        out += ({ n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"' } as Record<string, string>)[next] ?? next;
        pos += 2;
      } else out += source[pos++];
    }
    if (source[pos] !== quote) fail('unterminated string');
    pos++;
    return out;
  };
  const list = (close: string): unknown[] => {
    pos++;
    const items: unknown[] = [];
    ws();
    if (source[pos] === close) {
      pos++;
      return items;
    }
    for (;;) {
      items.push(value());
      ws();
      if (source[pos] === ',') {
        pos++;
        ws();
        if (source[pos] === close) {
          pos++;
          return items;
        }
      } else if (source[pos] === close) {
        pos++;
        return items;
      } else fail(`expected ',' or '${close}'`);
    }
  };
  ws();
  if (source[pos] !== '[') fail('the response is not a list');
  const result = list(']');
  ws();
  if (pos !== source.length) fail('trailing text after the list');
  return result;
}
