/** Python `re` patterns (as AutoGPT agents store them) in JavaScript syntax. */
export function pythonRegex(
  pattern: string,
  flags: { caseSensitive: boolean; dotAll: boolean; global?: boolean },
): RegExp {
  const source = pattern
    .replace(/\(\?P<(\w+)>/g, '(?<$1>')
    .replace(/\(\?P=(\w+)\)/g, '\\k<$1>')
    .replace(/\\A/g, '^')
    .replace(/\\Z/g, '$');
  const unicode = hasUnicodeIssue(source) ? '' : 'u';
  return new RegExp(
    source,
    `${flags.global ? 'g' : ''}${flags.caseSensitive ? '' : 'i'}${flags.dotAll ? 's' : ''}${unicode}`,
  );
}

/** The `u` flag rejects some escapes Python accepts (e.g. `\-` outside a class); fall back to non-unicode mode for them. */
function hasUnicodeIssue(source: string): boolean {
  try {
    new RegExp(source, 'u');
    return false;
  } catch {
    return true;
  }
}

/** How a non-string value reads for matching: JSON, as AutoGPT does (json.dumps). */
export const asText = (value: unknown): string => (typeof value === 'string' ? value : (JSON.stringify(value) ?? ''));

export const MAX_TEXT_LENGTH = 1_000_000;
