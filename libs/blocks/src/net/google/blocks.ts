import { createHash } from 'node:crypto';
import { defineBlock, type BlockContext } from '@agentry/block-sdk';
import MailComposer from 'nodemailer/lib/mail-composer';
import { z } from 'zod';
import { ProviderError } from '../errors';
import { callProvider, providerBaseUrl, requireSecret } from '../http';
import { credentialsInput } from '../llm/blocks';
import { toEmail } from '../comm/blocks';
import { pollIntervalMs, testApiKey, testOAuth, withErrorPin } from '../support';
import { sleep } from '../../util';

// ---------------------------------------------------------------- Google Maps (Places API, text search + details)

const mapsKey = testApiKey('google_maps');

/** Places statuses that are worth retrying; others (REQUEST_DENIED, INVALID_REQUEST) are the request's fault. */
const RETRYABLE_PLACES_STATUS = new Set(['OVER_QUERY_LIMIT', 'UNKNOWN_ERROR']);

async function places<T extends { status: string; error_message?: string }>(
  ctx: BlockContext,
  path: string,
  query: Record<string, string | number | undefined>,
): Promise<T> {
  const key = requireSecret(ctx, 'google_maps');
  const { data } = await callProvider<T>(ctx, {
    provider: 'google_maps',
    url: `${providerBaseUrl('google_maps')}/maps/api/place/${path}/json`,
    query: { ...query, key },
  });
  if (data.status !== 'OK' && data.status !== 'ZERO_RESULTS') {
    const retryable = RETRYABLE_PLACES_STATUS.has(data.status);
    throw new ProviderError(
      'google_maps',
      retryable ? 'PROVIDER_RATE_LIMITED' : 'PROVIDER_REJECTED',
      `google_maps API error ${data.status}${data.error_message ? `: ${data.error_message}` : ''}`,
      200,
      retryable,
    );
  }
  return data;
}

/**
 * A next_page_token becomes valid a short while after it is issued; until then Places answers INVALID_REQUEST.
 * Wait and ask again a few times, as Google's own client libraries do.
 */
async function nextPage<T extends { status: string }>(ctx: BlockContext, token: string): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    await sleep(pollIntervalMs(2000), ctx.signal);
    try {
      return await places<T>(ctx, 'textsearch', { pagetoken: token });
    } catch (err) {
      if (attempt >= 5 || !(err instanceof ProviderError) || !err.message.includes('INVALID_REQUEST')) throw err;
    }
  }
}

const placeShape = z.object({
  name: z.string(),
  address: z.string(),
  phone: z.string(),
  rating: z.number(),
  reviews: z.number(),
  website: z.string(),
});

export const googleMapsSearchBlock = defineBlock({
  id: 'f47ac10b-58cc-4372-a567-0e02b2c3d479',
  name: 'GoogleMapsSearchBlock',
  description: 'Search Google Maps for places (text search) and yield each place with its details.',
  categories: ['SEARCH'],
  credentials: { field: 'credentials', providers: ['google_maps'], types: ['api_key'] },
  input: z.object({
    credentials: credentialsInput,
    query: z.string().describe('Search query, e.g. "restaurants in New York"'),
    radius: z.number().int().min(1).max(50_000).default(5000).describe('Search radius in metres (max 50000)'),
    max_results: z.number().int().min(1).max(60).default(20).describe('Maximum number of places (max 60)'),
  }),
  output: z.object({ place: placeShape.describe('One place found') }),
  run: (input, ctx) =>
    withErrorPin(ctx, async function* () {
      let found = 0;
      let pageToken: string | undefined;
      type Page = { status: string; results?: Array<{ place_id: string }>; next_page_token?: string };
      while (found < input.max_results) {
        const page = pageToken
          ? await nextPage<Page>(ctx, pageToken)
          : await places<Page>(ctx, 'textsearch', { query: input.query, radius: input.radius });
        for (const hit of page.results ?? []) {
          if (found >= input.max_results) break;
          const { result } = await places<{ status: string; result?: Record<string, unknown> }>(ctx, 'details', {
            place_id: hit.place_id,
            fields: 'name,formatted_address,formatted_phone_number,rating,user_ratings_total,website',
          });
          const r = result ?? {};
          found++;
          yield [
            'place',
            {
              name: String(r.name ?? ''),
              address: String(r.formatted_address ?? ''),
              phone: String(r.formatted_phone_number ?? ''),
              rating: Number(r.rating ?? 0),
              reviews: Number(r.user_ratings_total ?? 0),
              website: String(r.website ?? ''),
            },
          ];
        }
        pageToken = page.next_page_token;
        if (!pageToken) break;
      }
    }),
  testCases: [
    {
      needs: ['google_maps'],
      credentials: mapsKey,
      input: { query: 'coffee in Paris', max_results: 3 },
      output: [
        [
          'place',
          {
            name: 'coffee in Paris #1',
            address: '1 Fake Street',
            phone: '+1 555-0101',
            rating: 4.1,
            reviews: 11,
            website: 'https://place1.example.com',
          },
        ],
        ['place', (v: unknown) => (v as { name: string }).name === 'coffee in Paris #2'],
        ['place', (v: unknown) => (v as { name: string }).name === 'coffee in Paris #3'],
      ],
    },
    {
      name: 'refused key',
      needs: ['google_maps'],
      credentials: { ...mapsKey, apiKey: 'maps-invalid-key-000' } as never,
      input: { query: 'coffee' },
      output: [['error', 'google_maps API error REQUEST_DENIED: The provided API key is invalid.']],
    },
  ],
});

