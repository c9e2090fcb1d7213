import { createHmac } from 'node:crypto';
import { createTestContext, runBlock, type ResolvedCredentials } from '@agentry/block-sdk';
import { createGuardedFetch, networkBlocks, type GuardedFetch } from '../../src/net';
import { startFakeServers, type FakeServers, type RecordedRequest } from '@agentry/testing';

const block = (name: string) => {
  const b = networkBlocks.find((x) => x.name === name);
  if (!b) throw new Error(`no block ${name}`);
  return b;
};

describe('web and communication blocks against the fake web and SMTP servers', () => {
  let fakes: FakeServers;
  let web: string;
  const requests = () => fakes.servers.web!.requests as RecordedRequest[];
  beforeAll(async () => {
    fakes = await startFakeServers(['web', 'smtp']);
    web = fakes.servers.web!.url;
  });
  afterAll(() => fakes.close());
  beforeEach(() => fakes.servers.web!.reset());

  describe('SendWebRequestBlock', () => {
    it('sends a multipart upload with body fields and files', async () => {
      const file = `data:text/plain;base64,${Buffer.from('file content').toString('base64')}`;
      const out = await runBlock(block('SendWebRequestBlock'), {
        url: `${web}/web/echo`,
        method: 'PUT',
        body: { note: 'hi' },
        files: [file],
        files_name: 'upload',
      });
      expect(out[0][0]).toBe('response');
      const raw = requests()[0].rawBody.toString();
      expect(requests()[0].headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
      expect(raw).toContain('name="note"');
      expect(raw).toContain('name="upload"; filename="upload1.txt"');
      expect(raw).toContain('file content');
    });

    it('sends a form body when json_format is false', async () => {
      const out = await runBlock(block('SendWebRequestBlock'), {
        url: `${web}/web/echo`,
        method: 'PATCH',
        body: { a: '1', b: 'two' },
        json_format: false,
      });
      expect(out).toEqual([['response', expect.stringContaining('"body":{"a":"1","b":"two"}')]]);
      expect(requests()[0].headers['content-type']).toContain('application/x-www-form-urlencoded');
    });

    it('gives up after its timeout and yields an error', async () => {
      const out = await runBlock(block('SendWebRequestBlock'), { url: `${web}/web/slow`, method: 'GET', timeout: 0.2 });
      expect(out).toEqual([['error', expect.stringMatching(/timed out after 0.2 s/)]]);
    });

    it('is refused by the SSRF guard when the context fetch is guarded', async () => {
      const guarded: GuardedFetch = createGuardedFetch();
      try {
        const out = await runBlock(
          block('SendWebRequestBlock'),
          { url: 'http://169.254.169.254/latest/meta-data/iam', method: 'GET' },
          createTestContext({ fetch: guarded }),
        );
        expect(out).toEqual([
          ['error', expect.stringMatching(/refused: it resolves to 169.254.169.254, a cloud metadata address/)],
        ]);
        const local = await runBlock(
          block('SendWebRequestBlock'),
          { url: `${web}/web/echo`, method: 'GET' },
          createTestContext({ fetch: guarded }),
        );
        expect(local).toEqual([['error', expect.stringMatching(/loopback/)]]);
        expect(requests()).toHaveLength(0);
      } finally {
        await guarded.close();
      }
    });
  });

  it('SendWebhookBlock signs the exact body with HMAC-SHA256 and sends the idempotency key', async () => {
    const ctx = createTestContext({ executionId: 'exec-1', nodeExecId: 'node-1' });
    const out = await runBlock(
      block('SendWebhookBlock'),
      { url: `${web}/web/hooks/orders`, payload: { id: 7 }, signing_secret: 'topsecret' },
      ctx,
    );
    expect(out).toEqual([
      ['status', 200],
      ['response', { received: true, name: 'orders' }],
    ]);
    const req = requests()[0];
    const expected = `sha256=${createHmac('sha256', 'topsecret').update(req.rawBody).digest('hex')}`;
    expect(req.headers['x-agentry-signature-256']).toBe(expected);
    expect(req.headers['x-agentry-idempotency-key']).toBe('exec-1/node-1/1');
  });

  it('SendWebhookBlock: a 503 from the receiver is thrown as retryable', async () => {
    await expect(
      runBlock(block('SendWebhookBlock'), { url: `${web}/web/status/503`, payload: {} }),
    ).rejects.toMatchObject({ retryable: true, status: 503 });
  });

  it('SendEmailBlock delivers over SMTP with login and a Message-ID derived from the idempotency key', async () => {
    const creds: ResolvedCredentials = {
      id: 's',
      provider: 'smtp',
      type: 'user_password',
      username: 'bot@example.com',
      password: 'pw',
    };
    const out = await runBlock(
      block('SendEmailBlock'),
      { to_email: 'ada@example.com', subject: 'Report', body: 'All good' },
      createTestContext({ credentials: creds }),
    );
    expect(out[0]).toEqual(['status', 'Email sent successfully']);
    const mail = fakes.servers.smtp!.messages.at(-1)!;
    expect(mail).toMatchObject({
      from: 'bot@example.com',
      to: ['ada@example.com'],
      user: 'bot@example.com',
      subject: 'Report',
    });
    expect(mail.raw).toContain('All good');
    expect(mail.raw).toContain(`Message-ID: ${out[1][1]}`);
  });

  it('SendEmailBlock refuses an internal SMTP server that is not the configured relay', async () => {
    const out = await runBlock(block('SendEmailBlock'), {
      to_email: 'a@example.com',
      subject: 's',
      body: 'b',
      config: { smtp_server: '10.0.0.8', smtp_port: 25 },
    });
    expect(out).toEqual([['error', expect.stringMatching(/10\.0\.0\.8.*private address/)]]);
  });

  it('Telegram: the bot token (in the URL path) never shows in an error', async () => {
    const token = '123456789:AAinvalidTOKENabcdefghijklmnopqrstuv';
    const out = await runBlock(
      block('TelegramSendMessageBlock'),
      { chat_id: 1, text: 'x' },
      createTestContext({ credentials: { id: 't', provider: 'telegram', type: 'api_key', apiKey: token } }),
    );
    expect(out).toEqual([['error', 'telegram API error 401: Unauthorized']]);
    expect(requests()[0].path).toBe(`/telegram/bot${token}/sendMessage`);
  });

  it('Discord: a refused webhook yields the provider message and no token', async () => {
    const url = `${web}/discord/api/webhooks/1/invalid-token-abcdefghij`;
    const out = await runBlock(block('DiscordWebhookMessageBlock'), { webhook_url: url, content: 'hi' });
    expect(out).toEqual([['error', 'discord API error 401: Invalid Webhook Token']]);
    expect(JSON.stringify(out)).not.toContain('invalid-token-abcdefghij');
  });

  it('GmailSendBlock sends a base64url RFC 822 message with the recipients and subject', async () => {
    const creds: ResolvedCredentials = { id: 'g', provider: 'google', type: 'oauth2', accessToken: 'ya29.test-token' };
    const out = await runBlock(
      block('GmailSendBlock'),
      { to: ['ada@example.com'], cc: ['bob@example.com'], subject: 'Weekly', body: '<p>Hi</p>' },
      createTestContext({ credentials: creds }),
    );
    expect(out).toEqual([['result', { id: 'sent1', status: 'sent' }]]);
    const req = requests()[0];
    expect(req.headers.authorization).toBe('Bearer ya29.test-token');
    const mime = Buffer.from((req.body as { raw: string }).raw, 'base64url').toString();
    expect(mime).toMatch(/^To: ada@example.com$/m);
    expect(mime).toMatch(/^Cc: bob@example.com$/m);
    expect(mime).toMatch(/^Subject: Weekly$/m);
    expect(mime).toContain('Content-Type: text/html');
  });

  it('GitHub create issue sends the token and the fields', async () => {
    const creds: ResolvedCredentials = { id: 'gh', provider: 'github', type: 'api_key', apiKey: 'ghp_testtoken12345' };
    await runBlock(
      block('GithubCreateIssueBlock'),
      { repo_url: 'https://github.com/octo/demo', title: 'T', body: 'B', labels: ['bug'] },
      createTestContext({ credentials: creds }),
    );
    const req = requests()[0];
    expect(req).toMatchObject({
      method: 'POST',
      path: '/github/repos/octo/demo/issues',
      body: { title: 'T', body: 'B', labels: ['bug'] },
    });
    expect(req.headers.authorization).toBe('Bearer ghp_testtoken12345');
    expect(req.headers['x-github-api-version']).toBe('2022-11-28');
  });

  it('blocks that need credentials say so instead of calling out', async () => {
    const out = await runBlock(block('GithubReadIssueBlock'), { issue_url: 'octo/demo/issues/1' });
    expect(out).toEqual([['error', 'No github credentials were provided to this block']]);
    expect(requests()).toHaveLength(0);
  });
});
