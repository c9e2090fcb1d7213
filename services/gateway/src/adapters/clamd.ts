import net from 'node:net';
import { DomainError } from '@agentry/kernel';

/**
 * clamd INSTREAM: `zINSTREAM\0`, then chunks each prefixed by its 4-byte big-endian length, then a zero length.
 * The answer is `stream: OK` or `stream: <signature> FOUND`.
 */
export async function scanWithClamd(
  options: { host: string; port: number; timeoutMs?: number },
  data: Buffer,
): Promise<{ clean: boolean; signature?: string }> {
  const reply = await new Promise<string>((resolve, reject) => {
    const socket = net.createConnection({ host: options.host, port: options.port });
    const chunks: Buffer[] = [];
    socket.setTimeout(options.timeoutMs ?? 30_000, () => socket.destroy(new Error('clamd timed out')));
    socket.on('connect', () => {
      socket.write('zINSTREAM\0');
      const CHUNK = 64 * 1024;
      for (let i = 0; i < data.length; i += CHUNK) {
        const part = data.subarray(i, i + CHUNK);
        const len = Buffer.alloc(4);
        len.writeUInt32BE(part.length);
        socket.write(len);
        socket.write(part);
      }
      socket.write(Buffer.alloc(4));
    });
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('utf8').replace(/\0/g, '').trim()));
    socket.on('error', reject);
  }).catch((err: unknown) => {
    throw new DomainError('UNAVAILABLE', 'the virus scanner is unavailable; try again later', undefined, {
      cause: err,
    });
  });
  if (/:\s*OK$/.test(reply)) return { clean: true };
  const found = reply.match(/:\s*(.+)\s+FOUND$/);
  if (found) return { clean: false, signature: found[1] };
  throw new DomainError('UNAVAILABLE', `the virus scanner answered unexpectedly (${reply.slice(0, 100)})`);
}
