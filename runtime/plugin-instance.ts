/**
 * One warm sandbox of an install inside a worker: its own isolate and context,
 * its modules (linked lazily on the first execution, under that execution's
 * limits), and the bridge between the prelude's host calls and the parent.
 * An instance runs one execution at a time (the worker's instance cache hands
 * it to one execution and takes it back when that one ends; an install runs
 * executions side by side on several instances), so "the current execution"
 * is always well defined.
 */
import type ivm from 'isolated-vm';
import { isAllocationRefusal, isMemoryExhausted, translateEngineFailure, type KillReason } from './engine-errors.js';
import { envelopeHead } from './result-envelope.js';
import { ExecutionWatchdog } from './execution-watchdog.js';
import type { FreshSandbox } from './isolate-pool.js';
import { ModuleLoader } from './module-loader.js';
import { LOGS_TRUNCATED_LINE, type ExecMessage, type HostCall, type HostCallReply, type InvokeArgs, type ResultMessage } from './sandbox-contract.js';
import type { ExecutionUsage, PluginCode } from './types.js';

/** Sends a plugin's host call to the parent, tagged with its execution id. */
export type BridgeForwarder = (execId: string, call: HostCall) => void;

/** Sends the log lines an execution wrote since the last call to the parent. */
export type LogForwarder = (execId: string, lines: string[], truncated: boolean) => void;

/**
 * An execution still running this long after its first log line has its lines
 * sent on to the parent (then again each period that adds lines): they then
 * outlive a worker that dies. Shorter executions never pay for it; their logs
 * come with the result.
 */
const LOG_FORWARD_MS = 100;

/** The log lines of one execution as the prelude handed them over, for when its isolate cannot answer. */
interface LogCopy {
  readonly execId: string;
  readonly token: number;
  readonly lines: string[];
  truncated: boolean;
  /** Lines (and whether the truncation) already sent to the parent. */
  forwarded: number;
  forwardedTruncation: boolean;
  timer: NodeJS.Timeout | undefined;
}

interface Running {
  readonly execId: string;
  readonly token: number;
  readonly timeoutMs: number;
  readonly watchdog: ExecutionWatchdog;
  readonly abort: (reason: KillReason) => void;
  /** Host-call answers being delivered; their continuations belong to this execution. */
  readonly settling: Set<Promise<void>>;
}

type Outcome = { envelope: string } | { failure: unknown };

export class PluginInstance {
  readonly installId: string;
  readonly code: PluginCode;
  readonly #sandbox: FreshSandbox;
  readonly #loader: ModuleLoader;
  #linked = false;
  #running: Running | undefined;
  /** The current execution's copy of its logs; kept until its answer is built. */
  #logs: LogCopy | undefined;
  readonly #forwardLogs: LogForwarder;
  #token = 0;
  #killReason: KillReason | undefined;
  #executions = 0;
  /** Heap + external bytes after the last execution; drives the worker's LRU budget. */
  memoryBytes = 0;
  lastUsed = 0;

