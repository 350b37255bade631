/**
 * The slow plugin's other end: an HTTP server whose answers the test holds
 * back until it opens the gate. A plugin that `ctx.fetch`es it runs exactly
 * as long as the test wants, so "how many run at once" is decided by the
 * host's limits, never by how fast a loaded machine happens to be.
 */
import { once } from 'node:events';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export class GateServer {
  readonly #server: Server;
  readonly #held = new Set<ServerResponse>();
  #open = true;
  #arrivals = 0;
  #maxHeld = 0;

  private constructor() {
    this.#server = createServer((req, res) => this.#onRequest(req, res));
  }

  static async start(): Promise<GateServer> {
    const gate = new GateServer();
    gate.#server.listen(0, '127.0.0.1');
    await once(gate.#server, 'listening');
    return gate;
  }

  /** `127.0.0.1:<port>`: the network host the plugin's manifest names. */
  get hostPort(): string {
    return `127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  get url(): string {
    return `http://${this.hostPort}/`;
  }

  /** Requests that reached the gate since the last `close()`. */
  get arrivals(): number {
    return this.#arrivals;
  }

  /** The most requests held at once since the last `close()`: plugins running at the same time. */
  get maxHeld(): number {
    return this.#maxHeld;
  }

  get held(): number {
    return this.#held.size;
  }

  /** Hold every request from now on (and reset the counters). */
  close(): void {
    this.#open = false;
    this.#arrivals = 0;
    this.#maxHeld = 0;
  }

  /** Answer everything held, and everything that comes later, at once. */
  open(): void {
    this.#open = true;
    for (const res of this.#held) res.end('released');
    this.#held.clear();
  }

  async stop(): Promise<void> {
    this.open();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #onRequest(_req: IncomingMessage, res: ServerResponse): void {
    this.#arrivals += 1;
    if (this.#open) {
      res.end('open');
      return;
    }
    this.#held.add(res);
    this.#maxHeld = Math.max(this.#maxHeld, this.#held.size);
    res.on('close', () => this.#held.delete(res));
  }
}
