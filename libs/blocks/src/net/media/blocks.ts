import { defineBlock, type BlockContext } from '@agentry/block-sdk';
import { z } from 'zod';
import { ProviderError } from '../errors';
import { callProvider, openProvider, providerBaseUrl, requireSecret } from '../http';
import { credentialsInput } from '../llm/blocks';
import { pollIntervalMs, pollJob, testApiKey, withErrorPin } from '../support';

// ---------------------------------------------------------------- Replicate (predictions API)

const REPLICATE_CREDENTIALS = { field: 'credentials', providers: ['replicate'], types: ['api_key' as const] };
const replicateKey = testApiKey('replicate');
const PREDICTION_TIMEOUT_MS = 10 * 60_000;

interface Prediction {
  id: string;
  status: 'starting' | 'processing' | 'succeeded' | 'failed' | 'canceled';
  output?: unknown;
  error?: string | null;
}

/** Create a prediction of an official model and poll it until it ends; the first output URL. */
export async function runReplicateModel(ctx: BlockContext, model: string, input: Record<string, unknown>): Promise<string> {
  const headers = { authorization: `Bearer ${requireSecret(ctx, 'replicate')}` };
  const base = `${providerBaseUrl('replicate')}/v1`;
  const { data: created } = await callProvider<Prediction>(ctx, {
    provider: 'replicate',
    url: `${base}/models/${model}/predictions`,
    method: 'POST',
    headers,
    json: { input },
  });
  const settled = (p: Prediction): Prediction | undefined => {
    if (p.status === 'failed' || p.status === 'canceled')
      throw new ProviderError(
        'replicate',
        'PROVIDER_REJECTED',
        `replicate prediction ${p.status}: ${p.error ?? 'no reason given'}`,
        200,
        false,
      );
    return p.status === 'succeeded' ? p : undefined;
  };
  const done =
    settled(created) ??
    (await pollJob(
      ctx,
      { provider: 'replicate', what: 'the prediction', intervalMs: pollIntervalMs(1000), timeoutMs: PREDICTION_TIMEOUT_MS },
      async () => {
        const { data } = await callProvider<Prediction>(ctx, {
          provider: 'replicate',
          url: `${base}/predictions/${encodeURIComponent(created.id)}`,
          headers,
        });
        return settled(data);
      },
    ));
  const url = Array.isArray(done.output) ? done.output[0] : done.output;
  if (typeof url !== 'string')
    throw new ProviderError('replicate', 'PROVIDER_BAD_RESPONSE', 'replicate returned no output URL', 200, false);
  return url;
}

const FLUX_MODELS: Record<string, string> = {
  'Flux Schnell': 'black-forest-labs/flux-schnell',
  'Flux Pro': 'black-forest-labs/flux-pro',
  'Flux Pro 1.1': 'black-forest-labs/flux-1.1-pro',
};

export const replicateFluxAdvancedModelBlock = defineBlock({
  id: '90f8c45e-e983-4644-aa0b-b4ebe2f531bc',
  name: 'ReplicateFluxAdvancedModelBlock',
  description: 'Generate an image with a Flux model on Replicate, with the advanced settings exposed.',
  categories: ['AI', 'MULTIMEDIA'],
  credentials: REPLICATE_CREDENTIALS,
  input: z.object({
    credentials: credentialsInput,
    prompt: z.string().describe('Text prompt for image generation'),
    replicate_model_name: z.enum(Object.keys(FLUX_MODELS) as [string, ...string[]]).default('Flux Schnell'),
    seed: z.number().int().nullish().describe('Random seed; empty for a random one'),
    steps: z.number().int().min(1).max(50).default(25).describe('Diffusion steps'),
    guidance: z.number().min(2).max(5).default(3).describe('Prompt adherence vs. quality'),
    interval: z.number().min(1).max(4).default(2).describe('Output variance'),
    aspect_ratio: z.string().default('1:1').describe('e.g. 1:1, 16:9, 3:2'),
    output_format: z.enum(['webp', 'jpg', 'png']).default('webp'),
    output_quality: z.number().int().min(0).max(100).default(80),
    safety_tolerance: z.number().int().min(1).max(5).default(2).describe('1 = strictest, 5 = most permissive'),
  }),
  output: z.object({ result: z.string().describe('URL of the generated image') }),
  run: (input, ctx) =>
    withErrorPin(ctx, async function* () {
      const url = await runReplicateModel(ctx, FLUX_MODELS[input.replicate_model_name], {
        prompt: input.prompt,
        ...(input.seed != null ? { seed: input.seed } : {}),
        steps: input.steps,
        guidance: input.guidance,
        interval: input.interval,
        aspect_ratio: input.aspect_ratio,
        output_format: input.output_format,
        output_quality: input.output_quality,
        safety_tolerance: input.safety_tolerance,
      });
      yield ['result', url];
    }),
  testCases: [
    {
      needs: ['replicate'],
      credentials: replicateKey,
      input: { prompt: 'a dog', replicate_model_name: 'Flux Pro 1.1', output_format: 'png' },
      output: [['result', (v: unknown) => typeof v === 'string' && v.endsWith('/black-forest-labs/flux-1.1-pro.png')]],
    },
    {
      name: 'bad token',
      needs: ['replicate'],
      credentials: { ...replicateKey, apiKey: 'r8_invalid_000000' } as never,
      input: { prompt: 'a dog' },
      output: [['error', 'replicate API error 401: You did not pass a valid authentication token']],
    },
  ],
});

