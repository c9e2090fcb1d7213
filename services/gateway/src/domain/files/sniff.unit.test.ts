import { sniffType } from './sniff';

describe('sniffType: the allow-list by content', () => {
  it.each([
    ['png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]), 'image/png'],
    ['jpeg', Buffer.from([0xff, 0xd8, 0xff, 0xe0]), 'image/jpeg'],
    ['gif', Buffer.from('GIF89a....', 'latin1'), 'image/gif'],
    ['webp', Buffer.from('RIFF\0\0\0\0WEBPVP8 ', 'latin1'), 'image/webp'],
    ['pdf', Buffer.from('%PDF-1.7\n'), 'application/pdf'],
    ['utf-8 text', Buffer.from('name,value\nü,1\n'), 'text/plain'],
  ])('accepts %s', (_name, buf, type) => expect(sniffType(buf)).toBe(type));

  it.each([
    ['an executable', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0])],
    ['a zip', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0])],
    ['invalid utf-8', Buffer.from([0x68, 0xc3, 0x28])],
    ['text with NUL', Buffer.from('abc\0def')],
    ['nothing', Buffer.alloc(0)],
  ])('refuses %s', (_name, buf) => expect(sniffType(buf)).toBeUndefined());
});
