import { defineBlock, type BlockContext } from '@agentry/block-sdk';
import { ProxyAgent } from 'undici';
import { z } from 'zod';
import { ProviderError } from '../errors';
import { callProvider, callProviderText, providerBaseUrl } from '../http';
import { credentialsInput } from '../llm/blocks';
import { testUserPassword, withErrorPin } from '../support';

/** `https://www.youtube.com/watch?v=ID`, `youtu.be/ID`, `/shorts/ID`, `/embed/ID`, `/live/ID` or a bare ID → the ID. */
export function youtubeVideoId(url: string): string {
  const s = url.trim();
  if (/^[\w-]{11}$/.test(s)) return s;
  const m =
    /(?:youtube\.com\/(?:watch\?(?:.*&)?v=|shorts\/|embed\/|live\/|v\/)|youtu\.be\/)([\w-]{11})/.exec(s) ?? undefined;
  if (!m) throw new Error(`Not a YouTube video URL: ${url}`);
  return m[1];
}

const decodeEntities = (s: string): string =>
  s
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)));

interface CaptionTrack {
  baseUrl: string;
  languageCode: string;
  kind?: string;
}

/**
 * What youtube_transcript_api does: read the watch page for the Innertube key, ask the player API for the caption
 * tracks, fetch the preferred track (English, manual before generated) and join its lines.
 */
async function fetchTranscript(ctx: BlockContext, videoId: string): Promise<string> {
  const base = providerBaseUrl('youtube');
  const page = await callProviderText(ctx, {
    provider: 'youtube',
    url: `${base}/watch`,
    query: { v: videoId },
    headers: { 'accept-language': 'en-US' },
  });
  const apiKey = /"INNERTUBE_API_KEY":\s*"([\w-]+)"/.exec(page)?.[1];
  if (!apiKey) throw new Error(`Could not read the YouTube page of video ${videoId}`);
  const { data: player } = await callProvider<{
    playabilityStatus?: { status?: string; reason?: string };
    captions?: { playerCaptionsTracklistRenderer?: { captionTracks?: CaptionTrack[] } };
  }>(ctx, {
    provider: 'youtube',
    url: `${base}/youtubei/v1/player`,
    method: 'POST',
    query: { key: apiKey },
    json: { context: { client: { clientName: 'ANDROID', clientVersion: '20.10.38' } }, videoId },
  });
  const status = player.playabilityStatus?.status;
  if (status && status !== 'OK')
    throw new ProviderError('youtube', 'PROVIDER_NOT_FOUND', `Video ${videoId} is unavailable: ${player.playabilityStatus?.reason ?? status}`, 200, false);
  const tracks = player.captions?.playerCaptionsTracklistRenderer?.captionTracks ?? [];
  if (!tracks.length) throw new Error(`Transcripts are disabled or missing for video ${videoId}`);
  const english = tracks.filter((t) => t.languageCode.startsWith('en'));
  const track =
    english.find((t) => t.kind !== 'asr') ?? english[0] ?? tracks.find((t) => t.kind !== 'asr') ?? tracks[0];
  const trackUrl = new URL(track.baseUrl, base);
  trackUrl.searchParams.delete('fmt');
  const xml = await callProviderText(ctx, { provider: 'youtube', url: trackUrl.toString() });
  return [...xml.matchAll(/<text\b[^>]*>([\s\S]*?)<\/text>/g)]
    .map((m) => decodeEntities(decodeEntities(m[1]).replace(/<[^>]+>/g, '')).trim())
    .filter(Boolean)
    .join('\n');
}

/**
 * The block's context with fetch tunnelled through the Webshare proxy of its credentials, as AutoGPT's
 * WebshareProxyConfig does (rotating residential endpoint, user `<name>-rotate`): YouTube refuses transcripts to
 * most datacenter addresses. Without credentials the requests go out directly.
 */
