import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { Agent } from 'undici';

/**
 * SSRF guard for every outbound HTTP call a block makes.
 *
 * Three layers, because each one alone can be bypassed:
 *  1. before a request, the host is resolved (all addresses) and refused if any address is internal;
 *  2. the socket is opened through an undici Agent whose `connect.lookup` resolves and checks again and
 *     hands the checked address to the socket, so a DNS answer that changes between check and connect
 *     (rebinding) is caught at connect time;
 *  3. redirects are followed by hand (`redirect: 'manual'`), and every hop goes through 1 and 2.
 */

export type SsrfBlockCode =
  | 'PROTOCOL_NOT_ALLOWED'
  | 'LOOPBACK_ADDRESS'
  | 'PRIVATE_ADDRESS'
  | 'LINK_LOCAL_ADDRESS'
  | 'METADATA_ADDRESS'
  | 'UNSPECIFIED_ADDRESS'
  | 'RESERVED_ADDRESS'
  | 'DNS_LOOKUP_FAILED'
  | 'TOO_MANY_REDIRECTS'
  | 'REDIRECT_NOT_ALLOWED';

export class SsrfBlockedError extends Error {
  override readonly name = 'SsrfBlockedError';
  readonly retryable = false;
  constructor(
    readonly code: SsrfBlockCode,
    message: string,
    readonly host?: string,
    readonly address?: string,
  ) {
    super(message);
  }
}

export interface GuardedFetchOptions {
  /** Host names (exact, case-insensitive, or `*.example.com`) that may resolve to any address. */
  allowHosts?: string[];
  /** Allow private, loopback and link-local ranges. Metadata endpoints and 0.0.0.0 stay refused. */
  allowPrivate?: boolean;
  /** Redirect hops followed for `redirect: 'follow'` (default 5). */
  maxRedirects?: number;
  /** Resolver, injectable so tests can simulate DNS answers (rebinding). Defaults to dns.lookup. */
  resolve?: (host: string) => Promise<LookupAddress[]>;
}

export type GuardedFetch = typeof fetch & { close(): Promise<void> };

type AddressClass = Exclude<
  SsrfBlockCode,
  'PROTOCOL_NOT_ALLOWED' | 'DNS_LOOKUP_FAILED' | 'TOO_MANY_REDIRECTS' | 'REDIRECT_NOT_ALLOWED'
>;

function blockList(entries: Array<[string, number, 'ipv4' | 'ipv6']>): BlockList {
  const list = new BlockList();
  for (const [net, prefix, type] of entries) list.addSubnet(net, prefix, type);
  return list;
}

// Order matters: the first matching class names the refusal.
const RANGES: Array<[AddressClass, BlockList]> = [
  [
    'METADATA_ADDRESS',
    blockList([
      ['169.254.169.254', 32, 'ipv4'],
      ['fd00:ec2::254', 128, 'ipv6'],
      ['100.100.100.200', 32, 'ipv4'],
    ]),
  ],
  [
    'UNSPECIFIED_ADDRESS',
    blockList([
      ['0.0.0.0', 8, 'ipv4'],
      ['::', 128, 'ipv6'],
    ]),
  ],
  [
    'LOOPBACK_ADDRESS',
    blockList([
      ['127.0.0.0', 8, 'ipv4'],
      ['::1', 128, 'ipv6'],
    ]),
  ],
  [
    'LINK_LOCAL_ADDRESS',
    blockList([
      ['169.254.0.0', 16, 'ipv4'],
      ['fe80::', 10, 'ipv6'],
    ]),
  ],
  [
    'PRIVATE_ADDRESS',
    blockList([
      ['10.0.0.0', 8, 'ipv4'],
      ['172.16.0.0', 12, 'ipv4'],
      ['192.168.0.0', 16, 'ipv4'],
      ['100.64.0.0', 10, 'ipv4'],
      ['fc00::', 7, 'ipv6'],
    ]),
  ],
  [
    'RESERVED_ADDRESS',
    blockList([
      ['224.0.0.0', 4, 'ipv4'],
      ['240.0.0.0', 4, 'ipv4'],
      ['ff00::', 8, 'ipv6'],
    ]),
  ],
];
const ALWAYS_REFUSED: ReadonlySet<AddressClass> = new Set(['METADATA_ADDRESS', 'UNSPECIFIED_ADDRESS']);

/** Which internal range an address falls in, or undefined for a public address. */
export function classifyAddress(address: string): AddressClass | undefined {
  const family = isIP(address);
  if (family === 0) return 'RESERVED_ADDRESS';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  const [addr, type] = mapped
    ? [mapped[1], 'ipv4' as const]
    : [address, family === 4 ? ('ipv4' as const) : ('ipv6' as const)];
  for (const [cls, list] of RANGES) if (list.check(addr, type)) return cls;
  return undefined;
}

function hostAllowed(host: string, allowHosts: string[]): boolean {
  const h = host.toLowerCase();
  return allowHosts.some((pattern) => {
    const p = pattern.toLowerCase().replace(/^\[|\]$/g, '');
    return p.startsWith('*.') ? h.endsWith(p.slice(1)) : h === p;
  });
}

const defaultResolve = (host: string): Promise<LookupAddress[]> =>
  new Promise((resolve, reject) =>
    dnsLookup(host, { all: true, verbatim: true }, (err, addrs) => (err ? reject(err) : resolve(addrs))),
  );

interface Policy {
  allowHosts: string[];
  allowPrivate: boolean;
  resolve: (host: string) => Promise<LookupAddress[]>;
}