// ---------------------------------------------------------------- Gmail (labels, reply, forward)

const gmailScopes = (...scopes: string[]) => ({
  field: 'credentials',
  providers: ['google'],
  types: ['oauth2' as const],
  scopes: scopes.map((s) => `https://www.googleapis.com/auth/gmail.${s}`),
});
const gmailTest = testOAuth('google');

function gmailToken(ctx: BlockContext): string {
  if (ctx.credentials && ctx.credentials.type !== 'oauth2') throw new Error('Gmail blocks need OAuth2 credentials');
  return requireSecret(ctx, 'google');
}

async function gmail<T>(ctx: BlockContext, path: string, init: { method?: string; json?: unknown; query?: Record<string, string> } = {}): Promise<T> {
  const { data } = await callProvider<T>(ctx, {
    provider: 'gmail',
    url: `${providerBaseUrl('gmail')}/gmail/v1/users/me${path}`,
    method: init.method,
    json: init.json,
    query: init.query,
    headers: { authorization: `Bearer ${gmailToken(ctx)}` },
  });
  return data;
}

/** Message-ID derived from the idempotency key, so a replayed send can be recognised downstream. */
const messageIdFor = (ctx: BlockContext): string =>
  `<${createHash('sha256').update(ctx.idempotencyKey).digest('hex').slice(0, 32)}@agentry>`;

interface GmailPart {
  mimeType?: string;
  filename?: string;
  headers?: Array<{ name: string; value: string }>;
  body?: { data?: string; size?: number; attachmentId?: string };
  parts?: GmailPart[];
}
interface GmailMessage {
  id: string;
  threadId: string;
  labelIds?: string[];
  snippet?: string;
  payload?: GmailPart;
}

const headerOf = (m: GmailMessage, name: string): string =>
  m.payload?.headers?.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value ?? '';
const addresses = (v: string): string[] =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const isHtml = (contentType: string | null | undefined, body: string): boolean =>
  contentType === 'html' || ((contentType ?? 'auto') === 'auto' && /<\/?[a-z][\s\S]*>/i.test(body));
const contentType = z.enum(['auto', 'plain', 'html']).nullish().describe('Body type; null/auto detects HTML');

function dataUriAttachments(uris: string[]): Array<{ path: string; filename: string }> {
  for (const a of uris) if (!a.startsWith('data:')) throw new Error('attachments must be data: URIs');
  return uris.map((path, i) => ({ path, filename: `attachment-${i + 1}` }));
}

export const gmailAddLabelBlock = defineBlock({
  id: 'f884b2fb-04f4-4265-9658-14f433926ac9',
  name: 'GmailAddLabelBlock',
  description: 'Add a label to a Gmail message, creating the label when it does not exist yet.',
  categories: ['COMMUNICATION'],
  sideEffects: true,
  credentials: gmailScopes('modify'),
  input: z.object({
    credentials: credentialsInput,
    message_id: z.string().describe('Message ID to add the label to'),
    label_name: z.string().describe('Label to add'),
  }),
  output: z.object({ result: z.object({ status: z.string(), label_id: z.string() }) }),
  run: (input, ctx) =>
    withErrorPin(ctx, async function* () {
      const { labels = [] } = await gmail<{ labels?: Array<{ id: string; name: string }> }>(ctx, '/labels');
      let labelId = labels.find((l) => l.name === input.label_name)?.id;
      if (!labelId) {
        const created = await gmail<{ id: string }>(ctx, '/labels', {
          method: 'POST',
          json: { name: input.label_name, labelListVisibility: 'labelShow', messageListVisibility: 'show' },
        });
        labelId = created.id;
      }
      const modified = await gmail<{ labelIds?: string[] }>(
        ctx,
        `/messages/${encodeURIComponent(input.message_id)}/modify`,
        { method: 'POST', json: { addLabelIds: [labelId] } },
      );
      yield [
        'result',
        {
          status: modified.labelIds?.length ? 'Label added successfully' : 'Label already applied or not found',
          label_id: labelId,
        },
      ];
    }),
  testCases: [
    {
      needs: ['gmail'],
      credentials: gmailTest,
      input: { message_id: 'm1', label_name: 'agent-processed' },
      output: [['result', { status: 'Label added successfully', label_id: 'Label_1' }]],
    },
    {
      name: 'unknown message',
      needs: ['gmail'],
      credentials: gmailTest,
      input: { message_id: 'nope', label_name: 'agent-processed' },
      output: [['error', 'gmail API error 404: Requested entity was not found.']],
    },
  ],
});