const IMAGE_MODELS: Record<string, string> = {
  'Flux 1.1 Pro Ultra': 'black-forest-labs/flux-1.1-pro-ultra',
  'Recraft v3': 'recraft-ai/recraft-v3',
  'Stable Diffusion 3.5 Medium': 'stability-ai/stable-diffusion-3.5-medium',
};
const SIZES: Record<string, { ratio: string; recraft: string }> = {
  square: { ratio: '1:1', recraft: '1024x1024' },
  landscape: { ratio: '4:3', recraft: '1365x1024' },
  portrait: { ratio: '3:4', recraft: '1024x1365' },
  wide: { ratio: '16:9', recraft: '1820x1024' },
  tall: { ratio: '9:16', recraft: '1024x1820' },
};

export const aiImageGeneratorBlock = defineBlock({
  id: 'ed1ae7a0-b770-4089-b520-1f0005fad19a',
  name: 'AIImageGeneratorBlock',
  description: 'Generate an image from a prompt with one of several models (Flux, Recraft, Stable Diffusion) on Replicate.',
  categories: ['AI', 'MULTIMEDIA'],
  credentials: REPLICATE_CREDENTIALS,
  input: z.object({
    credentials: credentialsInput,
    prompt: z.string().describe('What the image should show'),
    model: z.enum(Object.keys(IMAGE_MODELS) as [string, ...string[]]).default('Flux 1.1 Pro Ultra'),
    size: z.enum(Object.keys(SIZES) as [string, ...string[]]).default('square'),
    style: z.string().default('any').describe('Visual style, e.g. any, realistic, digital_illustration'),
  }),
  output: z.object({ image_url: z.string().describe('URL of the generated image') }),
  run: (input, ctx) =>
    withErrorPin(ctx, async function* () {
      const model = IMAGE_MODELS[input.model];
      const size = SIZES[input.size];
      const styled =
        input.style && input.style !== 'any' ? `${input.style.replace(/_/g, ' ')} style: ${input.prompt}` : input.prompt;
      const modelInput: Record<string, unknown> =
        input.model === 'Recraft v3'
          ? { prompt: input.prompt, size: size.recraft, ...(input.style !== 'any' ? { style: input.style } : {}) }
          : input.model === 'Flux 1.1 Pro Ultra'
            ? { prompt: styled, aspect_ratio: size.ratio, output_format: 'jpg', safety_tolerance: 2 }
            : { prompt: styled, aspect_ratio: size.ratio, output_format: 'webp' };
      yield ['image_url', await runReplicateModel(ctx, model, modelInput)];
    }),
  testCases: [
    {
      needs: ['replicate'],
      credentials: replicateKey,
      input: { prompt: 'a lighthouse', size: 'landscape' },
      output: [
        ['image_url', (v: unknown) => typeof v === 'string' && v.endsWith('/black-forest-labs/flux-1.1-pro-ultra.jpg')],
      ],
    },
  ],
});

// ---------------------------------------------------------------- Ideogram

const ideogramKey = testApiKey('ideogram');

/** A palette preset by name, or custom colours (which win). */
function ideogramColorPalette(name: string, custom?: string[] | null): Record<string, unknown> | undefined {
  if (custom?.length) return { members: custom.map((color_hex) => ({ color_hex })) };
  return name && name !== 'NONE' ? { name } : undefined;
}

