import { createHash, createHmac } from 'node:crypto';
import { defineBlock, type BlockContext } from '@agentry/block-sdk';
import { createTransport } from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import { z } from 'zod';
import { ProviderError } from '../errors';
import { callProvider, callProviderText, providerBaseUrl, requireSecret } from '../http';
import { credentialsInput } from '../llm/blocks';
import { assertHostAllowed } from '../ssrf';
import { fakeWebUrl, lazyInput, testApiKey, testOAuth, withErrorPin } from '../support';

/** Message-ID derived from the idempotency key, so a replayed send can be recognised downstream. */
const messageIdFor = (ctx: BlockContext): string =>
  `<${createHash('sha256').update(ctx.idempotencyKey).digest('hex').slice(0, 32)}@agentry>`;

// ---------------------------------------------------------------- SMTP

export const sendEmailBlock = defineBlock({
  id: '3954f7fa-90d0-4844-ae28-b06ff277d11e',
  name: 'SendEmailBlock',
  description: 'Send an email over SMTP (server from the input, else AGENTRY_SMTP_HOST / AGENTRY_SMTP_PORT).',
  categories: ['COMMUNICATION'],
  sideEffects: true,
  credentials: { field: 'credentials', providers: ['smtp'], types: ['user_password'] },
  input: z.object({
    credentials: credentialsInput,
    to_email: z.string().describe('Recipient address (several separated by commas)'),
    subject: z.string(),
    body: z.string(),
    from_email: z.string().nullish().describe('Sender address (defaults to the SMTP username)'),
    html: z.boolean().default(false).describe('The body is HTML'),
    config: z
      .object({ smtp_server: z.string().default(''), smtp_port: z.number().int().positive().nullish() })
      .default({ smtp_server: '' }),
  }),
  output: z.object({ status: z.string(), message_id: z.string(), error: z.string() }),
  run: (input, ctx) =>
    withErrorPin(ctx, async function* () {
      const operatorHost = process.env.AGENTRY_SMTP_HOST;
      const host = input.config.smtp_server || operatorHost;
      if (!host) throw new Error('No SMTP server: set config.smtp_server or AGENTRY_SMTP_HOST');
      const port = input.config.smtp_port ?? (Number(process.env.AGENTRY_SMTP_PORT) || 25);
      // SMTP does not go through ctx.fetch, so the SSRF policy is applied here; the operator's relay is trusted.
      if (host !== operatorHost) await assertHostAllowed(host);
      const creds = ctx.credentials?.type === 'user_password' ? ctx.credentials : undefined;
      const transport = createTransport({
        host,
        port,
        secure: port === 465,
        auth: creds ? { user: creds.username, pass: creds.password } : undefined,
        connectionTimeout: 30_000,
        greetingTimeout: 30_000,
        socketTimeout: 60_000,
      });
      try {
        const info = await transport.sendMail({
          from: input.from_email || creds?.username || 'agentry@localhost',
          to: input.to_email,
          subject: input.subject,
          [input.html ? 'html' : 'text']: input.body,
          messageId: messageIdFor(ctx),
        });
        yield ['status', 'Email sent successfully'];
        yield ['message_id', info.messageId];
      } finally {
        transport.close();
      }
    }),
  testCases: [
    {
      needs: ['smtp'],
      credentials: {
        id: 'test-smtp',
        provider: 'smtp',
        type: 'user_password',
        username: 'agent@example.com',
        password: 'secret-password',
      },
      input: { to_email: 'ada@example.com', subject: 'Hello', body: 'Hi Ada' },
      output: [
        ['status', 'Email sent successfully'],
        ['message_id', (v: unknown) => typeof v === 'string' && v.endsWith('@agentry>')],
      ],
    },
  ],
});

// ---------------------------------------------------------------- Discord / Slack / Telegram

