import { defineBlock } from '@agentry/block-sdk';
import { z } from 'zod';
import { callProvider, providerBaseUrl, requireSecret } from '../http';
import { credentialsInput } from '../llm/blocks';
import { testOAuth, withErrorPin } from '../support';

/** WordPress.com / Jetpack REST API v1.1 (https://developer.wordpress.com/docs/api/1.1/post/sites/%24site/posts/new/). */
export const wordPressCreatePostBlock = defineBlock({
  id: 'ee4fe08c-18f9-442f-a985-235379b932e1',
  name: 'WordPressCreatePostBlock',
  description: 'Publish a post on a WordPress.com (or Jetpack-connected) site.',
  categories: ['SOCIAL'],
  sideEffects: true,
  credentials: { field: 'credentials', providers: ['wordpress'], types: ['oauth2'] },
  input: z.object({
    credentials: credentialsInput,
    site: z.string().describe('Site ID or domain, e.g. myblog.wordpress.com'),
    title: z.string().describe('Post title'),
    content: z.string().describe('Post content (HTML allowed)'),
    excerpt: z.string().nullish().describe('Optional excerpt'),
    slug: z.string().nullish().describe('URL slug; derived from the title when empty'),
    author: z.string().nullish().describe('Author user ID or login; the connected user when empty'),
    categories: z.array(z.string()).default([]).describe('Category names or slugs'),
    tags: z.array(z.string()).default([]).describe('Tag names or slugs'),
    featured_image: z.string().nullish().describe('Media ID or URL of the featured image'),
    media_urls: z.array(z.string()).default([]).describe('Images to upload and attach to the post'),
  }),
  output: z.object({
    site: z.string().describe('The site the post was published on'),
    post_id: z.number(),
    post_url: z.string(),
    short_url: z.string(),
    post_data: z.record(z.string(), z.unknown()).describe('The full post as the API returned it'),
  }),
  run: (input, ctx) =>
    withErrorPin(ctx, async function* () {
      const { data } = await callProvider<Record<string, unknown> & { ID: number; URL: string; short_URL: string }>(ctx, {
        provider: 'wordpress',
        url: `${providerBaseUrl('wordpress')}/rest/v1.1/sites/${encodeURIComponent(input.site)}/posts/new`,
        method: 'POST',
        headers: { authorization: `Bearer ${requireSecret(ctx, 'wordpress')}` },
        json: {
          title: input.title,
          content: input.content,
          status: 'publish',
          ...(input.excerpt ? { excerpt: input.excerpt } : {}),
          ...(input.slug ? { slug: input.slug } : {}),
          ...(input.author ? { author: input.author } : {}),
          ...(input.categories.length ? { categories: input.categories.join(',') } : {}),
          ...(input.tags.length ? { tags: input.tags.join(',') } : {}),
          ...(input.featured_image ? { featured_image: input.featured_image } : {}),
          ...(input.media_urls.length ? { media_urls: input.media_urls } : {}),
        },
      });
      yield ['site', input.site];
      yield ['post_id', data.ID];
      yield ['post_url', data.URL];
      yield ['short_url', data.short_URL];
      yield ['post_data', data];
    }),
  testCases: [
    {
      needs: ['wordpress'],
      credentials: testOAuth('wordpress'),
      input: { site: 'demo.wordpress.com', title: 'Hello World', content: '<p>First post</p>', tags: ['news'] },
      output: [
        ['site', 'demo.wordpress.com'],
        ['post_id', 101],
        ['post_url', 'https://demo.wordpress.com/2025/01/01/hello-world/'],
        ['short_url', 'https://wp.me/p1-1p'],
        ['post_data', (v: unknown) => (v as { title: string; tags: Record<string, unknown> }).title === 'Hello World'],
      ],
    },
    {
      name: 'unknown site',
      needs: ['wordpress'],
      credentials: testOAuth('wordpress'),
      input: { site: 'missing.example', title: 'T', content: 'C' },
      output: [['error', 'wordpress API error 404: unknown_blog: Unknown blog']],
    },
  ],
});

export const wordPressBlocks = [wordPressCreatePostBlock];