export const ideogramModelBlock = defineBlock({
  id: '6ab085e2-20b3-4055-bc3e-08036e01eca6',
  name: 'IdeogramModelBlock',
  description: 'Generate an image with Ideogram (text-friendly image model), optionally upscaled.',
  categories: ['AI', 'MULTIMEDIA'],
  credentials: { field: 'credentials', providers: ['ideogram'], types: ['api_key'] },
  input: z.object({
    credentials: credentialsInput,
    prompt: z.string().describe('Text prompt for image generation'),
    ideogram_model_name: z.string().default('V_2').describe('V_3, V_2, V_2_TURBO, V_1, V_1_TURBO'),
    aspect_ratio: z.string().default('ASPECT_1_1').describe('e.g. ASPECT_1_1, ASPECT_16_9, ASPECT_9_16'),
    upscale: z.string().default('No Upscale').describe('"AI Upscale" or "No Upscale"'),
    magic_prompt_option: z.string().default('AUTO').describe('AUTO, ON or OFF'),
    seed: z.number().int().nullish(),
    style_type: z.string().default('AUTO').describe('AUTO, GENERAL, REALISTIC, DESIGN, RENDER_3D, ANIME (V_2 and up)'),
    negative_prompt: z.string().nullish().describe('What the image should not show'),
    color_palette_name: z.string().default('NONE').describe('Preset palette: NONE, EMBER, FRESH, JUNGLE, MAGIC…'),
    custom_color_palette: z.array(z.string()).nullish().describe('Hex colours; overrides the preset'),
  }),
  output: z.object({ result: z.string().describe('URL of the generated image') }),
  run: (input, ctx) =>
    withErrorPin(ctx, async function* () {
      const key = requireSecret(ctx, 'ideogram');
      const base = providerBaseUrl('ideogram');
      const palette = ideogramColorPalette(input.color_palette_name, input.custom_color_palette);
      const v3 = input.ideogram_model_name === 'V_3';
      const styled = !['V_1', 'V_1_TURBO'].includes(input.ideogram_model_name);
      const request = {
        prompt: input.prompt,
        ...(v3 ? {} : { model: input.ideogram_model_name }),
        aspect_ratio: v3 ? input.aspect_ratio.replace(/^ASPECT_/, '').replace('_', 'x') : input.aspect_ratio,
        // v3 names it magic_prompt; the legacy endpoint magic_prompt_option.
        [v3 ? 'magic_prompt' : 'magic_prompt_option']: input.magic_prompt_option,
        ...(styled ? { style_type: input.style_type } : {}),
        ...(input.negative_prompt ? { negative_prompt: input.negative_prompt } : {}),
        ...(input.seed != null ? { seed: input.seed } : {}),
        ...(palette ? { color_palette: palette } : {}),
      };
      const { data } = await callProvider<{ data?: Array<{ url: string }> }>(ctx, {
        provider: 'ideogram',
        url: v3 ? `${base}/v1/ideogram-v3/generate` : `${base}/generate`,
        method: 'POST',
        headers: { 'api-key': key },
        json: v3 ? request : { image_request: request },
      });
      let url = data?.data?.[0]?.url;
      if (!url) throw new ProviderError('ideogram', 'PROVIDER_BAD_RESPONSE', 'ideogram returned no image', 200, false);
      if (input.upscale === 'AI Upscale') {
        const image = await openProvider(ctx, { provider: 'ideogram', url, headers: { accept: 'image/*' } });
        const form = new FormData();
        form.append('image_request', JSON.stringify({}));
        form.append('image_file', new Blob([await image.arrayBuffer()], { type: 'image/png' }), 'image.png');
        const { data: up } = await callProvider<{ data?: Array<{ url: string }> }>(ctx, {
          provider: 'ideogram',
          url: `${base}/upscale`,
          method: 'POST',
          headers: { 'api-key': key },
          body: form,
        });
        url = up?.data?.[0]?.url ?? url;
      }
      yield ['result', url];
    }),
  testCases: [
    {
      needs: ['ideogram'],
      credentials: ideogramKey,
      input: { prompt: 'A sign that says hello' },
      output: [['result', (v: unknown) => typeof v === 'string' && /\/ideogram\/images\/V_2-ASPECT_1_1\.png$/.test(v)]],
    },
    {
      name: 'V_3 endpoint',
      needs: ['ideogram'],
      credentials: ideogramKey,
      input: { prompt: 'A sign', ideogram_model_name: 'V_3', aspect_ratio: 'ASPECT_16_9' },
      output: [['result', (v: unknown) => typeof v === 'string' && v.endsWith('/ideogram/images/V_3-16x9.png')]],
    },
    {
      name: 'upscaled',
      needs: ['ideogram'],
      credentials: ideogramKey,
      input: { prompt: 'A sign', upscale: 'AI Upscale', aspect_ratio: 'ASPECT_16_9' },
      output: [['result', (v: unknown) => typeof v === 'string' && v.endsWith('/ideogram/images/upscaled.png')]],
    },
    {
      name: 'bad key',
      needs: ['ideogram'],
      credentials: { ...ideogramKey, apiKey: 'ideo-invalid-000000' } as never,
      input: { prompt: 'A sign' },
      output: [['error', 'ideogram API error 401: Invalid API key']],
    },
  ],
});

// ---------------------------------------------------------------- Revid (AI short-form videos)