export const discordWebhookMessageBlock = defineBlock({
  id: '1bfaa1d5-abb4-4306-816e-350ab37beca3',
  name: 'DiscordWebhookMessageBlock',
  description: 'Post a message to a Discord channel through a webhook URL.',
  categories: ['SOCIAL', 'COMMUNICATION'],
  sideEffects: true,
  input: z.object({
    webhook_url: z.string().meta({ secret: true }).describe('https://discord.com/api/webhooks/<id>/<token>'),
    content: z.string().max(2000),
    username: z.string().nullish(),
    embeds: z.array(z.record(z.string(), z.unknown())).default([]),
  }),
  output: z.object({ status: z.string(), message_id: z.string(), error: z.string() }),
  run: (input, ctx) =>
    withErrorPin(ctx, async function* () {
      const url = new URL(input.webhook_url);
      url.searchParams.set('wait', 'true');
      const { data } = await callProvider<{ id: string }>(ctx, {
        provider: 'discord',
        url: url.toString(),
        method: 'POST',
        json: {
          content: input.content,
          ...(input.username ? { username: input.username } : {}),
          ...(input.embeds.length ? { embeds: input.embeds } : {}),
        },
        secrets: [input.webhook_url, url.pathname.split('/').pop()],
      });
      yield ['status', 'Message sent'];
      yield ['message_id', data.id];
    }),
  testCases: [
    {
      needs: ['discord'],
      input: lazyInput(
        { content: 'Hello Discord', username: 'Agentry' },
        { webhook_url: () => fakeWebUrl('/discord/api/webhooks/123/abcdefghijklmnop') },
      ),
      output: [
        ['status', 'Message sent'],
        ['message_id', (v: unknown) => typeof v === 'string' && v.length > 0],
      ],
    },
  ],
});

export const discordBotSendMessageBlock = defineBlock({
  id: '60f4f521-00b3-417a-a28f-3601e430c8fd',
  name: 'DiscordBotSendMessageBlock',
  description: 'Send a message to a Discord channel as a bot (bot token, channel messages API).',
  categories: ['SOCIAL', 'COMMUNICATION'],
  sideEffects: true,
  credentials: { field: 'credentials', providers: ['discord'], types: ['api_key'] },
  input: z.object({
    credentials: credentialsInput,
    channel_id: z.string().describe('Id of the channel to post in'),
    content: z.string().max(2000),
    embeds: z.array(z.record(z.string(), z.unknown())).default([]),
  }),
  output: z.object({ message_id: z.string(), status: z.string(), error: z.string() }),
  run: (input, ctx) =>
    withErrorPin(ctx, async function* () {
      const { data } = await callProvider<{ id: string }>(ctx, {
        provider: 'discord',
        url: `${providerBaseUrl('discord')}/channels/${encodeURIComponent(input.channel_id)}/messages`,
        method: 'POST',
        headers: { authorization: `Bot ${requireSecret(ctx, 'discord')}` },
        json: { content: input.content, ...(input.embeds.length ? { embeds: input.embeds } : {}) },
      });
      yield ['message_id', data.id];
      yield ['status', 'Message sent'];
    }),
  testCases: [
    {
      needs: ['discord'],
      credentials: testApiKey('discord'),
      input: { channel_id: '123456789012345678', content: 'Hello Discord' },
      output: [
        ['message_id', (v: unknown) => typeof v === 'string' && /^\d+$/.test(v)],
        ['status', 'Message sent'],
      ],
    },
    {
      name: 'unknown channel',
      needs: ['discord'],
      credentials: testApiKey('discord'),
      input: { channel_id: 'missing', content: 'x' },
      output: [['error', 'discord API error 404: Unknown Channel']],
    },
  ],
});

interface SlackAnswer {
  ok: boolean;
  error?: string;
  channel?: string;
  ts?: string;
}

export const slackSendMessageBlock = defineBlock({
  id: 'aad69f14-c853-4567-838e-a413f7204a87',
  name: 'SlackSendMessageBlock',
  description: 'Post a message to a Slack channel with a bot token (chat.postMessage).',
  categories: ['SOCIAL', 'COMMUNICATION'],
  sideEffects: true,
  credentials: { field: 'credentials', providers: ['slack'], types: ['api_key', 'oauth2'] },
  input: z.object({
    credentials: credentialsInput,
    channel: z.string().describe('Channel id or #name'),
    text: z.string(),
    thread_ts: z.string().nullish().describe('Reply in this thread'),
  }),
  output: z.object({ ts: z.string(), channel: z.string(), error: z.string() }),
  run: (input, ctx) =>
    withErrorPin(ctx, async function* () {
      const { data } = await callProvider<SlackAnswer>(ctx, {
        provider: 'slack',
        url: `${providerBaseUrl('slack')}/chat.postMessage`,
        method: 'POST',
        headers: { authorization: `Bearer ${requireSecret(ctx, 'slack')}` },
        json: { channel: input.channel, text: input.text, ...(input.thread_ts ? { thread_ts: input.thread_ts } : {}) },
      });
      // Slack answers 200 with ok:false for most failures.
      if (!data.ok)
        throw new ProviderError(
          'slack',
          data.error === 'ratelimited' ? 'PROVIDER_RATE_LIMITED' : 'PROVIDER_REJECTED',
          `slack API error: ${data.error}`,
          200,
          data.error === 'ratelimited',
        );
      yield ['ts', data.ts ?? ''];
      yield ['channel', data.channel ?? input.channel];
    }),
  testCases: [
    {
      needs: ['slack'],
      credentials: testApiKey('slack'),
      input: { channel: '#general', text: 'Hello Slack' },
      output: [
        ['ts', '1735689600.000100'],
        ['channel', 'C0123456'],
      ],
    },
    {
      name: 'ok:false becomes an error',
      needs: ['slack'],
      credentials: testApiKey('slack'),
      input: { channel: 'missing', text: 'x' },
      output: [['error', 'slack API error: channel_not_found']],
    },
  ],
});

