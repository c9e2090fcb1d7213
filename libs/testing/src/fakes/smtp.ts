import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface CapturedMail {
  from: string;
  to: string[];
  /** Login used for AUTH, if any. */
  user?: string;
  subject?: string;
  /** The whole RFC 5322 message as received. */
  raw: string;
}

export interface FakeSmtpServer {
  name: 'smtp';
  host: string;
  port: number;
  url: string;
  /** Same objects as `messages`, under the common name used by the HTTP fakes. */
  requests: CapturedMail[];
  messages: CapturedMail[];
  reset(): void;
  close(): Promise<void>;
}

/** Plain SMTP on 127.0.0.1:0 that accepts any login (except password "wrong") and keeps every message. */
export async function startFakeSmtp(): Promise<FakeSmtpServer> {
  const messages: CapturedMail[] = [];
  const server = new SMTPServer({
    secure: false,
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.password === 'wrong') return callback(new Error('Invalid username or password'));
      callback(null, { user: auth.username });
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const subject = /^Subject: (.*)$/im.exec(raw)?.[1]?.trim();
        messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          user: typeof session.user === 'string' ? session.user : undefined,
          subject,
          raw,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = (server as unknown as { server: { address(): AddressInfo } }).server.address();
  return {
    name: 'smtp',
    host: '127.0.0.1',
    port,
    url: `smtp://127.0.0.1:${port}`,
    requests: messages,
    messages,
    reset: () => {
      messages.length = 0;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