function throughWebshare(ctx: BlockContext): { ctx: BlockContext; close(): Promise<void> } {
  const c = ctx.credentials;
  if (!c || c.type !== 'user_password') return { ctx, close: async () => {} };
  const agent = new ProxyAgent({
    uri: providerBaseUrl('webshare_proxy'),
    token: `Basic ${Buffer.from(`${c.username}-rotate:${c.password}`).toString('base64')}`,
  });
  const proxied = (async (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
    try {
      // The global fetch accepts undici's dispatchers (see ssrf.ts).
      return await globalThis.fetch(input, { ...init, dispatcher: agent } as unknown as RequestInit);
    } catch (err) {
      // undici reports a refused tunnel deep in the cause chain: "Proxy response (407) !== 200 …".
      let status: string | undefined;
      for (let e: unknown = err; e && !status; e = (e as { cause?: unknown }).cause)
        status = /Proxy response \((\d+)\)/.exec(String((e as Error).message))?.[1];
      if (status === '407')
        throw Object.assign(new Error('webshare_proxy refused the credentials (407 Proxy Authentication Required)'), {
          retryable: false,
        });
      throw err;
    }
  }) as typeof fetch;
  return { ctx: { ...ctx, fetch: proxied }, close: () => agent.close() };
}

export const transcribeYoutubeVideoBlock = defineBlock({
  id: 'f3a8f7e1-4b1d-4e5f-9f2a-7c3d5a2e6b4c',
  name: 'TranscribeYoutubeVideoBlock',
  description: 'Get the transcript of a YouTube video (English when available, else its first language).',
  categories: ['SOCIAL', 'MULTIMEDIA'],
  credentials: { field: 'credentials', providers: ['webshare_proxy'], types: ['user_password'] },
  input: z.object({
    credentials: credentialsInput.describe('Webshare proxy account; YouTube requests go through it (directly without one)'),
    youtube_url: z.string().describe('URL of the video'),
  }),
  output: z.object({
    video_id: z.string().describe('The video ID taken from the URL'),
    transcript: z.string().describe('The transcript, one caption per line'),
  }),
  run: (input, ctx) =>
    withErrorPin(ctx, async function* () {
      const videoId = youtubeVideoId(input.youtube_url);
      yield ['video_id', videoId];
      const proxy = throughWebshare(ctx);
      try {
        yield ['transcript', await fetchTranscript(proxy.ctx, videoId)];
      } finally {
        await proxy.close();
      }
    }),
  testCases: [
    {
      name: 'through the Webshare proxy',
      needs: ['youtube', 'webshare_proxy'],
      credentials: testUserPassword('webshare_proxy'),
      input: { youtube_url: 'https://youtube.com/shorts/dQw4w9WgXcQ' },
      output: [
        ['video_id', 'dQw4w9WgXcQ'],
        ['transcript', "Never gonna give you up\nNever gonna let you down\nIt's a fake transcript"],
      ],
    },
    {
      name: 'proxy refuses the account',
      needs: ['youtube', 'webshare_proxy'],
      credentials: { ...testUserPassword('webshare_proxy'), password: 'invalid-password' } as never,
      input: { youtube_url: 'dQw4w9WgXcQ' },
      output: [
        ['video_id', 'dQw4w9WgXcQ'],
        ['error', 'webshare_proxy refused the credentials (407 Proxy Authentication Required)'],
      ],
    },
    {
      name: 'without proxy credentials',
      needs: ['youtube'],
      input: { youtube_url: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ' },
      output: [
        ['video_id', 'dQw4w9WgXcQ'],
        ['transcript', "Never gonna give you up\nNever gonna let you down\nIt's a fake transcript"],
      ],
    },
    {
      name: 'no captions',
      needs: ['youtube'],
      input: { youtube_url: 'https://youtu.be/noCaptions1' },
      output: [
        ['video_id', 'noCaptions1'],
        ['error', 'Transcripts are disabled or missing for video noCaptions1'],
      ],
    },
  ],
});

export const youtubeBlocks = [transcribeYoutubeVideoBlock];