export const slackIncomingWebhookBlock = defineBlock({
  id: '2d9277c3-3d5f-43bc-be9e-976cc5bb7974',
  name: 'SlackIncomingWebhookBlock',
  description: 'Post a message to Slack through an incoming webhook URL.',
  categories: ['SOCIAL', 'COMMUNICATION'],
  sideEffects: true,
  input: z.object({
    webhook_url: z.string().meta({ secret: true }).describe('https://hooks.slack.com/services/…'),
    text: z.string(),
    blocks: z.array(z.record(z.string(), z.unknown())).default([]),
  }),
  output: z.object({ status: z.string(), error: z.string() }),
  run: (input, ctx) =>
    withErrorPin(ctx, async function* () {
      const answer = await callProviderText(ctx, {
        provider: 'slack',
        url: input.webhook_url,
        method: 'POST',
        json: { text: input.text, ...(input.blocks.length ? { blocks: input.blocks } : {}) },
        secrets: [input.webhook_url, new URL(input.webhook_url).pathname],
      });
      yield ['status', answer.trim() || 'ok'];
    }),
  testCases: [
    {
      needs: ['slack'],
      input: lazyInput(
        { text: 'Hello' },
        { webhook_url: () => fakeWebUrl('/slack/hooks/services/T000/B000/XXXXXXXX') },
      ),
      output: [['status', 'ok']],
    },
  ],
});

export const telegramSendMessageBlock = defineBlock({
  id: '018d0605-dccf-48c0-94b1-879b0b23eb15',
  name: 'TelegramSendMessageBlock',
  description: 'Send a message to a Telegram chat with a bot (Bot API sendMessage).',
  categories: ['SOCIAL', 'COMMUNICATION'],
  sideEffects: true,
  credentials: { field: 'credentials', providers: ['telegram'], types: ['api_key'] },
  input: z.object({
    credentials: credentialsInput,
    chat_id: z.union([z.string(), z.number()]),
    text: z.string().max(4096),
    parse_mode: z.enum(['', 'MarkdownV2', 'HTML']).default(''),
    disable_notification: z.boolean().default(false),
  }),
  output: z.object({ message_id: z.number(), error: z.string() }),
  run: (input, ctx) =>
    withErrorPin(ctx, async function* () {
      const token = requireSecret(ctx, 'telegram');
      const { data } = await callProvider<{ ok: boolean; result: { message_id: number } }>(ctx, {
        provider: 'telegram',
        url: `${providerBaseUrl('telegram')}/bot${token}/sendMessage`,
        method: 'POST',
        json: {
          chat_id: input.chat_id,
          text: input.text,
          ...(input.parse_mode ? { parse_mode: input.parse_mode } : {}),
          disable_notification: input.disable_notification,
        },
      });
      yield ['message_id', data.result.message_id];
    }),
  testCases: [
    {
      needs: ['telegram'],
      credentials: testApiKey('telegram'),
      input: { chat_id: 42, text: 'Hello Telegram' },
      output: [['message_id', 1]],
    },
    {
      name: 'unknown chat',
      needs: ['telegram'],
      credentials: testApiKey('telegram'),
      input: { chat_id: 'missing', text: 'x' },
      output: [['error', 'telegram API error 400: Bad Request: chat not found']],
    },
  ],
});

// ---------------------------------------------------------------- generic outgoing webhook

/** `sha256=<hex HMAC-SHA256 of the raw body>`, the GitHub convention most receivers understand. */
export const webhookSignature = (secret: string, body: string): string =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