async function sendRaw(
  ctx: BlockContext,
  mail: ConstructorParameters<typeof MailComposer>[0],
  threadId?: string,
): Promise<{ id: string; threadId: string; labelIds?: string[] }> {
  const mime = await new MailComposer({ ...mail, messageId: messageIdFor(ctx) }).compile().build();
  return gmail(ctx, '/messages/send', {
    method: 'POST',
    json: { raw: mime.toString('base64url'), ...(threadId ? { threadId } : {}) },
  });
}

export const gmailReplyBlock = defineBlock({
  id: '12bf5a24-9b90-4f40-9090-4e86e6995e60',
  name: 'GmailReplyBlock',
  description: 'Reply to a Gmail message in its thread (to the sender, or to everyone with replyAll).',
  categories: ['COMMUNICATION'],
  sideEffects: true,
  credentials: gmailScopes('send', 'readonly'),
  input: z.object({
    credentials: credentialsInput,
    threadId: z.string().describe('Thread to reply in'),
    parentMessageId: z.string().describe('Message being replied to'),
    to: z.array(z.string()).default([]).describe('Recipients; empty = the sender of the parent message'),
    cc: z.array(z.string()).default([]),
    bcc: z.array(z.string()).default([]),
    replyAll: z.boolean().default(false).describe('Also reply to everyone on the parent message'),
    subject: z.string().default('').describe('Subject; empty = "Re: " + the parent subject'),
    body: z.string(),
    content_type: contentType,
    attachments: z.array(z.string()).default([]).describe('Files as data: URIs'),
  }),
  output: z.object({
    messageId: z.string(),
    threadId: z.string(),
    message: z.record(z.string(), z.unknown()).describe('The Gmail API answer to the send'),
    email: z.record(z.string(), z.unknown()).describe('The reply as an Email'),
  }),
  run: (input, ctx) =>
    withErrorPin(ctx, async function* () {
      const parent = await gmail<GmailMessage>(ctx, `/messages/${encodeURIComponent(input.parentMessageId)}`, {
        query: { format: 'metadata' },
      });
      const to = input.to.filter(Boolean);
      const cc = [...input.cc];
      if (!to.length) to.push(...addresses(headerOf(parent, 'Reply-To') || headerOf(parent, 'From')));
      if (input.replyAll) {
        for (const a of addresses(headerOf(parent, 'To'))) if (!to.includes(a)) to.push(a);
        for (const a of addresses(headerOf(parent, 'Cc'))) if (!cc.includes(a)) cc.push(a);
      }
      if (!to.length) throw new Error('No recipients: the parent message has no sender and "to" is empty');
      const parentSubject = headerOf(parent, 'Subject');
      const subject = input.subject || (/^re:/i.test(parentSubject) ? parentSubject : `Re: ${parentSubject}`);
      const parentMessageId = headerOf(parent, 'Message-ID');
      const references = [headerOf(parent, 'References'), parentMessageId].filter(Boolean).join(' ');
      const html = isHtml(input.content_type, input.body);
      const sent = await sendRaw(
        ctx,
        {
          to,
          cc: cc.length ? cc : undefined,
          bcc: input.bcc.length ? input.bcc : undefined,
          subject,
          [html ? 'html' : 'text']: input.body,
          inReplyTo: parentMessageId || undefined,
          references: references || undefined,
          attachments: dataUriAttachments(input.attachments),
        },
        input.threadId || parent.threadId,
      );
      yield ['messageId', sent.id];
      yield ['threadId', sent.threadId];
      yield ['message', sent];
      yield [
        'email',
        toEmail({
          id: sent.id,
          threadId: sent.threadId,
          labelIds: sent.labelIds,
          snippet: input.body.slice(0, 100),
          payload: {
            mimeType: html ? 'text/html' : 'text/plain',
            headers: [
              { name: 'Subject', value: subject },
              { name: 'To', value: to.join(', ') },
              { name: 'Cc', value: cc.join(', ') },
              { name: 'Bcc', value: input.bcc.join(', ') },
            ],
            body: { data: Buffer.from(input.body).toString('base64url'), size: input.body.length },
          },
        }),
      ];
    }),
  testCases: [
    {
      needs: ['gmail'],
      credentials: gmailTest,
      input: { threadId: 't1', parentMessageId: 'm1', body: 'Thanks!' },
      output: [
        ['messageId', 'sent1'],
        ['threadId', 't1'],
        ['message', { id: 'sent1', threadId: 't1', labelIds: ['SENT'] }],
        [
          'email',
          (v: unknown) => {
            const e = v as { subject: string; to: string[]; body: string };
            return e.subject === 'Re: Hello' && e.to[0] === 'Ada <ada@example.com>' && e.body === 'Thanks!';
          },
        ],
      ],
    },
  ],
});

