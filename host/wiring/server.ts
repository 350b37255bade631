/**
 * The process: config → database (migrated) → deps → areas started → listen →
 * operator bootstrap, and a graceful stop on SIGTERM/SIGINT: stop accepting, let in-flight requests
 * finish (bounded), flush pending writes, close the database.
 *
 * The CLI's `serve` command calls `startServer(loadConfig())`.
 */
import type { Server } from 'node:http';
import { BazaarError } from '../../manifests/errors.js';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.js';
import { createHttpServer } from '../edge/http-server.js';
import { bootstrapOperator } from '../tenants/bootstrap-operator.js';
import { buildDeps, closeDeps, openDatabase, sandboxOptions, startDeps } from './build-deps.js';
import { createSandboxRuntime } from '../../runtime/index.js';
import type { Config } from '../foundation/config.js';
import type { AppDeps } from './deps.js';
import { createLogger, errorFields, type Logger } from '../foundation/logger.js';

export interface StartServerOptions {
  readonly logger?: Logger;
  /** Where the generated admin key is printed (once). Defaults to stdout. */
  readonly print?: (line: string) => void;
  /** Install SIGTERM/SIGINT handlers (default true; tests and embedders pass false). */
  readonly handleSignals?: boolean;
  /** How long in-flight requests may take to finish on shutdown. */
  readonly drainTimeoutMs?: number;
}

export interface RunningServer {
  readonly server: Server;
  readonly url: string;
  readonly deps: AppDeps;
  /** Stop gracefully; safe to call more than once. */
  close(): Promise<void>;
}

/** Start a host process on `config.port` (0: any free port). */
export async function startServer(config: Config, options: StartServerOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const print = options.print ?? ((line: string) => void process.stdout.write(line + '\n'));
  const db = await openDatabase(config, { logger });
  // The sandbox's worker processes belong to this process; closeDeps (on shutdown) stops them.
  const runtime = createSandboxRuntime(sandboxOptions(config));
  const deps = buildDeps({ config, db, logger, runtime });
  let server: Server | undefined;
  try {
    // Redis may come up later: the host starts anyway, /readyz says so, and limits recover by themselves.
    if (!(await deps.limits.ready())) logger.warn({}, 'Redis is not reachable yet; executions answer 503 until it is');
    await startDeps(deps);
    server = createHttpServer(createApp(deps).callback(), config.edge);
    // Listen before the bootstrap, so a busy port stops the start before a new admin key is printed.
    await listen(server, config);
    const { generatedKey } = await bootstrapOperator(deps);
    if (generatedKey !== null) {
      print(`Bazaar operator admin key (shown once; store it now): ${generatedKey}`);
    }
  } catch (err) {
    if (server?.listening) await new Promise((resolve) => server!.close(resolve));
    await closeDeps(deps);
    throw err;
  }

  const { port } = server.address() as AddressInfo;
  const url = `http://${urlHost(config.bindAddress)}:${port}`;
  logger.info({ port, database: config.databaseUrl === null ? 'embedded' : 'postgres' }, 'bazaar host listening');

  let closing: Promise<void> | undefined;
  const listening = server;
  const close = () => (closing ??= shutdown(listening, deps, logger, options.drainTimeoutMs ?? 10_000));
  if (options.handleSignals ?? true) {
    const onSignal = (signal: NodeJS.Signals) => {
      logger.info({ signal }, 'shutting down');
      close().then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error(errorFields(err), 'shutdown failed');
          process.exit(1);
        },
      );
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  }
  return { server, url, deps, close };
}

/** Where a client on this machine reaches the host. */
function urlHost(bindAddress: string | null): string {
  if (bindAddress === null || bindAddress === '0.0.0.0' || bindAddress === '::') return '127.0.0.1';
  return bindAddress.includes(':') ? `[${bindAddress}]` : bindAddress;
}

/** Listen on the configured address; a port in use or not allowed is a one-line error, not a stack trace. */
async function listen(server: Server, config: Pick<Config, 'port' | 'bindAddress'>): Promise<void> {
  const where = `${config.bindAddress ?? 'every interface'}, port ${config.port}`;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') reject(new BazaarError('invalid_request', `Cannot listen on ${where}: the port is in use (set PORT to another one).`));
      else if (err.code === 'EACCES') reject(new BazaarError('invalid_request', `Cannot listen on ${where}: not allowed (ports below 1024 need privileges).`));
      else if (err.code === 'EADDRNOTAVAIL') reject(new BazaarError('invalid_request', `Cannot listen on ${where}: no such address here (BAZAAR_BIND_ADDRESS).`));
      else reject(err);
    });
    server.listen(config.port, config.bindAddress ?? undefined, () => resolve());
  });
}

async function shutdown(server: Server, deps: AppDeps, logger: Logger, drainTimeoutMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // Idle keep-alive sockets would hold close() open; busy ones get the drain window.
  server.closeIdleConnections();
  const timer = setTimeout(() => {
    logger.warn({ drainTimeoutMs }, 'requests still running at the drain deadline; closing their connections');
    server.closeAllConnections();
  }, drainTimeoutMs);
  timer.unref();
  await closed;
  clearTimeout(timer);
  await closeDeps(deps);
  logger.info({}, 'stopped');
}