/** Resolve `host` and refuse it when any of its addresses is internal; returns the checked addresses. */
async function resolveChecked(host: string, policy: Policy): Promise<LookupAddress[]> {
  const bare = host.replace(/^\[|\]$/g, '');
  let addresses: LookupAddress[];
  if (isIP(bare)) addresses = [{ address: bare, family: isIP(bare) }];
  else {
    try {
      addresses = await policy.resolve(bare);
    } catch (err) {
      throw new SsrfBlockedError(
        'DNS_LOOKUP_FAILED',
        `Could not resolve host ${bare}: ${(err as Error).message}`,
        bare,
      );
    }
    if (addresses.length === 0) throw new SsrfBlockedError('DNS_LOOKUP_FAILED', `Host ${bare} has no addresses`, bare);
  }
  if (hostAllowed(bare, policy.allowHosts)) return addresses;
  for (const { address } of addresses) {
    const cls = classifyAddress(address);
    if (!cls) continue;
    if (policy.allowPrivate && !ALWAYS_REFUSED.has(cls)) continue;
    throw new SsrfBlockedError(
      cls,
      `Request to ${bare} refused: it resolves to ${address}, a ${describe(cls)} address`,
      bare,
      address,
    );
  }
  return addresses;
}

function describe(cls: AddressClass): string {
  return {
    METADATA_ADDRESS: 'cloud metadata',
    UNSPECIFIED_ADDRESS: 'unspecified',
    LOOPBACK_ADDRESS: 'loopback',
    LINK_LOCAL_ADDRESS: 'link-local',
    PRIVATE_ADDRESS: 'private',
    RESERVED_ADDRESS: 'reserved',
  }[cls];
}

/** Check one URL against the policy without fetching it (used for non-HTTP clients such as SMTP). */
export async function assertUrlAllowed(url: string | URL, options: GuardedFetchOptions = {}): Promise<void> {
  const u = new URL(url);
  await resolveChecked(u.hostname, toPolicy(options));
}

/** Check a bare host (e.g. an SMTP server) against the policy. */
export async function assertHostAllowed(host: string, options: GuardedFetchOptions = {}): Promise<void> {
  await resolveChecked(host, toPolicy(options));
}

function toPolicy(options: GuardedFetchOptions): Policy {
  return {
    allowHosts: options.allowHosts ?? [],
    allowPrivate: options.allowPrivate ?? false,
    resolve: options.resolve ?? defaultResolve,
  };
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** A fetch that refuses internal addresses, re-checks each redirect hop and pins sockets to checked addresses. */
export function createGuardedFetch(options: GuardedFetchOptions = {}): GuardedFetch {
  const policy = toPolicy(options);
  const maxRedirects = options.maxRedirects ?? 5;

  // Called by net/tls.connect for host names (never for IP literals, which the pre-check covers).
  // The fetch layer re-wraps socket errors as plain Errors, so refusals at connect time are kept here
  // (by host name) to be rethrown as they are.
  const refusedAtConnect = new Map<string, SsrfBlockedError>();
  const pinnedLookup: LookupFunction = (hostname, opts, callback) => {
    resolveChecked(hostname, policy).then(
      (addresses) => {
        if (opts.all) (callback as (e: null, a: LookupAddress[]) => void)(null, addresses);
        else callback(null, addresses[0].address, addresses[0].family);
      },
      (err: Error) => {
        if (err instanceof SsrfBlockedError) refusedAtConnect.set(hostname, err);
        callback(err as NodeJS.ErrnoException, '', 0);
      },
    );
  };
  const agent = new Agent({ connect: { lookup: pinnedLookup } });

  const guarded = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    let url = new URL(input instanceof Request ? input.url : input.toString());
    let method = (init.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    let body = init.body ?? (input instanceof Request ? input.body : undefined);
    const headers = new Headers(init.headers ?? (input instanceof Request ? input.headers : undefined));
    const redirectMode = init.redirect ?? 'follow';

    for (let hop = 0; ; hop++) {
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        throw new SsrfBlockedError(
          'PROTOCOL_NOT_ALLOWED',
          `Protocol ${url.protocol} is not allowed (http and https only)`,
          url.hostname,
        );
      }
      await resolveChecked(url.hostname, policy);
      let response: Response;
      try {
        // The global fetch (not undici's own) so web-platform bodies such as the global FormData serialise;
        // it accepts undici's Agent as its dispatcher.
        response = await fetch(url, {
          ...init,
          method,
          headers,
          body,
          redirect: 'manual',
          dispatcher: agent,
        } as unknown as RequestInit);
      } catch (err) {
        const refused = refusedAtConnect.get(url.hostname);
        if (refused) {
          refusedAtConnect.delete(url.hostname);
          throw refused;
        }
        throw err;
      }
      if (!REDIRECT_STATUSES.has(response.status) || !response.headers.get('location') || redirectMode === 'manual')
        return response;
      if (redirectMode === 'error') {
        throw new SsrfBlockedError(
          'REDIRECT_NOT_ALLOWED',
          `Redirect from ${url.origin} refused (redirect: 'error')`,
          url.hostname,
        );
      }
      if (hop >= maxRedirects)
        throw new SsrfBlockedError(
          'TOO_MANY_REDIRECTS',
          `More than ${maxRedirects} redirects from ${url.origin}`,
          url.hostname,
        );
      await response.body?.cancel().catch(() => undefined);
      const next = new URL(response.headers.get('location') as string, url);
      if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST')) {
        method = method === 'HEAD' ? 'HEAD' : 'GET';
        body = undefined;
        headers.delete('content-type');
        headers.delete('content-length');
      }
      // Credentials never follow a redirect to another origin.
      if (next.origin !== url.origin) {
        for (const h of ['authorization', 'cookie', 'proxy-authorization', 'x-api-key']) headers.delete(h);
      }
      url = next;
    }
  };
  return Object.assign(guarded as typeof fetch, { close: () => agent.close() });
}
