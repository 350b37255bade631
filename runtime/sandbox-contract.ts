/**
 * Everything that crosses the sandbox boundary, defined once for its three
 * sides: the parent (sandbox-pool.ts, worker-process.ts), the worker process
 * (sandbox-worker.ts, plugin-instance.ts) and the isolate (the prelude in
 * sandbox-prelude.ts, which is JavaScript source and follows these shapes by
 * hand: change both together).
 *
 * Parent ↔ worker: the warm path sends one `exec` and gets one `result`;
 * package files travel only when the worker does not hold them. Either side
 * may wrap the messages of one event-loop turn in one `batch` (ipc-outbox.ts),
 * so a clump of executions costs one write each way. Input, config and output
 * cross as JSON strings so that neither process walks object graphs twice (the
 * isolate parses and serialises them itself).
 *
 * Worker ↔ isolate: one `invoke` per execution (InvokeArgs), host calls out
 * through the prelude's `send` (HostCall) and their answers back in through
 * its `settle` (HostCallReply).
 */
import type { ExecutionError, ExecutionLimits, ExecutionUsage } from './types.js';

/** Which host functions exist, as bits of `ExecMessage.bridge` and `InvokeArgs.bridge`. */
export const BRIDGE_KV = 1;
export const BRIDGE_FETCH = 2;

// ---- parent → worker ----

/** Run one execution. */
export interface ExecMessage {
  t: 'exec';
  /** Execution id (the request's executionId). */
  id: string;
  install: string;
  sha: string;
  /** Present only when the parent believes the worker lacks this package. */
  code?: { main: string; files: Record<string, string> };
  action: string;
  /** JSON. */
  input: string;
  /** JSON. */
  config: string;
  limits: ExecutionLimits;
  /** Epoch ms by which the execution must have ended: its timeoutMs counted from admission, waiting included. */
  deadline: number;
  /** BRIDGE_KV | BRIDGE_FETCH, as granted. */
  bridge: number;
}

/** The answer to a host call, for the isolate of execution `id`. */
export interface BridgeReplyMessage extends HostCallReply {
  t: 'bridge-reply';
  id: string;
}

export interface EvictMessage {
  t: 'evict';
  install: string;
}

export interface StatsRequestMessage {
  t: 'stats';
  seq: number;
}

/** Test-only (options.testHooks): block the worker's event loop, as uninterruptible native work would. */
export interface BlockMessage {
  t: 'block';
  ms: number;
}

export type ParentMessage = ExecMessage | BridgeReplyMessage | EvictMessage | StatsRequestMessage | BlockMessage;

// ---- worker → parent ----

/** The outcome of one execution. */
export interface ResultMessage {
  t: 'result';
  id: string;
  /** The isolate's result envelope (see result-envelope.ts) when the plugin ran to an answer. */
  envelope?: string;
  /** Engine-level failure (timeout, memory, load error) when there is no envelope. */
  error?: ExecutionError;
  /** Logs recovered after an engine failure, as JSON. */
  logs?: string;
  usage: ExecutionUsage;
}

/**
 * Log lines of execution `id` written since the last such message, sent only
 * while it runs long (a short one's logs travel in its result): if the worker
 * dies, the parent still answers with what the plugin logged.
 */
export interface LogsMessage {
  t: 'logs';
  id: string;
  lines: string[];
  /** The isolate has started dropping lines (its limits were reached). */
  truncated: boolean;
}

/** The package is not cached here: resend `exec` with `code`. */
export interface NeedCodeMessage {
  t: 'need-code';
  id: string;
}

/** Execution `id`'s plugin called ctx.kv.* or ctx.fetch (the isolate's HostCall, its token checked and dropped). */
export interface BridgeCallMessage extends Omit<HostCall, 'token'> {
  t: 'bridge';
  id: string;
}

export interface StatsMessage {
  t: 'stats';
  seq: number;
  warmInstances: number;
  spareIsolates: number;
  evictions: number;
  inFlight: number;
  isolateMemoryBytes: number;
  rssBytes: number;
}

export interface ReadyMessage {
  t: 'ready';
}

export type WorkerMessage = ResultMessage | NeedCodeMessage | BridgeCallMessage | LogsMessage | StatsMessage | ReadyMessage;

/** The last line of logs that lost some of their calls to the limits, when the count is unknown. */
export const LOGS_TRUNCATED_LINE = '[bazaar] log truncated: more call(s) dropped';

/** What a worker reports for an execution that never ran (or whose worker died). */
export function noUsage(): ExecutionUsage {
  return { cpuMs: 0, wallMs: 0, memoryBytes: 0 };
}

// ---- worker ↔ isolate (the prelude's functions) ----

/** The one argument of the prelude's `invoke`, copied into the isolate. */
export interface InvokeArgs {
  /** Tells this execution's host calls and logs from those of a finished one. */
  token: number;
  action: string;
  /** JSON. */
  input: string;
  /** JSON. */
  config: string;
  execId: string;
  maxOutputBytes: number;
  maxLogLines: number;
  maxLogBytes: number;
  /** BRIDGE_KV | BRIDGE_FETCH. */
  bridge: number;
}

/** A host call made by plugin code: the one argument of the prelude's `send` callback. */
export interface HostCall {
  token: number;
  /** Numbers the calls of one isolate; the reply carries it back. */
  call: number;
  op: string;
  /** JSON array of the call's arguments. */
  args: string;
}

/** The one argument of the prelude's `settle`. */
export interface HostCallReply {
  call: number;
  ok: boolean;
  /** JSON of the value when ok, else the sanitized error message. */
  value: string;
}

/** The functions the prelude returns, as the worker calls them through references. */
export interface PreludeApi {
  /** Sets the module namespace actions are looked up in (null forgets it). */
  load(namespace: unknown): void;
  /** Runs one action; its envelope string, or a promise of it. The first call of a sandbox also hands in the namespace. */
  invoke(args: InvokeArgs, namespace?: unknown): string | Promise<string>;
  settle(reply: HostCallReply): void;
  /** The current execution's logs as a JSON array. */
  takeLogs(): string;
}

// ---- settings ----

/** Worker settings, passed once through the environment at fork time. */
export interface WorkerSettings {
  memoryBudgetMb: number;
  /** An install's extra warm instances are disposed after this long unused. */
  idleInstanceMs: number;
  maxWarmInstances: number;
  maxExecutionsPerInstance: number;
  spareIsolates: number;
  defaultMemoryMb: number;
  rssLimitMb: number;
  testHooks: boolean;
}

export const WORKER_SETTINGS_ENV = 'BAZAAR_SANDBOX_WORKER_SETTINGS';
