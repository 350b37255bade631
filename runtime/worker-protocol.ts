/**
 * Messages between the supervisor (sandbox-pool, parent process) and a sandbox
 * worker process. Kept small on purpose: the warm path sends one `exec` and gets
 * one `result`; package files travel only when the worker does not hold them.
 * Either side may wrap the messages of one event-loop turn in one `batch`
 * (ipc-outbox.ts), so a clump of executions costs one write each way.
 * Input, config and output cross as JSON strings so that neither side walks
 * object graphs twice (the isolate parses and serialises them itself).
 */
import type { ExecutionErrorCode } from '../manifests/errors.js';

/** Limits as a positional tuple: [cpuMs, timeoutMs, memoryMb, maxOutputBytes, maxLogLines, maxLogBytes]. */
export type LimitsTuple = [number, number, number, number, number, number];

/** Parent → worker: run one execution. */
export interface ExecMessage {
  t: 'exec';
  /** Execution id (the request's executionId). */
  id: string;
  install: string;
  sha: string;
  /** Present only when the parent believes the worker lacks this package. */
  code?: { main: string; files: Record<string, string> };
  action: string;
  input: string;
  config: string;
  limits: LimitsTuple;
  /** Epoch ms by which the execution must have ended: its timeoutMs counted from admission, waiting included. */
  deadline: number;
  /** Which host functions exist: bit 1 = kv, bit 2 = fetch. */
  bridge: number;
}

/** Parent → worker: answer to a host call the plugin made. */
export interface BridgeReplyMessage {
  t: 'bridge-reply';
  id: string;
  call: number;
  ok: boolean;
  /** JSON of the value when ok, else the sanitized error message. */
  value: string;
}

export interface EvictMessage { t: 'evict'; install: string }
export interface StatsRequestMessage { t: 'stats'; seq: number }
/** Test-only (options.testHooks): block the worker's event loop, as uninterruptible native work would. */
export interface BlockMessage { t: 'block'; ms: number }

export type ParentMessage = ExecMessage | BridgeReplyMessage | EvictMessage | StatsRequestMessage | BlockMessage;

/** Worker → parent: the outcome of one execution. */
export interface ResultMessage {
  t: 'result';
  id: string;
  /** The isolate's result envelope (see result-envelope.ts) when the plugin ran to an answer. */
  envelope?: string;
  /** Engine-level failure (timeout, memory, load error) when there is no envelope. */
  error?: { code: ExecutionErrorCode; message: string };
  /** Logs recovered after an engine failure, as JSON. */
  logs?: string;
  usage: [cpuMs: number, wallMs: number, memoryBytes: number];
}

/** Worker → parent: the package is not cached here; resend `exec` with `code`. */
export interface NeedCodeMessage { t: 'need-code'; id: string }

/** Worker → parent: the plugin called ctx.kv.* or ctx.fetch. */
export interface BridgeCallMessage {
  t: 'bridge';
  id: string;
  call: number;
  op: string;
  args: string;
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

export interface ReadyMessage { t: 'ready' }

export type WorkerMessage = ResultMessage | NeedCodeMessage | BridgeCallMessage | StatsMessage | ReadyMessage;

export const BRIDGE_KV = 1;
export const BRIDGE_FETCH = 2;

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