export const sendWebhookBlock = defineBlock({
  id: 'd9c2e8cf-c4b6-4f1b-a588-b276d185050a',
  name: 'SendWebhookBlock',
  description:
    'POST a JSON payload to a webhook URL, optionally signed with an HMAC-SHA256 signature header; carries an idempotency key header.',
  categories: ['WEB', 'COMMUNICATION'],
  sideEffects: true,
  input: z.object({
    url: z.string(),
    payload: z.unknown(),
    headers: z.record(z.string(), z.string()).default({}),
    signing_secret: z
      .string()
      .nullish()
      .meta({ secret: true })
      .describe('When set, the body is signed with HMAC-SHA256'),
    signature_header: z.string().default('X-Agentry-Signature-256'),
  }),
  output: z.object({ status: z.number(), response: z.unknown(), error: z.string() }),
  run: (input, ctx) =>
    withErrorPin(ctx, async function* () {
      const body = JSON.stringify(input.payload ?? null);
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'x-agentry-idempotency-key': ctx.idempotencyKey,
        ...input.headers,
      };
      if (input.signing_secret) headers[input.signature_header] = webhookSignature(input.signing_secret, body);
      const res = await callProvider<unknown>(ctx, {
        provider: 'webhook',
        url: input.url,
        method: 'POST',
        headers,
        body,
        secrets: [input.signing_secret ?? undefined],
      });
      yield ['status', res.status];
      yield ['response', res.data ?? null];
    }),
  testCases: [
    {
      needs: ['webhook'],
      input: lazyInput(
        { payload: { event: 'done' }, signing_secret: 'whsec_test' },
        { url: () => fakeWebUrl('/web/hooks/test') },
      ),
      output: [
        ['status', 200],
        ['response', { received: true, name: 'test' }],
      ],
    },
  ],
});

// ---------------------------------------------------------------- Gmail

const GMAIL_SEND = {
  field: 'credentials',
  providers: ['google'],
  types: ['oauth2' as const],
  scopes: ['https://www.googleapis.com/auth/gmail.send'],
};
const GMAIL_READ = {
  field: 'credentials',
  providers: ['google'],
  types: ['oauth2' as const],
  scopes: ['https://www.googleapis.com/auth/gmail.readonly'],
};

function googleToken(ctx: BlockContext): string {
  if (ctx.credentials && ctx.credentials.type !== 'oauth2') throw new Error('Google blocks need OAuth2 credentials');
  return requireSecret(ctx, 'google');
}

export const gmailSendBlock = defineBlock({
  id: '6c27abc2-e51d-499e-a85f-5a0041ba94f0',
  name: 'GmailSendBlock',
  description: 'Send an email from the connected Gmail account (attachments as data: URIs).',
  categories: ['COMMUNICATION'],
  sideEffects: true,
  credentials: GMAIL_SEND,
  input: z.object({
    credentials: credentialsInput,
    to: z.array(z.string()).default([]),
    cc: z.array(z.string()).default([]),
    bcc: z.array(z.string()).default([]),
    subject: z.string(),
    body: z.string(),
    content_type: z.enum(['auto', 'plain', 'html']).nullish().describe('Body type; null/auto detects HTML'),
    attachments: z.array(z.string()).default([]).describe('Files as data: URIs'),
  }),
  output: z.object({ result: z.object({ id: z.string(), status: z.string() }), error: z.string() }),
  run: (input, ctx) =>
    withErrorPin(ctx, async function* () {
      const token = googleToken(ctx);
      const to = input.to.filter(Boolean);
      if (!to.length) throw new Error('At least one recipient is required in "to"');
      const html =
        input.content_type === 'html' ||
        ((input.content_type ?? 'auto') === 'auto' && /<\/?[a-z][\s\S]*>/i.test(input.body));
      for (const a of input.attachments) if (!a.startsWith('data:')) throw new Error('attachments must be data: URIs');
      const mime = await new MailComposer({
        to,
        cc: input.cc.length ? input.cc : undefined,
        bcc: input.bcc.length ? input.bcc : undefined,
        subject: input.subject,
        [html ? 'html' : 'text']: input.body,
        messageId: messageIdFor(ctx),
        attachments: input.attachments.map((path, i) => ({ path, filename: `attachment-${i + 1}` })),
      })
        .compile()
        .build();
      const { data } = await callProvider<{ id: string }>(ctx, {
        provider: 'gmail',
        url: `${providerBaseUrl('gmail')}/gmail/v1/users/me/messages/send`,
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        json: { raw: mime.toString('base64url') },
      });
      yield ['result', { id: data.id, status: 'sent' }];
    }),
  testCases: [
    {
      needs: ['gmail'],
      credentials: testOAuth('google'),
      input: { to: ['ada@example.com'], subject: 'Hi', body: 'Hello Ada' },
      output: [['result', { id: 'sent1', status: 'sent' }]],
    },
  ],
});

