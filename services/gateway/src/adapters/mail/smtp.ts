import nodemailer from 'nodemailer';
import type { Logger } from '@agentry/observability';

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  readonly configured: boolean;
  send(mail: Mail): Promise<void>;
  close(): void;
}

/** SMTP through nodemailer when AGENTRY_SMTP_HOST is set; otherwise mails are logged (without their secrets) and dropped. */
export function createMailer(options: {
  host?: string;
  port: number;
  user?: string;
  password?: string;
  from: string;
  logger: Logger;
}): Mailer {
  if (!options.host) {
    return {
      configured: false,
      async send(mail) {
        options.logger.warn(
          { to: mail.to, subject: mail.subject },
          'no SMTP server configured (AGENTRY_SMTP_HOST); mail not sent',
        );
      },
      close() {},
    };
  }
  const transport = nodemailer.createTransport({
    host: options.host,
    port: options.port,
    secure: options.port === 465,
    auth: options.user ? { user: options.user, pass: options.password ?? '' } : undefined,
    tls: { rejectUnauthorized: false },
  });
  return {
    configured: true,
    async send(mail) {
      await transport.sendMail({ from: options.from, to: mail.to, subject: mail.subject, text: mail.text });
    },
    close: () => transport.close(),
  };
}
