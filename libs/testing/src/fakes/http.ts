import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';

/** One request a fake received, for assertions on what a block sent. */
export interface RecordedRequest {
  method: string;
  /** Path including the mount prefix, without the query string. */
  path: string;
  query: Record<string, string>;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  /** Parsed JSON or form body when the content type says so, else the text (undefined when empty). */
  body: unknown;
  rawBody: Buffer;
}

export interface FakeServer {
  name: string;
  url: string;
  requests: RecordedRequest[];
  /** Forget recorded requests and scripted replies. */
  reset(): void;
  close(): Promise<void>;
}

/** Buffer the raw body, parse JSON / urlencoded ones, and record the request. */
export function recorder(requests: RecordedRequest[]) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', next);
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks);
      const type = String(req.headers['content-type'] ?? '');
      const text = rawBody.toString('utf8');
      let body: unknown = text.length ? text : undefined;
      try {
        if (type.includes('json') && text) body = JSON.parse(text);
        else if (type.includes('application/x-www-form-urlencoded'))
          body = Object.fromEntries(new URLSearchParams(text));
      } catch {
        // Malformed JSON stays text; the route answers 400.
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers))
        if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
      const url = new URL(req.originalUrl, 'http://fake');
      const record: RecordedRequest = {
        method: req.method,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers,
        body,
        rawBody,
      };
      requests.push(record);
      (req as Request & { recorded: RecordedRequest }).recorded = record;
      req.body = body;
      next();
    });
  };
}

/** Listen on 127.0.0.1:0 and return the base URL and a close that also drops keep-alive sockets. */
export async function listen(app: Express): Promise<{ url: string; close(): Promise<void>; server: Server }> {
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(0, '127.0.0.1', (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export function newApp(requests: RecordedRequest[]): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(recorder(requests));
  return app;
}

export const bearerOf = (req: Request): string | undefined =>
  /^Bearer\s+(.+)$/i.exec(String(req.headers.authorization ?? ''))?.[1];
