import { startFakeAnthropic } from './anthropic';
import type { RecordedRequest } from './http';
import { startFakeOllama } from './ollama';
import { startFakeProxy, type FakeProxyServer } from './proxy';
import { startFakeOpenAi, type FakeLlmServer } from './openai';
import { startFakeSmtp, type CapturedMail, type FakeSmtpServer } from './smtp';
import { startFakeWeb, type FakeWebServer } from './web';

/** What a test sees of one fake: its base URL, what it received, and (LLM fakes) scripted replies. */
export interface RunningFake {
  url: string;
  requests: RecordedRequest[] | CapturedMail[];
  reset(): void;
}

export interface FakeServers {
  /** Keyed by canonical name and by every alias that was asked for (e.g. github → the web fake). */
  servers: Record<string, RunningFake> & {
    openai?: FakeLlmServer;
    anthropic?: FakeLlmServer;
    ollama?: FakeLlmServer;
    web?: FakeWebServer;
    smtp?: FakeSmtpServer;
    proxy?: FakeProxyServer;
  };
  /** Stop every server and restore the environment variables it changed. */
  close(): Promise<void>;
}

type Kind = 'openai' | 'anthropic' | 'ollama' | 'web' | 'smtp' | 'proxy';

/** Needs a block test may declare, mapped to the fake that serves them. */
export const FAKE_ALIASES: Record<string, Kind> = {
  openai: 'openai',
  open_router: 'openai',
  groq: 'openai',
  anthropic: 'anthropic',
  ollama: 'ollama',
  smtp: 'smtp',
  email: 'smtp',
  web: 'web',
  thirdparty: 'web',
  http: 'web',
  rss: 'web',
  webhook: 'web',
  github: 'web',
  linear: 'web',
  notion: 'web',
  airtable: 'web',
  hubspot: 'web',
  reddit: 'web',
  twitter: 'web',
  google: 'web',
  gmail: 'web',
  google_sheets: 'web',
  google_calendar: 'web',
  slack: 'web',
  discord: 'web',
  telegram: 'web',
  jina: 'web',
  wikipedia: 'web',
  firecrawl: 'web',
  dataforseo: 'web',
  google_maps: 'web',
  ideogram: 'web',
  replicate: 'web',
  revid: 'web',
  wordpress: 'web',
  e2b: 'web',
  youtube: 'web',
  webshare_proxy: 'proxy',
  proxy: 'proxy',
};

function envFor(kind: Kind, fake: RunningFake): Record<string, string> {
  switch (kind) {
    case 'openai':
      return {
        AGENTRY_OPENAI_BASE_URL: fake.url,
        AGENTRY_OPEN_ROUTER_BASE_URL: fake.url,
        AGENTRY_GROQ_BASE_URL: fake.url,
      };
    case 'anthropic':
      return { AGENTRY_ANTHROPIC_BASE_URL: fake.url };
    case 'ollama':
      return { AGENTRY_OLLAMA_HOST: fake.url };
    case 'web':
      return (fake as FakeWebServer).env;
    case 'proxy':
      return { AGENTRY_WEBSHARE_PROXY_URL: fake.url };
    case 'smtp': {
      const smtp = fake as FakeSmtpServer;
      return { AGENTRY_SMTP_HOST: smtp.host, AGENTRY_SMTP_PORT: String(smtp.port) };
    }
  }
}

const starters: Record<Kind, () => Promise<RunningFake & { close(): Promise<void> }>> = {
  openai: startFakeOpenAi,
  anthropic: startFakeAnthropic,
  ollama: startFakeOllama,
  web: startFakeWeb,
  smtp: startFakeSmtp,
  proxy: startFakeProxy,
};

/**
 * Start the fakes named in `needs` on 127.0.0.1 (port 0) and point the blocks at them through the
 * AGENTRY_* base-URL variables; close() stops them and restores the previous values.
 */
export async function startFakeServers(needs: string[] = []): Promise<FakeServers> {
  const unknown = needs.filter((n) => !FAKE_ALIASES[n]);
  if (unknown.length)
    throw new Error(`No fake server for: ${unknown.join(', ')} (known: ${Object.keys(FAKE_ALIASES).join(', ')})`);
  const kinds = [...new Set(needs.map((n) => FAKE_ALIASES[n]))];
  const started = new Map<Kind, RunningFake & { close(): Promise<void> }>();
  const saved = new Map<string, string | undefined>();
  const close = async () => {
    await Promise.all([...started.values()].map((f) => f.close()));
    for (const [key, value] of saved) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
  try {
    for (const kind of kinds) started.set(kind, await starters[kind]());
  } catch (err) {
    await close();
    throw err;
  }
  const servers: Record<string, RunningFake> = {};
  for (const [kind, fake] of started) {
    servers[kind] = fake;
    for (const [key, value] of Object.entries(envFor(kind, fake))) {
      if (!saved.has(key)) saved.set(key, process.env[key]);
      process.env[key] = value;
    }
  }
  for (const need of needs) servers[need] = started.get(FAKE_ALIASES[need]) as RunningFake;
  return { servers: servers as FakeServers['servers'], close };
}
