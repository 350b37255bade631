/**
 * A test host behind the host's real HTTP server (host/edge/http-server.ts:
 * timeouts, connection cap, 408 and lingering close), on a loopback port, and
 * raw-socket helpers to play the slow, greedy or broken clients the edge is
 * for. Its edge settings come from the suite database's config
 * (`useDatabase(backend, {BAZAAR_HEADERS_TIMEOUT_MS: '200', ...})`).
 */
import { request, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createHttpServer } from '../../../host/edge/http-server.js';
import type { TestDatabase } from '../../support/database-backends.js';
import { startTestHost, type TestHost, type TestHostOptions } from '../../support/test-host.js';

export interface EdgeHost {
  readonly host: TestHost;
  readonly server: Server;
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function listenEdgeHost(database: TestDatabase, options: TestHostOptions = {}): Promise<EdgeHost> {
  const host = await startTestHost(database, options);
  const server = createHttpServer(host.app.callback(), database.config.edge);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host,
    server,
    port,
    url: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await host.close();
    },
  };
}

/** A raw client connection: what it received, and whether the server closed it. */
export class RawClient {
  readonly socket: Socket;
  #received = Buffer.alloc(0);
  #closed: Promise<void>;
  closed = false;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => (this.#received = Buffer.concat([this.#received, chunk])));
    socket.on('error', () => undefined); // a reset is an outcome, read through `closed`
    this.#closed = new Promise((resolve) => socket.once('close', () => ((this.closed = true), resolve())));
  }

  /** Connect to `port` on 127.0.0.1, from `localAddress` (another loopback address is another client). */
  static async open(port: number, localAddress = '127.0.0.1'): Promise<RawClient> {
    const socket = connect({ port, host: '127.0.0.1', localAddress });
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    return new RawClient(socket);
  }

  get text(): string {
    return this.#received.toString('latin1');
  }

  write(data: string | Buffer): void {
    if (!this.socket.destroyed && this.socket.writable) this.socket.write(data);
  }

  /** Write `chunk` every `everyMs` until the server closes the connection or `maxWrites` were sent. */
  async drip(chunk: string, everyMs: number, maxWrites: number): Promise<void> {
    for (let i = 0; i < maxWrites && !this.closed; i++) {
      this.write(chunk);
      await Promise.race([sleep(everyMs), this.#closed]);
    }
  }

  /** Wait until a whole answer (head and Content-Length body) was received, or the connection closed; at most `boundMs`. */
  async waitAnswer(boundMs: number): Promise<void> {
    const deadline = Date.now() + boundMs;
    while (!this.closed && Date.now() < deadline) {
      try {
        const { headers, body } = this.answer();
        if (Buffer.byteLength(body, 'latin1') >= Number(headers['content-length'] ?? 0)) return;
      } catch {
        // not yet
      }
      await sleep(10);
    }
  }

  /** Wait until the server closes the connection, at most `boundMs` (then it is left open: assert `closed`). */
  async waitClosed(boundMs: number): Promise<boolean> {
    await Promise.race([this.#closed, sleep(boundMs)]);
    return this.closed;
  }

  /** The first answer received: status, headers (lower-case) and body. */
  answer(): { status: number; headers: Record<string, string>; body: string } {
    const text = this.text;
    const end = text.indexOf('\r\n\r\n');
    if (end === -1) throw new Error(`no complete answer received: ${JSON.stringify(text.slice(0, 200))}`);
    const [statusLine = '', ...lines] = text.slice(0, end).split('\r\n');
    const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
    const length = Number(headers['content-length'] ?? 0);
    return { status: Number(statusLine.split(' ')[1]), headers, body: text.slice(end + 4, end + 4 + length) };
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** GET `path` from `localAddress` with node:http on a fresh connection: status and body. */
export async function getFrom(port: number, path: string, localAddress: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, localAddress, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject).end();
  });
}
