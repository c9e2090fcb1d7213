import type { Request, Router } from 'express';
import busboy from 'busboy';
import { z } from 'zod';
import { DomainError } from '@agentry/kernel';
import type { Files, StoredFile } from '../../../app/files';
import { sniffType } from '../../../domain/files/sniff';
import { scanWithClamd } from '../../clamd';
import type { HttpAppOptions } from '../app';
import { HttpProblem } from '../problem';
import { pageQuery } from '../schemas';
import { claimsOf, param } from './context';

type Options = HttpAppOptions & Required<Pick<HttpAppOptions, 'api' | 'config' | 'files'>>;

export const fileResponse = z.object({
  id: z.string(),
  name: z.string(),
  mediaType: z.string(),
  size: z.number().int(),
  sha256: z.string(),
  createdAt: z.string(),
  url: z.string(),
});
const view = (f: StoredFile) => ({
  id: f.id,
  name: f.name,
  mediaType: f.mediaType,
  size: f.size,
  sha256: f.sha256,
  createdAt: f.createdAt,
  url: `/api/v1/files/${f.id}/content`,
});

/** Reads the one file part of a multipart body into memory, refusing it once it passes the size limit. */
function readUpload(req: Request, maxBytes: number): Promise<{ name: string; data: Buffer }> {
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({
        headers: req.headers,
        limits: { files: 1, fileSize: maxBytes, fields: 10, parts: 20, fieldSize: 1024 },
      });
    } catch {
      return reject(
        new DomainError('UNSUPPORTED_MEDIA_TYPE', 'send the file as multipart/form-data with a `file` part'),
      );
    }
    let found: { name: string; data: Buffer } | undefined;
    let failure: Error | undefined;
    bb.on('file', (field, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('limit', () => {
        failure = new DomainError('PAYLOAD_TOO_LARGE', `the file is larger than ${maxBytes} bytes`);
      });
      stream.on('end', () => {
        if (field === 'file' && !found)
          found = { name: (info.filename || 'upload').slice(0, 255), data: Buffer.concat(chunks) };
      });
    });
    bb.on('error', () => reject(new DomainError('MALFORMED_REQUEST', 'the multipart body is malformed')));
    bb.on('close', () => {
      if (failure) return reject(failure);
      if (!found)
        return reject(
          new DomainError('VALIDATION_FAILED', 'no `file` part in the upload', { errors: { file: 'required' } }),
        );
      resolve(found);
    });
    req.pipe(bb);
  });
}

