/**
 * The supervisor: several sandbox worker processes (one per CPU by default, so
 * isolates run on every core), installs routed sticky to one of them (so their
 * warm isolate is found again), executions of one install run one after the
 * other, executions of different installs run concurrently.
 */
import { availableParallelism } from 'node:os';
import { BazaarError } from '../manifests/errors.js';
import { decodeEnvelope, decodeLogs } from './result-envelope.js';
import type {
  ExecutionRequest,
  ExecutionResult,
  SandboxRuntime,
  SandboxRuntimeOptions,
  SandboxStats,
} from './types.js';
import { WorkerProcess } from './worker-process.js';
import type { ResultMessage } from './worker-protocol.js';

/** How long close() waits for in-flight executions before killing the workers. */
const DRAIN_MS = 5000;

export class SandboxPool implements SandboxRuntime {
  readonly #workers: WorkerProcess[];
  readonly #testHooks: boolean;
  /** installId → worker index; kept until eviction so an install keeps meeting its warm isolate. */
  readonly #routes = new Map<string, number>();
  readonly #assigned: number[];
  /** installId → tail of its execution chain. */
  readonly #tails = new Map<string, Promise<unknown>>();
  /** Executions accepted and not yet answered: close() drains them. */
  readonly #accepted = new Set<Promise<unknown>>();
  #closing: Promise<void> | undefined;

  constructor(options: SandboxRuntimeOptions = {}) {
    const count = Math.max(1, options.workers ?? availableParallelism());
    this.#testHooks = options.testHooks ?? false;
    const settings = {
      memoryBudgetMb: options.memoryBudgetMb ?? 512,
      maxWarmInstances: options.maxWarmInstances ?? 500,
      maxExecutionsPerInstance: options.maxExecutionsPerInstance ?? 1000,
      spareIsolates: options.spareIsolates ?? 2,
      defaultMemoryMb: options.defaultMemoryMb ?? 32,
      rssLimitMb: options.workerRssLimitMb ?? 2048,
      testHooks: this.#testHooks,
    };
    this.#workers = Array.from(
      { length: count },
      () => new WorkerProcess({ settings, heapMb: options.workerHeapMb ?? 256, graceMs: options.watchdogGraceMs ?? 1000 }),
    );
    this.#assigned = this.#workers.map(() => 0);
  }

  /** Resolves when every worker has started (executions wait for this on their own). */
  async ready(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.ready()));
  }

  #route(installId: string): WorkerProcess {
    let index = this.#routes.get(installId);
    if (index === undefined) {
      // Fewest installs first: spreads warm isolates (and their memory) evenly.
      index = this.#assigned.indexOf(Math.min(...this.#assigned));
      this.#assigned[index] = (this.#assigned[index] ?? 0) + 1;
      this.#routes.set(installId, index);
    }
    return this.#workers[index] as WorkerProcess;
  }

  async execute(request: ExecutionRequest): Promise<ExecutionResult> {
    if (this.#closing !== undefined) throw new BazaarError('internal_error', 'The sandbox runtime is closed.');
    const worker = this.#route(request.installId);
    const previous = this.#tails.get(request.installId) ?? Promise.resolve();
    const run = previous.then(() => worker.execute(request));
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.#tails.set(request.installId, tail);
    this.#accepted.add(tail);
    void tail.then(() => {
      this.#accepted.delete(tail);
      if (this.#tails.get(request.installId) === tail) this.#tails.delete(request.installId);
    });
    return toExecutionResult(await run);
  }

  async evict(installId: string): Promise<void> {
    const index = this.#routes.get(installId);
    if (index === undefined) return;
    await this.#tails.get(installId);
    this.#workers[index]?.evict(installId);
    this.#routes.delete(installId);
    this.#assigned[index] = Math.max(0, (this.#assigned[index] ?? 1) - 1);
  }

  async stats(): Promise<SandboxStats> {
    const per = await Promise.all(this.#workers.map(async (w) => ({ pid: w.pid, ...(await w.stats()) })));
    const perWorker = per.map(({ pid, warmInstances, spareIsolates, evictions, inFlight, isolateMemoryBytes, rssBytes }) => ({
      pid, warmInstances, spareIsolates, evictions, inFlight, isolateMemoryBytes, rssBytes,
    }));
    const sum = (pick: (w: (typeof perWorker)[number]) => number): number => perWorker.reduce((n, w) => n + pick(w), 0);
    return {
      workers: this.#workers.length,
      warmInstances: sum((w) => w.warmInstances),
      evictions: sum((w) => w.evictions),
      restarts: this.#workers.reduce((n, w) => n + w.restarts, 0),
      memoryBytes: sum((w) => w.isolateMemoryBytes),
      perWorker,
    };
  }

  close(): Promise<void> {
    this.#closing ??= this.#drainAndStop();
    return this.#closing;
  }

  async #drainAndStop(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, DRAIN_MS);
    });
    await Promise.race([Promise.allSettled([...this.#accepted]), deadline]);
    clearTimeout(timer);
    // Whatever is still running past the drain period is answered sandbox_crashed by the kill.
    await Promise.all(this.#workers.map((w) => w.close(0)));
  }

  /** Pid of the worker process an install is routed to (for operators and tests). */
  workerPidOf(installId: string): number {
    return this.#route(installId).pid;
  }

  /** Test hook: makes the install's worker unresponsive, as uninterruptible native work would. */
  blockWorkerOf(installId: string, ms: number): void {
    if (!this.#testHooks) throw new Error('blockWorkerOf needs options.testHooks');
    this.#route(installId).block(ms);
  }
}

function toExecutionResult(message: ResultMessage): ExecutionResult {
  const [cpuMs, wallMs, memoryBytes] = message.usage;
  const usage = { cpuMs: round(cpuMs), wallMs: round(wallMs), memoryBytes };
  if (message.envelope !== undefined) {
    const decoded = decodeEnvelope(message.envelope);
    if (decoded.ok) return { status: 'succeeded', output: decoded.output, logs: decoded.logs, usage };
    const { code, message: text, logs } = decoded;
    return { status: 'failed', output: null, logs, usage, error: { code, message: text } };
  }
  const error = message.error ?? { code: 'sandbox_crashed', message: 'The sandbox gave no answer.' };
  return { status: 'failed', output: null, logs: decodeLogs(message.logs), usage, error };
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
