import { DomainError } from '@agentry/kernel';

export const MAX_IMAGE_BYTES = 2 * 1024 * 1024;

const SIGNATURES: Array<{ type: string; test: (b: Uint8Array) => boolean }> = [
  { type: 'image/png', test: (b) => b.length > 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47 && b[4] === 0x0d && b[5] === 0x0a && b[6] === 0x1a && b[7] === 0x0a },
  { type: 'image/jpeg', test: (b) => b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { type: 'image/gif', test: (b) => b.length > 6 && String.fromCharCode(...b.subarray(0, 6)).match(/^GIF8[79]a$/) !== null },
  { type: 'image/webp', test: (b) => b.length > 12 && String.fromCharCode(...b.subarray(0, 4)) === 'RIFF' && String.fromCharCode(...b.subarray(8, 12)) === 'WEBP' },
];

/** The image type proven by the content's magic bytes (the declared type is not trusted); SVG is refused (scripts). */
export function sniffImage(data: Uint8Array): string {
  if (data.length === 0) throw new DomainError('VALIDATION_FAILED', 'the upload is empty', { errors: { data: 'required' } });
  if (data.length > MAX_IMAGE_BYTES) throw new DomainError('PAYLOAD_TOO_LARGE', `images are limited to ${MAX_IMAGE_BYTES} bytes`, { errors: { data: `at most ${MAX_IMAGE_BYTES} bytes` } });
  const match = SIGNATURES.find((s) => s.test(data));
  if (!match) throw new DomainError('UNSUPPORTED_MEDIA_TYPE', 'only PNG, JPEG, GIF and WebP images are accepted', { errors: { data: 'png, jpeg, gif or webp' } });
  return match.type;
}