  constructor(installId: string, code: PluginCode, sandbox: FreshSandbox, forward: BridgeForwarder, forwardLogs: LogForwarder = () => undefined) {
    this.installId = installId;
    this.code = code;
    this.#sandbox = sandbox;
    this.#loader = new ModuleLoader(sandbox.isolate);
    // A fresh sandbox is idle: its baseline is what usage reports when an execution is stopped before any sample.
    this.#measureMemory();
    sandbox.sink = (call) => {
      // A late call from a finished execution carries a stale token and is dropped.
      if (this.#running !== undefined && this.#running.token === call.token) forward(this.#running.execId, call);
    };
    this.#forwardLogs = forwardLogs;
    sandbox.logSink = (token, line) => {
      const copy = this.#logs;
      if (copy === undefined || copy.token !== token) return; // a finished execution's line
      if (line === null) copy.truncated = true;
      else copy.lines.push(line);
      copy.timer ??= setTimeout(() => this.#forward(copy), LOG_FORWARD_MS);
    };
  }

  #forward(copy: LogCopy): void {
    copy.timer = undefined;
    if (this.#logs !== copy) return;
    if (copy.forwarded === copy.lines.length && copy.forwardedTruncation === copy.truncated) return;
    const lines = copy.lines.slice(copy.forwarded);
    copy.forwarded = copy.lines.length;
    copy.forwardedTruncation = copy.truncated;
    this.#forwardLogs(copy.execId, lines, copy.truncated);
    // Lines written meanwhile wait for the next round.
    copy.timer = setTimeout(() => this.#forward(copy), LOG_FORWARD_MS);
  }

  #endLogs(copy: LogCopy): void {
    clearTimeout(copy.timer);
    if (this.#logs === copy) this.#logs = undefined;
  }

  get memoryMb(): number {
    return this.#sandbox.memoryMb;
  }

  get executions(): number {
    return this.#executions;
  }

  get isRunning(): boolean {
    return this.#running !== undefined;
  }

  get isDisposed(): boolean {
    return this.#sandbox.isolate.isDisposed;
  }

  /** Runs one execution to an answer; never throws. */
  async execute(msg: ExecMessage): Promise<ResultMessage> {
    const { cpuMs, timeoutMs, memoryMb } = msg.limits;
    // The deadline runs from admission: time spent waiting for a slot or an isolate is already gone.
    const waitedMs = Math.max(0, timeoutMs - (msg.deadline - Date.now()));
    const wallMs = Math.max(1, timeoutMs - waitedMs);
    const token = ++this.#token;
    this.#executions++;
    this.lastUsed = Date.now();
    let abort: (reason: KillReason) => void = () => undefined;
    const aborted = new Promise<Outcome>((resolve) => {
      abort = (reason) => {
        this.dispose(reason);
        resolve({ failure: undefined });
      };
    });
    const watchdog = new ExecutionWatchdog(this.#sandbox.isolate, { cpuMs, timeoutMs: wallMs, memoryMb }, (reason) => abort(reason));
    const running: Running = { execId: msg.id, token, timeoutMs: wallMs, watchdog, abort, settling: new Set() };
    this.#running = running;
    const logCopy: LogCopy = { execId: msg.id, token, lines: [], truncated: false, forwarded: 0, forwardedTruncation: false, timer: undefined };
    this.#logs = logCopy;
    const work = this.#run(msg, token, wallMs).then(
      (envelope): Outcome => ({ envelope }),
      (failure: unknown): Outcome => ({ failure }),
    );
    let outcome = await Promise.race([work, aborted]);
    // Promise jobs left behind by the action still run in the same turn as the last host-call
    // answer: the execution is over only when they are, and they count against its limits.
    while ('envelope' in outcome && running.settling.size > 0) {
      const drained = Promise.all(running.settling).then(() => outcome);
      outcome = await Promise.race([drained, aborted]);
    }
    watchdog.stop();
    this.#running = undefined;
    // Peak memory: the watchdog's samples, the heap now if the isolate lives, else its last known size;
    // never 0 for code that ran, even when it was stopped before the first sample.
    const usage = (): ExecutionUsage => ({
      cpuMs: watchdog.cpuMs,
      wallMs: watchdog.elapsedMs,
      memoryBytes: Math.max(watchdog.peakMemoryBytes, this.#measureMemory(), this.memoryBytes),
    });
    if ('envelope' in outcome) {
      this.#endLogs(logCopy); // the envelope holds the logs
      const result: ResultMessage = { t: 'result', id: msg.id, envelope: outcome.envelope, usage: usage() };
      // An allocation refused at the limit surfaces in the plugin as a RangeError; report it as what it is.
      // Only a plugin_error can be one: the other kinds skip slicing the envelope.
      const head = outcome.envelope.startsWith('plugin_error\n') ? envelopeHead(outcome.envelope) : undefined;
      if (head?.kind === 'plugin_error' && (isMemoryExhausted(result.usage.memoryBytes, memoryMb) || isAllocationRefusal(outcome.envelope))) {
        this.dispose('memory');
        const state = { killReason: 'memory' as const, isDisposed: true, elapsedMs: 0, cpuMs, timeoutMs, memoryMb };
        const error = translateEngineFailure(undefined, state);
        return { t: 'result', id: msg.id, error, logs: head.logs, usage: atMemoryLimit(result.usage, memoryMb) };
      }
      return result;
    }

    const error = translateEngineFailure(outcome.failure, {
      killReason: this.#killReason,
      isDisposed: this.isDisposed,
      elapsedMs: waitedMs + watchdog.elapsedMs,
      peakMemoryBytes: Math.max(watchdog.peakMemoryBytes, this.memoryBytes),
      cpuMs,
      timeoutMs,
      memoryMb,
    });
    const logs = (await this.#recoverLogs()) ?? (await this.#copiedLogs(logCopy));
    this.#endLogs(logCopy);
    // After any engine failure the context may hold half-done state: recycle it.
    this.dispose(this.#killReason ?? 'evicted');
    const spent = error.code === 'memory_limit_exceeded' ? atMemoryLimit(usage(), memoryMb) : usage();
    return { t: 'result', id: msg.id, error, logs, usage: spent };
  }

  /** Delivers the parent's answer to a host call into the isolate, under the time left. */
  settle(execId: string, reply: HostCallReply): void {
    const running = this.#running;
    if (running === undefined || running.execId !== execId) return; // late answer: dropped on purpose
    const left = Math.max(1, Math.floor(running.timeoutMs - running.watchdog.elapsedMs));
    const delivery = this.#sandbox.settle
      .apply(undefined, [reply], { arguments: { copy: true }, timeout: left })
      .then(
        () => undefined,
        // The continuation ran out of time (or the isolate died): the execution is over.
        () => running.abort(this.isDisposed && this.#killReason === undefined ? 'memory' : 'wall'),
      )
      .finally(() => running.settling.delete(delivery));
    running.settling.add(delivery);
  }

  async #run(msg: ExecMessage, token: number, timeoutMs: number): Promise<string> {
    const { maxOutputBytes, maxLogLines, maxLogBytes } = msg.limits;
    const invoke: InvokeArgs = {
      token, action: msg.action, input: msg.input, config: msg.config, execId: msg.id,
      maxOutputBytes, maxLogLines, maxLogBytes, bridge: msg.bridge,
    };
    let namespace: ivm.Dereference<unknown> | undefined;
    if (!this.#linked) {
      const main = this.#loader.link(this.code, this.#sandbox.context);
      await main.evaluate({ timeout: timeoutMs });
      // The watchdog may have disposed the instance while evaluate was settling; its modules are
      // released then, and isolated-vm crashes the process (not throws) on a released module's namespace.
      if (this.isDisposed) throw new Error('The sandbox was stopped while loading the plugin.');
      // The namespace rides along with the first invoke instead of a separate load() call: one
      // round trip to the isolate's thread less on a cold start. A handle passes by its own
      // rule even among copied arguments.
      namespace = main.namespace.derefInto();
      this.#linked = true;
    }
    const elapsed = this.#running?.watchdog.elapsedMs ?? 0;
    const left = Math.max(1, Math.floor(timeoutMs - elapsed));
    return this.#sandbox.invoke.apply(undefined, namespace === undefined ? [invoke] : [invoke, namespace], {
      arguments: { copy: true },
      result: { promise: true, copy: true },
      timeout: left,
    }) as Promise<string>;
  }

  /**
   * The lines the prelude handed over as they were written, for an isolate that
   * is gone (memory limit). Its last hand-overs may still be queued on this
   * thread: one turn of the event loop lets them land.
   */
  async #copiedLogs(copy: LogCopy): Promise<string> {
    await new Promise((resolve) => setImmediate(resolve));
    return JSON.stringify(copy.truncated ? [...copy.lines, LOGS_TRUNCATED_LINE] : copy.lines);
  }

  /** The isolate's own logs (with the exact count of dropped calls) when it is still alive; never blocks on a busy isolate. */
  async #recoverLogs(): Promise<string | undefined> {
    if (this.isDisposed) return undefined;
    try {
      return (await this.#sandbox.takeLogs.apply(undefined, [], { timeout: 50, result: { copy: true } })) as string;
    } catch {
      return undefined;
    }
  }

  #measureMemory(): number {
    if (this.isDisposed) return 0;
    // Idle here: the invoke and every host-call delivery have finished (or none has started), and
    // the instance gets its next execution only after this one ends, so the sync read cannot block.
    const heap = this.#sandbox.isolate.getHeapStatisticsSync();
    this.memoryBytes = heap.used_heap_size + heap.externally_allocated_size;
    return this.memoryBytes;
  }

  /** Disposes the isolate (stopping any running code). Safe to call more than once. */
  dispose(reason: KillReason = 'evicted'): void {
    this.#killReason ??= reason;
    this.#sandbox.sink = undefined;
    this.#loader.release();
    if (!this.#sandbox.isolate.isDisposed) this.#sandbox.isolate.dispose();
  }

  /** The running execution, if any, is stopped as `reason` (worker shutting down, eviction). */
  abortRunning(reason: KillReason): void {
    this.#running?.abort(reason);
  }
}

/** Stopped for memory: it reached its limit, whether or not a sample caught it there. */
function atMemoryLimit(usage: ExecutionUsage, memoryMb: number): ExecutionUsage {
  return { ...usage, memoryBytes: Math.max(usage.memoryBytes, memoryMb * 1024 * 1024) };
}
