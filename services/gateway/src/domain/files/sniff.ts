/**
 * Type allow-list checked by content (magic bytes), never by the name or the declared content type.
 * Text is accepted when it is valid UTF-8 without NUL or other control characters.
 */
export type AllowedType = 'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp' | 'application/pdf' | 'text/plain';

const starts = (buf: Buffer, bytes: number[] | string, at = 0) => {
  const want = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : Buffer.from(bytes);
  return buf.length >= at + want.length && buf.subarray(at, at + want.length).equals(want);
};

export function sniffType(buf: Buffer): AllowedType | undefined {
  if (starts(buf, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (starts(buf, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (starts(buf, 'GIF87a') || starts(buf, 'GIF89a')) return 'image/gif';
  if (starts(buf, 'RIFF') && starts(buf, 'WEBP', 8)) return 'image/webp';
  if (starts(buf, '%PDF-')) return 'application/pdf';
  if (isPlainText(buf)) return 'text/plain';
  return undefined;
}

function isPlainText(buf: Buffer): boolean {
  if (buf.length === 0) return false;
  // Control characters other than tab, newline, form feed and carriage return mark binary data.
  for (const byte of buf)
    if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0c && byte !== 0x0d) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(buf);
    return true;
  } catch {
    return false;
  }
}
