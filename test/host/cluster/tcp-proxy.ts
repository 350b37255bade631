/**
 * A TCP proxy a test can cut and restore: how one host process loses its
 * PostgreSQL or Redis while the shared servers (which other suites and the
 * other hosts use) keep running.
 *
 * `cut()` is an outage as the host sees it: every open connection is dropped
 * and new ones are refused (ECONNREFUSED), as when the server's machine goes
 * away or the server restarts. `restore()` listens again on the same port, so
 * the host's unchanged DATABASE_URL / REDIS_URL work again and it must
 * recover by itself. `stall()` first holds back the server's replies, so a
 * request is caught with its query in flight when the cut comes.
 */
import { once } from 'node:events';
import { type AddressInfo, type Server, type Socket, connect, createServer } from 'node:net';

export class TcpProxy {
  readonly #target: { host: string; port: number };
  readonly #sockets = new Set<Socket>();
  /** Server → client streams, paused while stalled. */
  readonly #replies = new Set<{ upstream: Socket; client: Socket }>();
  #server: Server | undefined;
  #port = 0;
  #stalled = false;
  #sentWhileStalled = 0;

  private constructor(target: { host: string; port: number }) {
    this.#target = target;
  }

  /** A proxy on a free loopback port, forwarding to `host:port`. */
  static async start(host: string, port: number): Promise<TcpProxy> {
    const proxy = new TcpProxy({ host, port });
    await proxy.#listen(0);
    return proxy;
  }

  get port(): number {
    return this.#port;
  }

  /** Bytes clients sent since `stall()`: above 0, a query is waiting for its answer. */
  get sentWhileStalled(): number {
    return this.#sentWhileStalled;
  }

  /** Hold back every reply from the server (requests still pass): queries hang until `cut()`. */
  stall(): void {
    this.#stalled = true;
    this.#sentWhileStalled = 0;
    for (const pair of this.#replies) {
      pair.upstream.unpipe(pair.client);
      pair.upstream.pause();
    }
  }

  /** Drop every connection and refuse new ones. Idempotent. */
  async cut(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    const closed = server === undefined ? Promise.resolve() : new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
    this.#replies.clear();
    this.#stalled = false;
    await closed;
  }

  /** Accept again, on the same port. Idempotent. */
  async restore(): Promise<void> {
    if (this.#server === undefined) await this.#listen(this.#port);
  }

  /** Stop for good. */
  async close(): Promise<void> {
    await this.cut();
  }

  async #listen(port: number): Promise<void> {
    const server = createServer((client) => this.#pipe(client));
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    this.#server = server;
    this.#port = (server.address() as AddressInfo).port;
  }

  #pipe(client: Socket): void {
    const upstream = connect(this.#target.port, this.#target.host);
    for (const socket of [client, upstream]) {
      this.#sockets.add(socket);
      socket.setNoDelay(true);
      // Either side ending or failing ends both: the peer then sees the drop, as it would for real.
      socket.on('error', () => undefined);
      socket.on('close', () => {
        this.#sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    const pair = { upstream, client };
    this.#replies.add(pair);
    upstream.on('close', () => this.#replies.delete(pair));
    client.on('data', (chunk: Buffer) => {
      if (this.#stalled) this.#sentWhileStalled += chunk.length;
    });
    client.pipe(upstream);
    if (!this.#stalled) upstream.pipe(client);
  }
}