/** POST /files (multipart): size limit, type allow-list by content, ClamAV INSTREAM when configured. */
export function fileRoutes(r: Router, options: Options): void {
  const { api, config, files } = options;
  const tag = 'files';

  api.route(
    r,
    {
      method: 'post',
      path: '/v1/files',
      tag,
      summary:
        'Upload a file (multipart `file` part). Allowed by content: PNG, JPEG, GIF, WebP, PDF, UTF-8 text. Infected files are refused with 422.',
      scope: 'files:write',
      rawBody: {
        contentType: 'multipart/form-data',
        schema: {
          type: 'object',
          properties: { file: { type: 'string', contentMediaType: 'application/octet-stream' } },
          required: ['file'],
        },
      },
      responses: {
        201: { description: 'stored', schema: fileResponse },
        422: { description: 'infected (INFECTED_FILE)' },
      },
    },
    async ({ req, res }) => {
      const c = claimsOf(res);
      const upload = await readUpload(req, config.AGENTRY_UPLOAD_MAX_BYTES);
      const mediaType = sniffType(upload.data);
      if (!mediaType)
        throw new DomainError(
          'UNSUPPORTED_MEDIA_TYPE',
          'this kind of file is not accepted (allowed: PNG, JPEG, GIF, WebP, PDF, UTF-8 text; checked by content)',
        );
      if (config.AGENTRY_CLAMD_HOST) {
        const scan = await scanWithClamd(
          { host: config.AGENTRY_CLAMD_HOST, port: config.AGENTRY_CLAMD_PORT },
          upload.data,
        );
        if (!scan.clean) {
          options.logger.warn(
            { tenant: c.tenant, signature: scan.signature, requestId: res.locals.requestId },
            'infected upload refused',
          );
          throw new HttpProblem(
            422,
            'INFECTED_FILE',
            'Infected file',
            `the file was refused by the virus scanner (${scan.signature})`,
          );
        }
      }
      const file = await files.store({
        tenantId: c.tenant,
        userId: c.sub,
        name: upload.name,
        mediaType,
        data: upload.data,
      });
      res.status(201).location(`/api/v1/files/${file.id}`).json(view(file));
    },
  );

  api.route(
    r,
    {
      method: 'get',
      path: '/v1/files',
      tag,
      summary: "The tenant's files, newest first (filter by `mediaType`)",
      scope: 'files:read',
      query: pageQuery.extend({ mediaType: z.string().max(100).optional() }),
      responses: {
        200: {
          description: 'files',
          schema: z.object({ items: z.array(fileResponse), nextCursor: z.string().optional() }),
        },
      },
    },
    async ({ res, query }) => {
      const page = await files.list(claimsOf(res).tenant, {
        mediaType: query.mediaType || undefined,
        cursor: query.cursor,
        limit: query.limit,
      });
      res.json({ items: page.items.map(view), nextCursor: page.nextCursor });
    },
  );

  api.route(
    r,
    {
      method: 'get',
      path: '/v1/files/:id',
      tag,
      summary: 'File metadata',
      scope: 'files:read',
      responses: { 200: { description: 'the file', schema: fileResponse } },
    },
    async ({ req, res }) => {
      res.json(view(files.get(claimsOf(res).tenant, param(req, 'id'))));
    },
  );

  api.route(
    r,
    {
      method: 'get',
      path: '/v1/files/:id/content',
      tag,
      summary: 'File content (as an attachment)',
      scope: 'files:read',
      responses: { 200: { description: 'the bytes', schema: z.string(), contentType: 'application/octet-stream' } },
    },
    async ({ req, res }) => {
      const { file, data } = files.read(claimsOf(res).tenant, param(req, 'id'));
      res.setHeader('content-disposition', `attachment; filename="${file.name.replace(/[^\w.-]+/g, '_')}"`);
      res.setHeader('x-content-type-options', 'nosniff');
      res.type('application/octet-stream').send(data);
    },
  );

  api.route(
    r,
    {
      method: 'delete',
      path: '/v1/files/:id',
      tag,
      summary: 'Delete a file',
      scope: 'files:write',
      responses: { 204: { description: 'deleted' } },
    },
    async ({ req, res }) => {
      await files.delete(claimsOf(res).tenant, param(req, 'id'), claimsOf(res).sub);
      res.status(204).end();
    },
  );
}

/**
 * Graph inputs may refer to an uploaded file as `{"$file": "<id>"}`: the gateway replaces it (tenant-checked) with the
 * text of a text file or a `data:` URI of any other, so blocks receive it like any input value.
 */
export function resolveFileInputs(
  files: Files | undefined,
  tenantId: string,
  inputs: Record<string, unknown>,
): Record<string, unknown> {
  if (!files) return inputs;
  const resolve = (v: unknown): unknown => {
    if (
      v &&
      typeof v === 'object' &&
      !Array.isArray(v) &&
      Object.keys(v).length === 1 &&
      typeof (v as { $file?: unknown }).$file === 'string'
    ) {
      const { file, data } = files.read(tenantId, (v as { $file: string }).$file);
      return file.mediaType === 'text/plain'
        ? data.toString('utf8')
        : `data:${file.mediaType};base64,${data.toString('base64')}`;
    }
    return v;
  };
  return Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, resolve(v)]));
}
