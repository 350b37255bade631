/**
 * `ctx.fetch` of an install (docs/plugins.md "The code contract"): HTTP(S) to
 * the hosts its manifest lists AND the tenant granted, nothing else.
 *
 * - Host match: an entry `api.example.com` allows that name on the scheme's
 *   default port only; `api.example.com:8443` allows exactly that port.
 * - SSRF: we resolve DNS ourselves, in the socket's `lookup` hook, refuse the
 *   connection if ANY address is private (address-policy.ts), and the socket
 *   connects to the very addresses we checked: no second resolution, so no
 *   DNS-rebinding window. IP-literal URLs never reach `lookup`, so they are
 *   checked before the request.
 * - Redirects are never followed: the plugin gets the 3xx and its Location,
 *   and may fetch it itself, through these same checks.
 * - Bounded: one deadline for the whole exchange, request body and response
 *   body capped; hop-by-hop and framing headers are ours to set, not the plugin's.
 *
 * Refusals are exposed BazaarErrors, so the plugin sees the sentence (the
 * runtime's bridge reduces any other failure to "fetch failed").
 */
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { BazaarError } from '../../manifests/errors.js';
import type { FetchPort, FetchRequest, FetchResponse } from '../../runtime/types.js';
import { guardedLookup, privateLiteralHost } from '../foundation/address-policy.js';

export interface FetchPolicy {
  /** BAZAAR_ALLOW_PRIVATE_NETWORKS: tests and on-premises setups. */
  readonly allowPrivateNetworks: boolean;
  /** Deadline for connect + request + whole response (default 10 s). */
  readonly timeoutMs?: number;
  /** Response bodies above this fail the call (default 1 MiB). */
  readonly maxResponseBytes?: number;
  /** Request bodies above this are refused (default 1 MiB). */
  readonly maxRequestBytes?: number;
}

const MIB = 1024 * 1024;
const METHOD = /^(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS)$/;
/** Headers the transport owns: a plugin setting them could smuggle requests or confuse framing. */
const RESERVED_HEADERS = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'upgrade', 'keep-alive', 'te', 'trailer', 'proxy-authorization', 'proxy-connection']);
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function refuse(message: string): BazaarError {
  return new BazaarError('invalid_request', `fetch: ${message}`);
}

/** The install's fetch: `hosts` is the manifest's list intersected with the install's grant. */
export class InstallFetch implements FetchPort {
  readonly #hosts: ReadonlySet<string>;
  readonly #policy: Required<FetchPolicy>;

  constructor(hosts: readonly string[], policy: FetchPolicy) {
    this.#hosts = new Set(hosts.map((h) => h.toLowerCase()));
    this.#policy = { timeoutMs: 10_000, maxResponseBytes: MIB, maxRequestBytes: MIB, ...policy };
  }

  async fetch(request: FetchRequest): Promise<FetchResponse> {
    const url = this.#checkUrl(request.url);
    const method = (request.method ?? 'GET').toUpperCase();
    if (!METHOD.test(method)) throw refuse(`method ${JSON.stringify(request.method)} is not allowed`);
    const body = request.body === undefined ? undefined : Buffer.from(request.body, 'utf8');
    if (body !== undefined && body.length > this.#policy.maxRequestBytes) throw refuse(`request body larger than ${this.#policy.maxRequestBytes} bytes`);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers ?? {})) {
      if (!HEADER_NAME.test(name) || /[\r\n\0]/.test(value)) throw refuse(`header ${JSON.stringify(name)} is malformed`);
      if (!RESERVED_HEADERS.has(name.toLowerCase())) headers[name] = value;
    }
    if (body !== undefined) headers['content-length'] = String(body.length);
    return this.#send(url, method, headers, body);
  }

  #checkUrl(raw: string): URL {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw refuse('the URL is invalid');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw refuse(`only http and https URLs are allowed, not ${url.protocol}`);
    if (url.username !== '' || url.password !== '') throw refuse('credentials in the URL are not allowed');
    // url.port is '' for the scheme's default port, so a bare entry matches only that.
    const key = url.host.toLowerCase();
    if (!this.#hosts.has(key)) throw refuse(`host "${url.host}" is not among the install's permitted network hosts`);
    const literal = this.#policy.allowPrivateNetworks ? null : privateLiteralHost(url);
    if (literal !== null) throw refuse(`address ${literal} is private or reserved`);
    return url;
  }

  #send(url: URL, method: string, headers: Record<string, string>, body: Buffer | undefined): Promise<FetchResponse> {
    const { timeoutMs, maxResponseBytes } = this.#policy;
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise<FetchResponse>((resolve, reject) => {
      const req = transport.request(url, {
        method,
        headers,
        lookup: installFetchLookup(this.#policy.allowPrivateNetworks),
        // A fresh connection per call: a pooled socket could outlive this install's policy.
        agent: false,
        signal: AbortSignal.timeout(timeoutMs),
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (err.name === 'AbortError' || err.name === 'TimeoutError') reject(refuse(`no complete answer within ${timeoutMs} ms`));
        else if (err instanceof BazaarError) reject(err);
        else reject(refuse(`the connection failed (${err.code ?? 'error'})`));
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxResponseBytes) {
            req.destroy(refuse(`response body larger than ${maxResponseBytes} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('error', (err) => req.destroy(err));
        res.on('end', () => {
          const out: Record<string, string> = {};
          for (const [name, value] of Object.entries(res.headers)) {
            if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
          }
          resolve({ status: res.statusCode ?? 0, headers: out, body: Buffer.concat(chunks).toString('utf8') });
        });
      });
      req.end(body);
    });
  }
}

/** The install fetch's DNS guard (address-policy.ts), with fetch's refusal errors. */
export function installFetchLookup(allowPrivateNetworks: boolean): LookupFunction {
  return guardedLookup(allowPrivateNetworks, refuse);
}
