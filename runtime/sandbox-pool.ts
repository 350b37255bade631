/**
 * The supervisor: several sandbox worker processes (one per CPU by default),
 * each running isolates on isolated-vm's threads, so executions use every core.
 *
 * - Executions of one install run side by side, each on its own warm instance
 *   of that install (the worker keeps a pool per install that grows with demand
 *   and shrinks when idle). Installs have a home worker, so their warm
 *   instances are found again; an execution spills to the least busy worker
 *   when its home is markedly busier.
 * - At most `maxRunning` executions are in flight across the workers; past
 *   that, the fair scheduler hands freed slots to tenants by weight and refuses
 *   executions that cannot start while enough of their time is left.
 * - An execution's deadline is given by the caller (from its admission) and
 *   covers waiting here, starting an isolate and running; the worker stops it
 *   there, and the parent kills a worker that overruns it by the grace period.
 */
import { availableParallelism } from 'node:os';
import { BazaarError } from '../manifests/errors.js';
import { FairScheduler } from './fair-scheduler.js';
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
/** An execution leaves its install's home worker when that one has this many more in flight than the least busy. */
const SPILL_MARGIN = 4;
/** Executions without a tenant share one queue. */
const ANONYMOUS = { id: '', weight: 1 };

export class SandboxPool implements SandboxRuntime {
  readonly #workers: WorkerProcess[];
  readonly #testHooks: boolean;
  readonly #scheduler: FairScheduler;
  /** installId → home worker index; kept until eviction so an install keeps meeting its warm instances. */
  readonly #homes = new Map<string, number>();
  readonly #assigned: number[];
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
      idleInstanceMs: options.idleInstanceMs ?? 30_000,
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
    this.#scheduler = new FairScheduler({
      capacity: Math.max(1, options.maxRunning ?? count * 64),
      maxWaitMs: options.maxQueueWaitMs ?? 1000,
    });
  }

  /** Resolves when every worker has started (executions wait for this on their own). */
  async ready(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.ready()));
  }

  #home(installId: string): number {
    let index = this.#homes.get(installId);
    if (index === undefined) {
      // Fewest installs first: spreads warm instances (and their memory) evenly.
      index = this.#assigned.indexOf(Math.min(...this.#assigned));
      this.#assigned[index] = (this.#assigned[index] ?? 0) + 1;
      this.#homes.set(installId, index);
    }
    return index;
  }

  /** The install's home worker, unless it is markedly busier than the least busy one. */
  #pick(installId: string): WorkerProcess {
    const home = this.#workers[this.#home(installId)] as WorkerProcess;
    let least = home;
    for (const worker of this.#workers) if (worker.inFlight < least.inFlight) least = worker;
    return home.inFlight - least.inFlight >= SPILL_MARGIN ? least : home;
  }

  execute(request: ExecutionRequest): Promise<ExecutionResult> {
    if (this.#closing !== undefined) return Promise.reject(new BazaarError('internal_error', 'The sandbox runtime is closed.'));
    const run = this.#schedule(request);
    // Tracked from the call on, so close() drains an execution still waiting for its slot.
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.#accepted.add(settled);
    void settled.then(() => this.#accepted.delete(settled));
    return run;
  }

  async #schedule(request: ExecutionRequest): Promise<ExecutionResult> {
    const deadline = request.deadline ?? Date.now() + request.limits.timeoutMs;
    const tenant = request.tenant ?? ANONYMOUS;
    // Refused here (concurrency_limited) when it cannot start in time: it never ran, so it is no execution.
    await this.#scheduler.acquire({ tenantId: tenant.id, weight: tenant.weight, deadline, timeoutMs: request.limits.timeoutMs });
    try {
      return toExecutionResult(await this.#pick(request.installId).execute(request, deadline));
    } finally {
      this.#scheduler.release();
    }
  }

  /** Drops the install's warm instances on every worker; executions running on them finish first. */
  async evict(installId: string): Promise<void> {
    for (const worker of this.#workers) worker.evict(installId);
    const index = this.#homes.get(installId);
    if (index === undefined) return;
    this.#homes.delete(installId);
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
      running: this.#scheduler.running,
      waiting: this.#scheduler.waiting,
      refused: this.#scheduler.refused,
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
    this.#scheduler.refuseAll(new BazaarError('internal_error', 'The sandbox runtime is closed.'));
    await Promise.race([Promise.allSettled([...this.#accepted]), deadline]);
    clearTimeout(timer);
    // Whatever is still running past the drain period is answered sandbox_crashed by the kill.
    await Promise.all(this.#workers.map((w) => w.close(0)));
  }

  /** Pid of the worker process an install is routed to (for operators and tests). */
  workerPidOf(installId: string): number {
    return (this.#workers[this.#home(installId)] as WorkerProcess).pid;
  }

  /** Test hook: makes the install's worker unresponsive, as uninterruptible native work would. */
  blockWorkerOf(installId: string, ms: number): void {
    if (!this.#testHooks) throw new Error('blockWorkerOf needs options.testHooks');
    (this.#workers[this.#home(installId)] as WorkerProcess).block(ms);
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
