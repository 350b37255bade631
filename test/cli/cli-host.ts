/**
 * A real host for CLI tests: the full dependency graph and app of
 * test-host.ts on the suite's database, listening on a loopback port, so the
 * CLI (a child process) talks HTTP to it exactly as it would to a deployment.
 * Plus a port nobody listens on, for the unreachable cases.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestDatabase } from '../support/database-backends.js';
import { startTestHost, type TestHost, type TestHostOptions } from '../support/test-host.js';

export interface ListeningHost {
  readonly url: string;
  readonly host: TestHost;
  close(): Promise<void>;
}

/** `options`: a test clock (billing periods), events... as startTestHost takes them. */
export async function listenTestHost(database: TestDatabase, options: TestHostOptions = {}): Promise<ListeningHost> {
  const host = await startTestHost(database, options);
  const server = createServer(host.app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    host,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await host.close();
    },
  };
}

/** `http://127.0.0.1:<port>` of a port that was just free: connections to it are refused. */
export async function closedPortUrl(): Promise<string> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}
