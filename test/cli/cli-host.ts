/**
 * A real host for CLI tests: the full dependency graph and app of
 * test-host.ts on the suite's database, listening on a loopback port, so the
 * CLI (a child process) talks HTTP to it exactly as it would to a deployment.
 * Plus a port nobody listens on, for the unreachable cases.
 */
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestDatabase } from '../support/database-backends.js';
import { EXAMPLES_DIR, runCliProcess, succeededJson, type CliRun } from '../support/run-cli.js';
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

/** Runs the CLI against `server` with `key`. */
export type CliAs = (args: string[]) => Promise<CliRun>;

/**
 * The cast the release tests start from, made through the CLI as an operator
 * would: the `examples` publisher and the `acme` tenant (both pro), and a key
 * for each (plugins:publish; plugins:install + plugins:execute).
 */
export interface CliCast {
  readonly admin: CliAs;
  readonly publisherKey: string;
  readonly publisher: CliAs;
  readonly acme: CliAs;
}

export async function createCliCast(server: ListeningHost): Promise<CliCast> {
  const as = (key: string): CliAs => (args) => runCliProcess([...args, '--host', server.url, '--key', key]);
  const admin = as(server.host.adminKey);
  const key = async (tenant: string, scopes: string) => String(succeededJson(await admin(['keys', 'create', '--tenant', tenant, '--scopes', scopes, '--json']))['key']);
  succeededJson(await admin(['tenants', 'create', '--name', 'Examples', '--slug', 'examples', '--owner-email', 'dev@examples.test', '--tier', 'pro', '--json']));
  succeededJson(await admin(['tenants', 'create', '--name', 'Acme Corp', '--slug', 'acme', '--owner-email', 'ops@acme.test', '--tier', 'pro', '--json']));
  const publisherKey = await key('examples', 'plugins:publish');
  return { admin, publisherKey, publisher: as(publisherKey), acme: as(await key('acme', 'plugins:install,plugins:execute')) };
}

/** A copy of examples/slugify as `version`, its code passed through `edit`, in a temporary folder: its path. */
export async function slugifyAs(version: string, edit: (code: string) => string = (code) => code): Promise<string> {
  const copy = await mkdtemp(path.join(tmpdir(), 'bazaar-slugify-'));
  await cp(path.join(EXAMPLES_DIR, 'slugify'), copy, { recursive: true });
  const manifest = JSON.parse(await readFile(path.join(copy, 'manifest.json'), 'utf8')) as Record<string, unknown>;
  await writeFile(path.join(copy, 'manifest.json'), JSON.stringify({ ...manifest, version }));
  await writeFile(path.join(copy, 'index.js'), edit(await readFile(path.join(copy, 'index.js'), 'utf8')));
  return copy;
}