export const gmailForwardBlock = defineBlock({
  id: '64d2301c-b3f5-4174-8ac0-111ca1e1a7c0',
  name: 'GmailForwardBlock',
  description: 'Forward a Gmail message (with its attachments) to new recipients, with an optional note on top.',
  categories: ['COMMUNICATION'],
  sideEffects: true,
  credentials: gmailScopes('send', 'readonly'),
  input: z.object({
    credentials: credentialsInput,
    messageId: z.string().describe('Message to forward'),
    to: z.array(z.string()).default([]).describe('Recipients'),
    cc: z.array(z.string()).default([]),
    bcc: z.array(z.string()).default([]),
    subject: z.string().default('').describe('Subject; empty = "Fwd: " + the original subject'),
    forwardMessage: z.string().default('').describe('Note shown above the forwarded message'),
    includeAttachments: z.boolean().default(true).describe('Forward the original attachments too'),
    content_type: contentType,
    additionalAttachments: z.array(z.string()).default([]).describe('More files as data: URIs'),
  }),
  output: z.object({ messageId: z.string(), threadId: z.string(), status: z.string() }),
  run: (input, ctx) =>
    withErrorPin(ctx, async function* () {
      const to = input.to.filter(Boolean);
      if (!to.length) throw new Error('At least one recipient is required in "to"');
      const original = await gmail<GmailMessage>(ctx, `/messages/${encodeURIComponent(input.messageId)}`, {
        query: { format: 'full' },
      });
      const email = toEmail(original) as { subject: string; body: string };
      const header = [
        '---------- Forwarded message ---------',
        `From: ${headerOf(original, 'From')}`,
        `Date: ${headerOf(original, 'Date')}`,
        `Subject: ${email.subject}`,
        `To: ${headerOf(original, 'To')}`,
        ...(headerOf(original, 'Cc') ? [`Cc: ${headerOf(original, 'Cc')}`] : []),
      ].join('\n');
      const body = `${input.forwardMessage ? `${input.forwardMessage}\n\n` : ''}${header}\n\n${email.body}`;
      const attachments: Array<{ filename: string; content?: Buffer; contentType?: string; path?: string }> = [];
      if (input.includeAttachments) {
        const walk = async (p?: GmailPart): Promise<void> => {
          if (!p) return;
          if (p.filename && p.body?.attachmentId) {
            const att = await gmail<{ data: string }>(
              ctx,
              `/messages/${encodeURIComponent(original.id)}/attachments/${encodeURIComponent(p.body.attachmentId)}`,
            );
            attachments.push({ filename: p.filename, content: Buffer.from(att.data, 'base64url'), contentType: p.mimeType });
          }
          for (const child of p.parts ?? []) await walk(child);
        };
        await walk(original.payload);
      }
      attachments.push(...dataUriAttachments(input.additionalAttachments));
      const html = isHtml(input.content_type, body);
      const sent = await sendRaw(ctx, {
        to,
        cc: input.cc.length ? input.cc : undefined,
        bcc: input.bcc.length ? input.bcc : undefined,
        subject: input.subject || (/^fwd?:/i.test(email.subject) ? email.subject : `Fwd: ${email.subject}`),
        [html ? 'html' : 'text']: body,
        attachments,
      });
      yield ['messageId', sent.id];
      yield ['threadId', sent.threadId];
      yield ['status', 'forwarded'];
    }),
  testCases: [
    {
      needs: ['gmail'],
      credentials: gmailTest,
      input: { messageId: 'm2', to: ['carol@example.com'], forwardMessage: 'FYI' },
      output: [
        ['messageId', 'sent1'],
        ['threadId', 'sent1'],
        ['status', 'forwarded'],
      ],
    },
    {
      name: 'no recipient',
      needs: ['gmail'],
      credentials: gmailTest,
      input: { messageId: 'm2' },
      output: [['error', 'At least one recipient is required in "to"']],
    },
  ],
});

export const googleBlocks = [googleMapsSearchBlock, gmailAddLabelBlock, gmailReplyBlock, gmailForwardBlock];
