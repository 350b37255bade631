/**
 * A real webhook receiver on loopback: records every request (headers and
 * raw body) and answers as the test says: a status code, or `'hang'` (never
 * answers, so the sender's per-attempt timeout fires).
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifySignature } from '../../../host/webhooks/signing.js';

export interface Received {
  /** The request path, e.g. `/hook/<test>`: tests give each subscription its own. */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export type Answer = number | 'hang';

export interface Receiver {
  /** `http://127.0.0.1:<port>/hook`. */
  readonly url: string;
  readonly port: number;
  readonly received: Received[];
  /** What arrived at `url + '/' + name`. */
  at(name: string): Received[];
  /** How the next requests are answered (default 200). */
  answer: (request: Received) => Answer;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const receiver = { received, answer: (() => 200) as (request: Received) => Answer };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request = { path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      received.push(request);
      const answer = receiver.answer(request);
      if (answer === 'hang') return; // closed by close()
      res.writeHead(answer, { 'content-type': 'text/plain' }).end('x'.repeat(1024));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${port}/hook`,
    port,
    at: (name: string) => received.filter((r) => r.path === `/hook/${name}`),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}

/** The parsed body of a received delivery, after checking its signature with `secret`. */
export function verified(request: Received, secret: string): { id: string; type: string; createdAt: string; data: Record<string, unknown> } {
  const header = request.headers['bazaar-signature'];
  if (typeof header !== 'string' || verifySignature(secret, header, request.body) === null) {
    throw new Error(`bad signature on ${request.body}`);
  }
  return JSON.parse(request.body) as { id: string; type: string; createdAt: string; data: Record<string, unknown> };
}
