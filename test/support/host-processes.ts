/**
 * Real host processes for tests that need more than one: each one is
 * `node --no-node-snapshot dist/host/cli/main.js serve`, configured by its
 * environment exactly as an operator would, so a test sees what a load
 * balancer in front of N stateless hosts sees (docs/http-api.md "Operations").
 *
 * - The port is the one the host reports in its "bazaar host listening" log
 *   line (PORT=0): no race between picking a free port and binding it.
 * - `start()` waits for `/readyz` to answer 200 (bounded), so a test starts on
 *   hosts that can serve.
 * - `kill()` is SIGKILL (a crash: nothing flushed), `stop()` SIGTERM (the
 *   graceful shutdown of server.ts), `restart()` starts the same
 *   configuration again.
 * - Output (stdout: the JSON log; stderr) is kept, last lines only, for the
 *   failure messages: a host that dies says why.
 * - Every child still running when the test process exits is SIGKILLed, so a
 *   crashed suite leaves no host behind.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

/** The compiled CLI, next to this file's compiled form (dist/test/support → dist/host/cli). */
const CLI = fileURLToPath(new URL('../../host/cli/main.js', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** How many output lines a host keeps for diagnostics. */
const KEPT_LINES = 200;

/** Children of this test process, killed on exit whatever happened to the suite's hooks. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** Variables the children must not inherit from the test process: each host gets exactly its own. */
const OWN_SETTINGS = /^(PORT|DATABASE_URL|REDIS_URL|BAZAAR_.*)$/;

export interface HostProcessOptions {
  /** A name for messages (`host-a`). */
  readonly name: string;
  /** The host's configuration: DATABASE_URL, REDIS_URL, BAZAAR_ADMIN_KEY, … (PORT is set here, and the log level to info or debug). */
  readonly env: Readonly<Record<string, string>>;
  /** How long start-up (listening + ready) may take; default 90 s (a loaded 2-core machine). */
  readonly startTimeoutMs?: number;
}

export class HostProcess {
  readonly name: string;
  readonly #env: Readonly<Record<string, string>>;
  readonly #startTimeoutMs: number;
  readonly #lines: string[] = [];
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  #port = 0;

  constructor(options: HostProcessOptions) {
    this.name = options.name;
    this.#env = options.env;
    this.#startTimeoutMs = options.startTimeoutMs ?? 90_000;
  }

  /** `http://127.0.0.1:<port>` of the current run. */
  get url(): string {
    if (this.#port === 0) throw new Error(`${this.name} has not started`);
    return `http://127.0.0.1:${this.#port}`;
  }

  get running(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** The last lines the host wrote (both streams), for assertion messages. */
  output(): string {
    return this.#lines.join('\n');
  }

  /** Spawn the host, wait for its port, then for `/readyz` to answer 200. */
  async start(): Promise<void> {
    if (this.running) throw new Error(`${this.name} is already running`);
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !OWN_SETTINGS.test(k)));
    const child = spawn(process.execPath, ['--no-node-snapshot', CLI, 'serve'], {
      cwd: REPO_ROOT,
      // PORT=0: the host picks a free port and says which in its "listening" line, logged at info.
      env: { ...inherited, ...this.#env, PORT: '0', BAZAAR_LOG_LEVEL: this.#env.BAZAAR_LOG_LEVEL === 'debug' ? 'debug' : 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child = child;
    live.add(child);
    child.on('error', (err) => this.#keep(`--- ${this.name} could not be spawned: ${err.message} ---`));
    this.#port = 0;
    this.#keep(`--- ${this.name} started (pid ${child.pid ?? '?'}) ---`);
    this.#exited = once(child, 'exit').then(([code, signal]) => {
      live.delete(child);
      this.#keep(`--- ${this.name} exited (code ${String(code)}, signal ${String(signal)}) ---`);
    });
    const listening = new Promise<number>((resolve) => {
      createInterface({ input: child.stdout! }).on('line', (line) => {
        this.#keep(line);
        const port = listeningPort(line);
        if (port !== null) resolve(port);
      });
    });
    createInterface({ input: child.stderr! }).on('line', (line) => this.#keep(`[stderr] ${line}`));

    const deadline = Date.now() + this.#startTimeoutMs;
    const died = this.#exited.then(() => {
      throw new Error(`${this.name} exited during start-up:\n${this.output()}`);
    });
    const timedOut = sleep(this.#startTimeoutMs, undefined, { ref: false }).then(() => {
      throw new Error(`${this.name} did not listen within ${this.#startTimeoutMs} ms:\n${this.output()}`);
    });
    try {
      this.#port = await Promise.race([listening, died, timedOut]);
      await Promise.race([this.#waitReady(deadline), died]);
    } catch (err) {
      await this.kill();
      throw err;
    } finally {
      died.catch(() => undefined); // settled later, on exit: not an unhandled rejection
      timedOut.catch(() => undefined);
    }
  }

  /** SIGKILL: the host dies at once, mid-request, flushing nothing. Resolves when it has exited. */
  async kill(): Promise<void> {
    if (this.running) this.#child!.kill('SIGKILL');
    await this.#exited;
  }

  /** SIGTERM (graceful shutdown), then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    if (!this.running) return this.#exited;
    this.#child!.kill('SIGTERM');
    const exited = await Promise.race([this.#exited.then(() => true), sleep(graceMs, false, { ref: false })]);
    if (!exited) {
      this.#keep(`--- ${this.name} ignored SIGTERM for ${graceMs} ms; killing ---`);
      await this.kill();
    }
  }

  /** Start the same configuration again (after `kill()` or `stop()`), on a new port. */
  async restart(): Promise<void> {
    await this.kill();
    await this.start();
  }

  /** Poll `/readyz` until 200 or the deadline (the host answers 503 while a dependency is down). */
  async #waitReady(deadline: number): Promise<void> {
    let last = 'no answer';
    while (Date.now() < deadline) {
      try {
        const res = await fetch(`${this.url}/readyz`, { signal: AbortSignal.timeout(5_000) });
        if (res.status === 200) return;
        last = `${res.status} ${await res.text()}`;
      } catch (err) {
        last = (err as Error).message;
      }
      await sleep(200);
    }
    throw new Error(`${this.name} was not ready in time (last /readyz: ${last}):\n${this.output()}`);
  }

  #keep(line: string): void {
    this.#lines.push(line);
    if (this.#lines.length > KEPT_LINES) this.#lines.splice(0, this.#lines.length - KEPT_LINES);
  }
}

/** The port of the host's "bazaar host listening" JSON log line, or null for any other line. */
function listeningPort(line: string): number | null {
  if (!line.includes('bazaar host listening')) return null;
  try {
    const port = (JSON.parse(line) as { port?: unknown }).port;
    return typeof port === 'number' && port > 0 ? port : null;
  } catch {
    return null;
  }
}

/**
 * Start `count` hosts at once (as a deployment rolls out: they race to migrate
 * the fresh database, which migrateLatest must survive). If one fails, the
 * others are killed and the error is thrown.
 */
export async function startHosts(count: number, envFor: (index: number) => Readonly<Record<string, string>>): Promise<HostProcess[]> {
  const names = 'abcdefghijklmnopqrstuvwxyz';
  const hosts = Array.from({ length: count }, (_, i) => new HostProcess({ name: `host-${names[i] ?? String(i)}`, env: envFor(i) }));
  const started = await Promise.allSettled(hosts.map((h) => h.start()));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed !== undefined) {
    await stopHosts(hosts);
    throw failed.reason;
  }
  return hosts;
}

/** Stop every host gracefully (SIGKILL after the grace period). Never throws. */
export async function stopHosts(hosts: readonly HostProcess[]): Promise<void> {
  await Promise.allSettled(hosts.map((h) => h.stop()));
}