const REVID_VOICES: Record<string, string> = {
  Lily: 'pFZP5JQG7iQjIQuC4Bku',
  Daniel: 'onwK4e9ZLuTAKqWW03F9',
  Brian: 'nPczCjzI2devNBz1zQrb',
  Jessica: 'cgSgspJ2msm6clMCkdW9',
  Charlotte: 'XB0fDUnXU5powFXDhCwa',
  Callum: 'N2lVS1w4EtoT3dr4eOWO',
};
const revidKey = testApiKey('revid');

export const aiShortformVideoCreatorBlock = defineBlock({
  id: '361697fb-0c4f-4feb-aed3-8320c88c771b',
  name: 'AIShortformVideoCreatorBlock',
  description: 'Turn a script into a short-form video (TikTok/Reels format) with revid.ai; waits until it is rendered.',
  categories: ['AI', 'MULTIMEDIA', 'SOCIAL'],
  credentials: { field: 'credentials', providers: ['revid'], types: ['api_key'] },
  input: z.object({
    credentials: credentialsInput,
    script: z.string().describe('Script of the video; [bracketed] lines are stage directions, not spoken'),
    ratio: z.string().default('9 / 16').describe('Aspect ratio, e.g. "9 / 16"'),
    resolution: z.string().default('720p'),
    frame_rate: z.number().int().default(60),
    generation_preset: z.string().default('Default').describe('Visual preset of the generated media'),
    background_music: z.string().default('Highway Nocturne').describe('Background track'),
    voice: z.string().default('Lily').describe('Narrator: Lily, Daniel, Brian, Jessica, Charlotte or Callum'),
    video_style: z.string().default('stockVideo').describe('stockVideo, movingImage or aiVideo'),
  }),
  output: z.object({ video_url: z.string().describe('URL of the rendered video') }),
  run: (input, ctx) =>
    withErrorPin(ctx, async function* () {
      const headers = { key: requireSecret(ctx, 'revid') };
      const base = `${providerBaseUrl('revid')}/api/public/v2`;
      const { data: created } = await callProvider<{ pid?: string; success?: number; error?: string }>(ctx, {
        provider: 'revid',
        url: `${base}/render`,
        method: 'POST',
        headers,
        json: {
          creationParams: {
            mediaType: input.video_style,
            captionPresetName: 'Wrap 1',
            selectedVoice: REVID_VOICES[input.voice] ?? input.voice,
            hasEnhancedGeneration: true,
            generationPreset: input.generation_preset,
            selectedAudio: input.background_music,
            origin: '/create',
            inputText: input.script,
            flowType: 'text-to-video',
            slug: 'create-tiktok-video',
            hasToGenerateVoice: true,
            hasToTranscript: false,
            hasToSearchMedia: true,
            hasAvatar: false,
            hasWebsiteRecorder: false,
            hasTextSmallAtBottom: false,
            ratio: input.ratio,
            resolution: input.resolution,
            frameRate: input.frame_rate,
            sourceType: 'contentScraping',
            selectedStoryStyle: { value: 'custom', label: 'Custom' },
            hasToGenerateVideos: input.video_style !== 'stockVideo',
          },
        },
      });
      const pid = created?.pid;
      if (!pid)
        throw new ProviderError('revid', 'PROVIDER_REJECTED', `revid did not start the video: ${created?.error ?? 'no pid'}`, 200, false);
      const videoUrl = await pollJob(
        ctx,
        { provider: 'revid', what: 'the video', intervalMs: pollIntervalMs(10_000), timeoutMs: 20 * 60_000 },
        async () => {
          const { data } = await callProvider<{ status?: string; videoUrl?: string; error?: string }>(ctx, {
            provider: 'revid',
            url: `${base}/status`,
            query: { pid },
            headers,
          });
          if (data.status === 'error' || data.status === 'failed')
            throw new ProviderError('revid', 'PROVIDER_REJECTED', `revid video failed: ${data.error ?? 'unknown'}`, 200, false);
          return data.status === 'ready' && data.videoUrl ? data.videoUrl : undefined;
        },
      );
      yield ['video_url', videoUrl];
    }),
  testCases: [
    {
      needs: ['revid'],
      credentials: revidKey,
      input: { script: '[close-up of a cat] Cats sleep 16 hours a day.', voice: 'Brian' },
      output: [['video_url', (v: unknown) => typeof v === 'string' && /\/revid\/videos\/[\w-]+\.mp4$/.test(v)]],
    },
    {
      name: 'render fails',
      needs: ['revid'],
      credentials: revidKey,
      input: { script: 'FAIL this video' },
      output: [['error', 'revid video failed: media generation failed']],
    },
  ],
});

export const mediaBlocks = [replicateFluxAdvancedModelBlock, aiImageGeneratorBlock, ideogramModelBlock, aiShortformVideoCreatorBlock];
