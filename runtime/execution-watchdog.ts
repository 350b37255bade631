/**
 * Watches one running execution from the worker's event loop (which stays
 * free: isolates run on their own threads) and trips on the first of:
 * - CPU time (`isolate.cpuTime`) over limits.cpuMs — catches loops in promise
 *   jobs and async continuations that isolated-vm's `timeout` does not cover;
 * - wall time over limits.timeoutMs — catches promises that never resolve and
 *   time spent awaiting host calls;
 * - heap + external (ArrayBuffer) memory over limits.memoryMb — isolated-vm's
 *   limit is soft, and external memory can overshoot it.
 * The owner reacts by disposing the isolate, which stops any running code.
 *
 * Memory samples are answered by the isolate at V8 interrupt points (calls into
 * the runtime); a tight loop that makes none leaves them pending, and is then
 * stopped by the CPU limit instead, while isolated-vm's allocator keeps its
 * external memory from growing meanwhile.
 *
 * Only asynchronous isolate APIs are used here: a *Sync call on a busy isolate
 * waits for its lock and would block the worker.
 */
import type ivm from 'isolated-vm';
import { isMemoryExhausted, type KillReason } from './engine-errors.js';

/** How often memory is sampled while an execution runs; short executions are never sampled. */
const MEMORY_POLL_MS = 20;

export interface WatchdogLimits {
  readonly cpuMs: number;
  readonly timeoutMs: number;
  readonly memoryMb: number;
}

export class ExecutionWatchdog {
  readonly #isolate: ivm.Isolate;
  readonly #limits: WatchdogLimits;
  readonly #onTrip: (reason: KillReason) => void;
  readonly #startedAt = performance.now();
  readonly #cpuStart: bigint;
  #timer: NodeJS.Timeout | undefined;
  #nextMemoryPoll: number;
  #stopped = false;
  #peakMemory = 0;
  /** Last CPU reading, kept for after the isolate is disposed (it cannot be read then). */
  #lastCpu = 0;

  constructor(isolate: ivm.Isolate, limits: WatchdogLimits, onTrip: (reason: KillReason) => void) {
    this.#isolate = isolate;
    this.#limits = limits;
    this.#onTrip = onTrip;
    this.#cpuStart = isolate.cpuTime;
    this.#nextMemoryPoll = MEMORY_POLL_MS;
    this.#schedule(Math.min(limits.cpuMs, limits.timeoutMs, MEMORY_POLL_MS));
  }

  get elapsedMs(): number {
    return performance.now() - this.#startedAt;
  }

  /** CPU time used since the start; safe after disposal (reads 0 growth then). */
  get cpuMs(): number {
    if (this.#stopped || this.#isolate.isDisposed) return this.#lastCpu;
    try {
      this.#lastCpu = Number(this.#isolate.cpuTime - this.#cpuStart) / 1e6;
    } catch {
      // disposed meanwhile: keep the last reading
    }
    return this.#lastCpu;
  }

  get peakMemoryBytes(): number {
    return this.#peakMemory;
  }

  stop(): void {
    if (this.#stopped) return;
    void this.cpuMs; // final reading while the isolate may still be alive
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
  }

  #schedule(ms: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => this.#check(), Math.max(1, Math.ceil(ms)));
  }

  #trip(reason: KillReason): void {
    if (this.#stopped) return;
    this.stop();
    this.#onTrip(reason);
  }

  #check(): void {
    if (this.#stopped || this.#isolate.isDisposed) return;
    const elapsed = this.elapsedMs;
    const cpu = this.cpuMs;
    if (cpu >= this.#limits.cpuMs) return this.#trip('cpu');
    if (elapsed >= this.#limits.timeoutMs) return this.#trip('wall');
    if (elapsed >= this.#nextMemoryPoll) {
      this.#nextMemoryPoll = elapsed + MEMORY_POLL_MS;
      this.#isolate.getHeapStatistics().then(
        (heap) => {
          const used = heap.used_heap_size + heap.externally_allocated_size;
          this.#peakMemory = Math.max(this.#peakMemory, used);
          if (isMemoryExhausted(used, this.#limits.memoryMb)) this.#trip('memory');
        },
        () => undefined, // disposed meanwhile: the execution reports why
      );
    }
    // CPU can grow at most as fast as wall time, so the CPU budget left is a safe wait.
    const wait = Math.min(this.#limits.cpuMs - cpu, this.#limits.timeoutMs - elapsed, this.#nextMemoryPoll - elapsed);
    this.#schedule(wait);
  }
}
