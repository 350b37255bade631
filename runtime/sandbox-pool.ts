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
 * - CPU-heavy installs (their executions average `heavyCpuMs` of CPU or more,
 *   e.g. loops that run into their CPU limit) run in the heavy lane: worker
 *   processes at a lower OS priority. The kernel then gives a spinning
 *   tenant's threads the cores only when nothing else wants them, so its
 *   neighbours' short executions (and the host's event loop) keep their
 *   latency; the heavy ones still get all the CPU their limits allow.
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
import type { ResultMessage } from './sandbox-contract.js';

/** How long close() waits for in-flight executions before killing the workers. */
const DRAIN_MS = 5000;
/** An execution leaves its install's home worker when that one has this many more in flight than the least busy. */
const SPILL_MARGIN = 4;
/** Executions without a tenant share one queue. */
const ANONYMOUS = { id: '', weight: 1 };
/** Weight of the latest execution in an install's CPU cost average. */
const COST_SMOOTHING = 0.3;
/** Share of its CPU limit past which a timed-out execution counts as having run into it. */
const CPU_LIMIT_REACHED = 0.9;
/** Installs whose cost is tracked at most; the oldest are forgotten (and start light again). */
const MAX_TRACKED_INSTALLS = 100_000;

export class SandboxPool implements SandboxRuntime {
  readonly #workers: WorkerProcess[];
  /** The heavy lane: niced workers for CPU-heavy installs (may be empty). */
  readonly #heavyWorkers: WorkerProcess[];
  /** Both lanes, for what concerns every worker (readiness, eviction, stats, close). */
  readonly #everyWorker: WorkerProcess[];
  readonly #heavyCpuMs: number;
  /** installId → average CPU ms of its recent executions. */
  readonly #cost = new Map<string, number>();
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
    const worker = (niceness: number): WorkerProcess =>
      new WorkerProcess({ settings, heapMb: options.workerHeapMb ?? 256, graceMs: options.watchdogGraceMs ?? 1000, niceness, startOnDemand: options.startOnDemand ?? false });
    this.#workers = Array.from({ length: count }, () => worker(0));
    this.#heavyWorkers = Array.from({ length: Math.max(0, options.heavyWorkers ?? 1) }, () => worker(options.heavyNiceness ?? 10));
    this.#everyWorker = [...this.#workers, ...this.#heavyWorkers];
    this.#heavyCpuMs = options.heavyCpuMs ?? 20;
    this.#assigned = this.#workers.map(() => 0);
    this.#scheduler = new FairScheduler({
      capacity: Math.max(1, options.maxRunning ?? count * 64),
      maxWaitMs: options.maxQueueWaitMs ?? 1000,
    });
  }

  /** Resolves when every worker has started (executions wait for this on their own). */
  async ready(): Promise<void> {
    await Promise.all(this.#everyWorker.map((w) => w.ready()));
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

  /**
   * A CPU-heavy install, or background work, goes to the least busy heavy
   * worker; any other to its home worker, unless that one is markedly busier
   * than the least busy one.
   */
  #pick({ installId, background }: ExecutionRequest): WorkerProcess {
    const heavy = background === true || (this.#cost.get(installId) ?? 0) >= this.#heavyCpuMs;
    if (heavy && this.#heavyWorkers.length > 0) return leastBusy(this.#heavyWorkers);
    const home = this.#workers[this.#home(installId)] as WorkerProcess;
    const least = leastBusy(this.#workers);
    return home.inFlight - least.inFlight >= SPILL_MARGIN ? least : home;
  }

  /**
   * Folds an execution's CPU time into its install's average (the lane of its
   * next executions). The average starts at 0, so one costly cold start does
   * not move an install; running into the CPU limit does, at once.
   */
  #observe(request: ExecutionRequest, result: ExecutionResult): void {
    const { installId } = request;
    const cpuMs = result.usage.cpuMs;
    const previous = this.#cost.get(installId) ?? 0;
    const ranOutOfCpu = result.error?.code === 'execution_timeout' && cpuMs >= request.limits.cpuMs * CPU_LIMIT_REACHED;
    this.#cost.delete(installId); // re-inserted last: the map's order is recency
    this.#cost.set(installId, Math.max(previous + COST_SMOOTHING * (cpuMs - previous), ranOutOfCpu ? this.#heavyCpuMs : 0));
    if (this.#cost.size > MAX_TRACKED_INSTALLS) this.#cost.delete(this.#cost.keys().next().value as string);
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
    // Without a caller's deadline the clock starts here, once the workers are up (start-up is not the plugin's time).
    if (request.deadline === undefined) await this.ready();
    const deadline = request.deadline ?? Date.now() + request.limits.timeoutMs;
    const tenant = request.tenant ?? ANONYMOUS;
    // Refused here (concurrency_limited) when it cannot start in time: it never ran, so it is no execution.
    await this.#scheduler.acquire({ tenantId: tenant.id, weight: tenant.weight, deadline, timeoutMs: request.limits.timeoutMs });
    try {
      const result = toExecutionResult(await this.#pick(request).execute(request, deadline));
      this.#observe(request, result);
      return result;
    } finally {
      this.#scheduler.release();
    }
  }

  /** Drops the install's warm instances on every worker; executions running on them finish first. */
  async evict(installId: string): Promise<void> {
    for (const worker of this.#everyWorker) worker.evict(installId);
    this.#cost.delete(installId);
    const index = this.#homes.get(installId);
    if (index === undefined) return;
    this.#homes.delete(installId);
    this.#assigned[index] = Math.max(0, (this.#assigned[index] ?? 1) - 1);
  }

  async stats(): Promise<SandboxStats> {
    // In flight as the parent counts it: sent and not answered yet (the worker counts only what has an isolate).
    const per = await Promise.all(
      this.#everyWorker.map(async (w) => ({ ...(await w.stats()), pid: w.pid, heavy: this.#heavyWorkers.includes(w), inFlight: w.inFlight })),
    );
    const perWorker = per.map(({ pid, heavy, warmInstances, spareIsolates, evictions, inFlight, isolateMemoryBytes, rssBytes }) => ({
      pid, heavy, warmInstances, spareIsolates, evictions, inFlight, isolateMemoryBytes, rssBytes,
    }));
    const sum = (pick: (w: (typeof perWorker)[number]) => number): number => perWorker.reduce((n, w) => n + pick(w), 0);
    return {
      workers: this.#workers.length + this.#heavyWorkers.length,
      warmInstances: sum((w) => w.warmInstances),
      evictions: sum((w) => w.evictions),
      restarts: this.#everyWorker.reduce((n, w) => n + w.restarts, 0),
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
    await Promise.all(this.#everyWorker.map((w) => w.close(0)));
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

function leastBusy(workers: readonly WorkerProcess[]): WorkerProcess {
  let least = workers[0] as WorkerProcess;
  for (const worker of workers) if (worker.inFlight < least.inFlight) least = worker;
  return least;
}

function toExecutionResult(message: ResultMessage): ExecutionResult {
  const { cpuMs, wallMs, memoryBytes } = message.usage;
  const usage = { cpuMs: round(cpuMs), wallMs: round(wallMs), memoryBytes };
  if (message.envelope !== undefined) {
    const decoded = decodeEnvelope(message.envelope);
    if (decoded.ok) return { status: 'succeeded', output: decoded.output, logs: decoded.logs, usage };
    const { code, message: text, stack, logs } = decoded;
    return { status: 'failed', output: null, logs, usage, error: { code, message: text, ...(stack !== undefined && { stack }) } };
  }
  const error = message.error ?? { code: 'sandbox_crashed', message: 'The sandbox gave no answer.' };
  return { status: 'failed', output: null, logs: decodeLogs(message.logs), usage, error };
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
