/**
 * The host's HTTP server: Node's, with the limits a slow or greedy client
 * meets before any middleware runs.
 *
 * - Headers must arrive within `headersTimeoutMs` (Node's `headersTimeout`),
 *   the whole request within headers + body time (`requestTimeout`, a
 *   backstop: the body's own deadline is enforced by the body reader,
 *   host/edge/body.ts), and an idle kept-alive connection is closed
 *   after `keepAliveTimeoutMs`. A request that runs out of time is answered
 *   408 `request_timeout` (the contract's JSON) and its connection closed.
 * - At most `maxConnectionsPerAddress` open connections per peer address;
 *   one more is answered 429 `rate_limited` with `Retry-After` and closed.
 *   Trusted proxies are not capped: they carry many clients.
 * - Other malformed requests get Node's usual 400 (431 for huge headers),
 *   with `Connection: close`.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { ERROR_CATALOG, type ErrorCode } from '../../manifests/errors.js';
import type { EdgeConfig } from '../foundation/config.js';
import { normaliseAddress, TrustedProxies } from '../foundation/client-address.js';
import { isClosing, lingeringClose } from './lingering-close.js';

export type EdgeServerOptions = Pick<EdgeConfig, 'headersTimeoutMs' | 'bodyTimeoutMs' | 'keepAliveTimeoutMs' | 'maxConnectionsPerAddress' | 'trustedProxies'>;

/** An HTTP server for `handler` (a Koa app's `callback()`) under the limits above. */
export function createHttpServer(handler: RequestListener, options: EdgeServerOptions): Server {
  const refused = new WeakSet<Duplex>();
  const server = createServer(
    {
      headersTimeout: options.headersTimeoutMs,
      requestTimeout: options.headersTimeoutMs + options.bodyTimeoutMs,
      keepAliveTimeout: options.keepAliveTimeoutMs,
      // How often Node looks for requests past those deadlines (its default, 30 s, would let them run long past).
      connectionsCheckingInterval: Math.max(10, Math.min(1_000, Math.floor(options.headersTimeoutMs / 4))),
    },
    (req: IncomingMessage, res: ServerResponse) => {
      // A connection over the cap was answered already; what it sends is not served.
      if (refused.has(req.socket)) return;
      handler(req, res);
    },
  );
  capConnections(server, options, refused);
  server.on('clientError', onClientError);
  return server;
}

function capConnections(server: Server, options: EdgeServerOptions, refused: WeakSet<Duplex>): void {
  const trusted = new TrustedProxies(options.trustedProxies);
  const open = new Map<string, number>();
  // Before Node's own listener, so a refused connection is marked before it can parse anything.
  server.prependListener('connection', (socket: Socket) => {
    const address = normaliseAddress(socket.remoteAddress);
    if (trusted.has(address)) return;
    const count = (open.get(address) ?? 0) + 1;
    open.set(address, count);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left <= 0) open.delete(address);
      else open.set(address, left);
    });
    if (count > options.maxConnectionsPerAddress) {
      refused.add(socket);
      socket.write(errorResponse('rate_limited', `More than ${options.maxConnectionsPerAddress} open connections from one address.`, { 'Retry-After': '1' }));
      lingeringClose(socket);
    }
  });
}

/** Node's `clientError`: a request that timed out or could not be parsed, before any middleware saw it. */
function onClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (isClosing(socket)) return; // answered already; the lingering close ends it
  const inFlight = (socket as { _httpMessage?: ServerResponse | null })._httpMessage;
  if (err.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent === true) {
    socket.destroy();
    return;
  }
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    socket.write(errorResponse('request_timeout', 'The request did not arrive in time.'));
  } else if (err.code === 'HPE_HEADER_OVERFLOW') {
    socket.write('HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\nX-Content-Type-Options: nosniff\r\nContent-Length: 0\r\n\r\n');
  } else {
    socket.write(errorResponse('invalid_request', 'The request is not valid HTTP/1.1.'));
  }
  lingeringClose(socket);
}

const REASONS: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 429: 'Too Many Requests' };

/** A whole HTTP/1.1 answer with the contract's error envelope, for a connection no middleware serves. */
function errorResponse(code: ErrorCode, message: string, headers: Record<string, string> = {}): string {
  const requestId = randomUUID();
  const { status } = ERROR_CATALOG[code];
  const body = JSON.stringify({ error: { code, message }, requestId });
  const lines = [
    `HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    'X-Content-Type-Options: nosniff',
    `X-Request-Id: ${requestId}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}
