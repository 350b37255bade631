/**
 * One webhook attempt over HTTP(S): a signed POST, judged by its status code.
 *
 * Same network guard as `ctx.fetch` (host/foundation/address-policy.ts): a
 * literal private address is refused before connecting, a DNS name is
 * resolved in the socket's `lookup` hook and refused if any address is
 * private, and the socket connects to exactly the addresses checked. Unless
 * BAZAAR_ALLOW_PRIVATE_NETWORKS: the check at creation only sees the URL, and
 * DNS can change afterwards, so it is repeated on every attempt.
 *
 * Redirects are not followed (a 3xx is a failed attempt); the response body is
 * never read: the socket is dropped once the status line is in; one deadline
 * covers connect, request and response head.
 */
import http from 'node:http';
import https from 'node:https';
import { guardedLookup, privateLiteralHost } from '../foundation/address-policy.js';

export interface SendRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** A status code when the receiver answered, otherwise the error that stopped the attempt. */
export type SendResult = { readonly statusCode: number; readonly error: null } | { readonly statusCode: null; readonly error: string };

export interface SenderOptions {
  readonly allowPrivateNetworks: boolean;
  readonly timeoutMs: number;
}

class RefusedAddress extends Error {}

const refuse = (message: string) => new RefusedAddress(message);

export type DeliverySender = (request: SendRequest) => Promise<SendResult>;

export function httpDeliverySender(options: SenderOptions): DeliverySender {
  const lookup = guardedLookup(options.allowPrivateNetworks, refuse);
  return function send(request: SendRequest): Promise<SendResult> {
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return Promise.resolve({ statusCode: null, error: 'invalid URL' });
    }
    const literal = options.allowPrivateNetworks ? null : privateLiteralHost(url);
    if (literal !== null) return Promise.resolve({ statusCode: null, error: `refused: address ${literal} is private or reserved` });
    const transport = url.protocol === 'https:' ? https : http;
    const body = Buffer.from(request.body, 'utf8');
    return new Promise<SendResult>((resolve) => {
      let settled = false;
      const settle = (result: SendResult) => {
        if (settled) return;
        settled = true;
        resolve(result);
      };
      const req = transport.request(url, {
        method: 'POST',
        headers: { ...request.headers, 'content-type': 'application/json', 'content-length': String(body.length) },
        lookup,
        // A fresh connection per attempt: no pooled socket outlives the address check.
        agent: false,
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (err.name === 'AbortError' || err.name === 'TimeoutError') settle({ statusCode: null, error: `timeout after ${options.timeoutMs} ms` });
        else if (err instanceof RefusedAddress) settle({ statusCode: null, error: `refused: ${err.message}` });
        else settle({ statusCode: null, error: `connection failed (${err.code ?? err.name})` });
      });
      req.on('response', (res) => {
        settle({ statusCode: res.statusCode ?? 0, error: null });
        // The body is never read: drop the connection (agent: false, so nothing is reused).
        res.destroy();
        req.destroy();
      });
      req.end(body);
    });
  };
}
