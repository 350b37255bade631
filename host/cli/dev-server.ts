/**
 * `bazaar dev`: a plugin folder served on a local HTTP endpoint, reloaded on
 * every change, run in the same sandbox, with the same checks and limits as
 * `bazaar run`.
 *
 *   POST /<action>  (JSON input; POST / runs the default action)
 *     ─▶ 200 {executionId, status: "succeeded", output, logs, usage}
 *        422 {error, executionId, logs, usage, requestId}: the host's execution answer
 *   GET /           ─▶ {name, version, sha256, actions, tier, limits} of the loaded package
 *
 * A change that breaks the package (bad manifest, syntax the reader refuses)
 * is reported and answered (the error, with its status) until the next change
 * fixes it: the endpoint never serves stale code as if it were current.
 */
import { randomUUID } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BazaarError, ERROR_CATALOG, isBazaarError } from '../../manifests/errors.js';
import { ActionSchemaCache } from '../../marketplace/action-schemas.js';
import type { PluginPackage } from '../../marketplace/package-archive.js';
import type { ExecutionLimits, JsonValue, SandboxRuntime } from '../../runtime/types.js';
import { executionAnswer } from '../executions/execution-answer.js';
import { errorBody, type ErrorBody } from './cli-output.js';
import { loadPackage } from './load-package.js';
import { MemoryKv, localBridge } from './local-bridge.js';
import { resolveRunLimits, type LimitFlags } from './run-limits.js';
import { chooseAction, runPlugin } from './run-plugin.js';

/** Editors write a file in several steps; one reload after the burst is enough. */
const RELOAD_DEBOUNCE_MS = 100;
/** An input may be as large as a JSON request body of the host (1 MiB by default). */
const MAX_INPUT_BYTES = 1024 * 1024;

export interface DevServerOptions {
  readonly dir: string;
  readonly host: string;
  readonly port: number;
  readonly limits: LimitFlags;
  readonly config?: JsonValue;
  readonly runtime: SandboxRuntime;
  /** Told about every load: the package and its limits, or why it cannot be loaded. */
  readonly onLoad: (loaded: Loaded) => void;
  /** Watching stopped: no more reloads. */
  readonly onWatchError: (err: Error) => void;
}

export type Loaded = { readonly ok: true; readonly pkg: PluginPackage; readonly limits: ExecutionLimits } | { readonly ok: false; readonly error: ErrorBody };

export interface DevServer {
  readonly url: string;
  close(): Promise<void>;
}

function statusOf(err: ErrorBody): number {
  return (ERROR_CATALOG as Record<string, { status: number } | undefined>)[err.error.code]?.status ?? 500;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }).end(`${JSON.stringify(body)}\n`);
}

async function readJson(req: IncomingMessage): Promise<JsonValue> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > MAX_INPUT_BYTES) throw new BazaarError('payload_too_large', `The input is larger than ${MAX_INPUT_BYTES} bytes.`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as JsonValue;
  } catch (err) {
    throw new BazaarError('invalid_request', `The body is not JSON (${(err as Error).message}).`);
  }
}

export async function startDevServer(o: DevServerOptions): Promise<DevServer> {
  if (!(await stat(o.dir).catch(() => undefined))?.isDirectory()) throw new BazaarError('invalid_request', `"${o.dir}" is not a plugin folder`);
  let current: Loaded = { ok: false, error: { error: { code: 'invalid_request', message: 'Not loaded yet.' } } };
  // One kv for the session: state survives reloads, as an install's survives upgrades.
  const kv = new MemoryKv();
  const schemas = new ActionSchemaCache();

  async function load(): Promise<void> {
    const previous = current;
    try {
      const pkg = await loadPackage(o.dir);
      if (previous.ok && previous.pkg.sha256 === pkg.sha256) return; // an ignored or unchanged file
      current = { ok: true, pkg, limits: resolveRunLimits(pkg.manifest, o.limits) };
      // The old code's warm isolate is dead weight now.
      if (previous.ok) await o.runtime.evict(`local-${previous.pkg.sha256.slice(0, 16)}`).catch(() => undefined);
    } catch (err) {
      current = { ok: false, error: errorBody(err) };
    }
    o.onLoad(current);
  }

  async function execute(action: string | undefined, input: JsonValue, loaded: Loaded & { ok: true }): Promise<{ status: number; body: unknown }> {
    const requestId = randomUUID();
    let executionId: string = randomUUID(); // replaced by the sandbox's, once it runs
    const chosen = chooseAction(loaded.pkg, action);
    const result = await runPlugin(
      { execute: (request) => ((executionId = request.executionId), o.runtime.execute(request)) },
      loaded.pkg,
      { action: chosen, input, ...(o.config !== undefined ? { config: o.config } : {}), limits: loaded.limits, bridge: localBridge(loaded.pkg.manifest, kv), schemas },
    );
    return executionAnswer({ executionId, plugin: loaded.pkg.manifest.name, result, cpuBudget: null }, requestId);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const loaded = current;
    const path = new URL(req.url ?? '/', 'http://dev').pathname;
    if (!loaded.ok) return send(res, statusOf(loaded.error), loaded.error);
    const { pkg, limits } = loaded;
    if (req.method === 'GET' && path === '/') {
      const { name, version, actions, defaultAction } = pkg.manifest;
      return send(res, 200, { name, version, sha256: pkg.sha256, actions: Object.keys(actions), defaultAction: defaultAction ?? null, tier: o.limits.tier ?? 'enterprise', limits });
    }
    if (req.method !== 'POST') throw new BazaarError('not_found', 'POST /<action> with the JSON input, or GET / for the package.');
    const action = path === '/' ? undefined : decodeURIComponent(path.slice(1));
    if (action !== undefined && !Object.hasOwn(pkg.manifest.actions, action)) throw new BazaarError('not_found', `${pkg.manifest.name} has no action "${action}" (it has: ${Object.keys(pkg.manifest.actions).join(', ')}).`);
    const answer = await execute(action, await readJson(req), loaded);
    send(res, answer.status, answer.body);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const body = errorBody(err);
      send(res, isBazaarError(err) ? statusOf(body) : 500, body);
    });
  });

  await load();
  // Loads run one after the other, so the last change always wins.
  let loading = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const watcher: FSWatcher = watch(o.dir, { recursive: true }, () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      loading = loading.then(load);
    }, RELOAD_DEBOUNCE_MS);
  });
  // The folder went away (or the system ran out of watches): say so, keep serving what was loaded.
  watcher.on('error', (err) => o.onWatchError(err));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const host = o.host.includes(':') ? `[${o.host}]` : o.host;
  return {
    url: `http://${host}:${port}`,
    async close() {
      clearTimeout(timer);
      watcher.close();
      await loading;
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