interface GmailMessage {
  id: string;
  threadId: string;
  labelIds?: string[];
  snippet?: string;
  sizeEstimate?: number;
  payload?: GmailPart;
}
interface GmailPart {
  mimeType?: string;
  filename?: string;
  headers?: Array<{ name: string; value: string }>;
  body?: { data?: string; size?: number; attachmentId?: string };
  parts?: GmailPart[];
}

function bodyOf(part: GmailPart | undefined, mime: string): string | undefined {
  if (!part) return undefined;
  if (part.mimeType === mime && part.body?.data) return Buffer.from(part.body.data, 'base64url').toString('utf8');
  for (const p of part.parts ?? []) {
    const found = bodyOf(p, mime);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Gmail API message → AutoGPT's Email shape. */
export function toEmail(m: GmailMessage): Record<string, unknown> {
  const header = (name: string) => m.payload?.headers?.find((h) => h.name.toLowerCase() === name)?.value ?? '';
  const list = (v: string) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const attachments: Array<Record<string, unknown>> = [];
  const walk = (p?: GmailPart) => {
    if (!p) return;
    if (p.filename && p.body?.attachmentId)
      attachments.push({
        filename: p.filename,
        content_type: p.mimeType,
        size: p.body.size,
        attachment_id: p.body.attachmentId,
      });
    p.parts?.forEach(walk);
  };
  walk(m.payload);
  return {
    threadId: m.threadId,
    labelIds: m.labelIds ?? [],
    id: m.id,
    subject: header('subject'),
    snippet: m.snippet ?? '',
    from_: header('from'),
    to: list(header('to')),
    cc: list(header('cc')),
    bcc: list(header('bcc')),
    date: header('date'),
    body: bodyOf(m.payload, 'text/plain') ?? bodyOf(m.payload, 'text/html') ?? '',
    sizeEstimate: m.sizeEstimate ?? 0,
    attachments,
  };
}

export const gmailReadBlock = defineBlock({
  id: '25310c70-b89b-43ba-b25c-4dfa7e2a481c',
  name: 'GmailReadBlock',
  description: 'Read emails matching a Gmail search query.',
  categories: ['COMMUNICATION'],
  credentials: GMAIL_READ,
  input: z.object({
    credentials: credentialsInput,
    query: z.string().default('is:unread').describe('Gmail search syntax'),
    max_results: z.number().int().positive().max(500).default(10),
  }),
  output: z.object({
    email: z.record(z.string(), z.unknown()),
    emails: z.array(z.record(z.string(), z.unknown())),
    error: z.string(),
  }),
  run: (input, ctx) =>
    withErrorPin(ctx, async function* () {
      const token = googleToken(ctx);
      const base = `${providerBaseUrl('gmail')}/gmail/v1/users/me/messages`;
      const auth = { authorization: `Bearer ${token}` };
      const { data } = await callProvider<{ messages?: Array<{ id: string }> }>(ctx, {
        provider: 'gmail',
        url: base,
        headers: auth,
        query: { q: input.query, maxResults: input.max_results },
      });
      const emails: Array<Record<string, unknown>> = [];
      for (const { id } of data.messages ?? []) {
        const full = await callProvider<GmailMessage>(ctx, {
          provider: 'gmail',
          url: `${base}/${encodeURIComponent(id)}`,
          headers: auth,
          query: { format: 'full' },
        });
        emails.push(toEmail(full.data));
      }
      yield ['emails', emails];
      for (const email of emails) yield ['email', email];
    }),
  testCases: [
    {
      needs: ['gmail'],
      credentials: testOAuth('google'),
      input: { query: 'is:unread' },
      output: [
        ['emails', (v: unknown) => Array.isArray(v) && v.length === 1],
        [
          'email',
          {
            threadId: 't1',
            labelIds: ['INBOX', 'UNREAD'],
            id: 'm1',
            subject: 'Hello',
            snippet: 'Hi there!',
            from_: 'Ada <ada@example.com>',
            to: ['me@example.com'],
            cc: [],
            bcc: [],
            date: 'Wed, 1 Jan 2025 10:00:00 +0000',
            body: 'Hi there!',
            sizeEstimate: 209,
            attachments: [],
          },
        ],
      ],
    },
  ],
});

export const communicationBlocks = [
  sendEmailBlock,
  discordWebhookMessageBlock,
  discordBotSendMessageBlock,
  slackSendMessageBlock,
  slackIncomingWebhookBlock,
  telegramSendMessageBlock,
  sendWebhookBlock,
  gmailSendBlock,
  gmailReadBlock,
];
