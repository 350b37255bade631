/**
 * Parent-side handle of one sandbox worker process: forks it, tracks the
 * executions in flight on it, answers host calls, and restarts it when it dies.
 * A worker runs every execution it is sent at once (the parent's scheduler
 * decides what is sent), so a dying worker fails only what was running in it.
 *
 * The deadline watchdog here is the last line of defence: if a worker has not
 * answered an execution by its deadline plus a grace period (work V8 could not
 * interrupt, a wedged event loop), the whole process is killed. Whatever was
 * in flight on it is answered then — `execution_timeout` for the executions past
 * their deadline, `sandbox_crashed` for the bystanders — and a fresh worker starts.
 */
import { fork, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { workerCrashFailure } from './engine-errors.js';
import { callHost } from './host-bridge.js';
import { type BatchMessage, eachMessage, IpcOutbox } from './ipc-outbox.js';
import type { ExecutionRequest } from './types.js';
import {
  BRIDGE_FETCH,
  BRIDGE_KV,
  LOGS_TRUNCATED_LINE,
  noUsage,
  WORKER_SETTINGS_ENV,
  type ExecMessage,
  type ParentMessage,
  type ResultMessage,
  type StatsMessage,
  type WorkerMessage,
  type WorkerSettings,
} from './sandbox-contract.js';

const WORKER_ENTRY = fileURLToPath(new URL('./sandbox-worker.js', import.meta.url));

export interface WorkerProcessOptions {
  readonly settings: WorkerSettings;
  readonly heapMb: number;
  readonly graceMs: number;
  /** OS scheduling priority (nice value) of the process; 0 = the host's own. */
  readonly niceness: number;
  /** Fork only when the first execution (or `ready()`) needs the process, not at construction. */
  readonly startOnDemand?: boolean;
}

/** An execution sent to the worker; settled exactly once, by a result or by the worker's death. */
interface InFlight {
  readonly request: ExecutionRequest;
  readonly message: ExecMessage;
  readonly resolve: (result: ResultMessage) => void;
  readonly timer: NodeJS.Timeout;
  timedOut: boolean;
  /** Log lines the worker sent while the execution ran long: its answer if the worker dies. */
  readonly logs: string[];
  logsTruncated: boolean;
}

export class WorkerProcess {
  readonly #options: WorkerProcessOptions;
  #child: ChildProcess | undefined;
  #ready: Promise<void> = Promise.resolve();
  readonly #inFlight = new Map<string, InFlight>();
  /** Packages this incarnation has received; emptied when it dies. */
  readonly #codeSent = new Set<string>();
  readonly #statsWaiters = new Map<number, (stats: StatsMessage) => void>();
  #statsSeq = 0;
  #closed = false;
  /** Whether a first incarnation was forked (on demand, it may not be yet). */
  #started = false;
  readonly #outbox = new IpcOutbox<ParentMessage>((message) => {
    const child = this.#child;
    if (child?.connected) child.send(message);
  });
  restarts = 0;

  constructor(options: WorkerProcessOptions) {
    this.#options = options;
    if (options.startOnDemand !== true) this.#start();
  }

  /** Forks the first incarnation if nothing has yet (restarts after a death are #onExit's). */
  #ensureStarted(): void {
    if (!this.#started && !this.#closed) this.#start();
  }

  get pid(): number {
    return this.#child?.pid ?? 0;
  }

  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** Resolves once the current incarnation has started and said so. */
  ready(): Promise<void> {
    this.#ensureStarted();
    return this.#ready;
  }

  #start(): void {
    this.#started = true;
    const execArgv = ['--no-node-snapshot', `--max-old-space-size=${this.#options.heapMb}`];
    const spawnOptions = {
      env: workerEnvironment(this.#options.settings),
      serialization: 'json',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    } satisfies SpawnOptions;
    // A niced worker starts under nice(1), so every thread it will have (isolated-vm's included) inherits the priority.
    const child =
      this.#options.niceness > 0
        ? spawn('nice', ['-n', String(this.#options.niceness), process.execPath, ...execArgv, WORKER_ENTRY], spawnOptions)
        : fork(WORKER_ENTRY, [], { ...spawnOptions, execArgv });
    this.#child = child;
    this.#codeSent.clear();
    this.#outbox.clear(); // messages to the previous incarnation: their executions were answered when it died
    this.#ready = new Promise<void>((resolve) => {
      const onReady = (received: WorkerMessage | BatchMessage<WorkerMessage>): void => {
        eachMessage(received, (msg) => {
          if (msg.t === 'ready') {
            child.off('message', onReady);
            resolve();
          }
        });
      };
      child.on('message', onReady);
      child.once('exit', () => resolve());
    });
    child.on('message', (received: WorkerMessage | BatchMessage<WorkerMessage>) => eachMessage(received, (msg) => this.#onMessage(msg)));
    child.on('error', () => undefined); // 'exit' follows and does the work
    child.once('exit', (code, signal) => this.#onExit(child, code, signal));
  }

  #onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.#child !== child) return;
    this.#child = undefined;
    if (!this.#closed) {
      process.stderr.write(`[sandbox] worker ${child.pid} exited (code ${code}, signal ${signal}) with ${this.#inFlight.size} execution(s) in flight; restarting\n`);
    }
    for (const [id, flight] of this.#inFlight) {
      // Past its own deadline too (the worker was killed for another one, or stalled for all): a timeout, not a crash.
      const error = workerCrashFailure(flight.timedOut || Date.now() >= flight.message.deadline, flight.request.limits.timeoutMs);
      const logs = JSON.stringify(flight.logsTruncated ? [...flight.logs, LOGS_TRUNCATED_LINE] : flight.logs);
      this.#settle(id, { t: 'result', id, error, logs, usage: noUsage() });
    }
    for (const waiter of this.#statsWaiters.values()) waiter(emptyStats(0));
    this.#statsWaiters.clear();
    if (!this.#closed) {
      this.restarts++;
      this.#start();
    }
  }

  /** Coalesced per turn of the event loop (ipc-outbox.ts). */
  #send(message: ParentMessage): void {
    this.#outbox.send(message);
  }

  #settle(id: string, result: ResultMessage): void {
    const flight = this.#inFlight.get(id);
    if (flight === undefined) return;
    clearTimeout(flight.timer);
    this.#inFlight.delete(id);
    flight.resolve(result);
  }

  #onMessage(msg: WorkerMessage): void {
    switch (msg.t) {
      case 'result':
        this.#settle(msg.id, msg);
        break;
      case 'logs': {
        const flight = this.#inFlight.get(msg.id);
        if (flight === undefined) break;
        // The isolate bounds them already; this bound holds even against a worker gone wrong.
        const room = Math.max(0, flight.request.limits.maxLogLines - flight.logs.length);
        for (const line of msg.lines.slice(0, room)) if (typeof line === 'string') flight.logs.push(line);
        flight.logsTruncated ||= msg.truncated === true || msg.lines.length > room;
        break;
      }
      case 'need-code': {
        const flight = this.#inFlight.get(msg.id);
        if (flight === undefined) break;
        const { main, files } = flight.request.code;
        this.#codeSent.add(flight.request.code.sha256);
        this.#send({ ...flight.message, code: { main, files: { ...files } } });
        break;
      }
      case 'bridge': {
        const flight = this.#inFlight.get(msg.id);
        if (flight === undefined) break;
        void callHost(flight.request.bridge, msg.op, msg.args).then(({ ok, value }) => {
          if (this.#inFlight.has(msg.id)) this.#send({ t: 'bridge-reply', id: msg.id, call: msg.call, ok, value });
        });
        break;
      }
      case 'stats':
        this.#statsWaiters.get(msg.seq)?.(msg);
        this.#statsWaiters.delete(msg.seq);
        break;
      case 'ready':
        break;
    }
  }

  /** Runs one execution on this worker by `deadline` (epoch ms); resolves with the worker's answer or with its death. */
  async execute(request: ExecutionRequest, deadline: number): Promise<ResultMessage> {
    this.#ensureStarted();
    await this.#ready;
    const { code, limits, bridge } = request;
    const message: ExecMessage = {
      t: 'exec',
      id: request.executionId,
      install: request.installId,
      sha: code.sha256,
      action: request.action,
      input: JSON.stringify(request.input ?? null),
      config: JSON.stringify(request.config ?? null),
      // Copied field by field: exactly the limits, whatever else the caller's object carries.
      limits: {
        cpuMs: limits.cpuMs,
        timeoutMs: limits.timeoutMs,
        memoryMb: limits.memoryMb,
        maxOutputBytes: limits.maxOutputBytes,
        maxLogLines: limits.maxLogLines,
        maxLogBytes: limits.maxLogBytes,
      },
      deadline,
      bridge: (bridge?.kv !== undefined ? BRIDGE_KV : 0) | (bridge?.fetch !== undefined ? BRIDGE_FETCH : 0),
    };
    // The package rides along only when this incarnation has not had it; the kept message never
    // holds it (a need-code answer re-adds it), and the warm path sends the message as built.
    const withCode = !this.#codeSent.has(code.sha256);
    if (withCode) this.#codeSent.add(code.sha256);
    return new Promise<ResultMessage>((resolve) => {
      const timer = setTimeout(() => {
        const flight = this.#inFlight.get(request.executionId);
        if (flight === undefined) return;
        flight.timedOut = true;
        this.kill();
      }, Math.max(0, deadline - Date.now()) + this.#options.graceMs);
      this.#inFlight.set(request.executionId, { request, message, resolve, timer, timedOut: false, logs: [], logsTruncated: false });
      if (this.#child === undefined) {
        this.#settle(request.executionId, { t: 'result', id: request.executionId, error: workerCrashFailure(false, 0), usage: noUsage() });
        return;
      }
      this.#send(withCode ? { ...message, code: { main: code.main, files: { ...code.files } } } : message);
    });
  }

  evict(installId: string): void {
    if (!this.#started) return; // nothing is warm in a process that never ran
    this.#send({ t: 'evict', install: installId });
  }

  /** Test hook (options.testHooks): make the worker's event loop unresponsive for `ms`. */
  block(ms: number): void {
    this.#ensureStarted();
    this.#send({ t: 'block', ms });
  }

  async stats(): Promise<StatsMessage> {
    if (!this.#started) return emptyStats(0);
    await this.#ready;
    if (this.#child === undefined) return emptyStats(0);
    const seq = ++this.#statsSeq;
    return new Promise<StatsMessage>((resolve) => {
      this.#statsWaiters.set(seq, resolve);
      this.#send({ t: 'stats', seq });
    });
  }

  /** Kills the current incarnation; it is restarted unless closing. */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    this.#child?.kill(signal);
  }

  /** Waits (bounded) for in-flight executions, then stops the process for good. */
  async close(drainMs: number): Promise<void> {
    const deadline = Date.now() + drainMs;
    while (this.#inFlight.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    this.#closed = true;
    const child = this.#child;
    if (child === undefined) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }
}

/**
 * The environment of a process that runs untrusted code: what Node needs to
 * start and the worker's own settings, nothing of the host's (database and
 * Redis URLs, the admin key and any other secret stay in the parent).
 */
function workerEnvironment(settings: WorkerSettings): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { [WORKER_SETTINGS_ENV]: JSON.stringify(settings) };
  for (const name of ['PATH', 'TZ', 'LANG', 'NODE_ENV']) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

function emptyStats(seq: number): StatsMessage {
  return { t: 'stats', seq, warmInstances: 0, spareIsolates: 0, evictions: 0, inFlight: 0, isolateMemoryBytes: 0, rssBytes: 0 };
}
