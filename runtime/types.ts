/**
 * The public contract of the sandbox runtime: what host/ (and the local runner)
 * hands in, and what comes back. No HTTP, no SQL: the host implements the ports
 * (kv, fetch) and the runtime calls them on the plugin's behalf.
 */
import type { ExecutionErrorCode } from '../manifests/errors.js';

/** Any JSON value: the only kind of data that crosses the sandbox boundary. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A validated plugin package, as the runtime needs it. */
export interface PluginCode {
  /** Content address of the package (SHA-256 hex); compiled code is cached by it. */
  readonly sha256: string;
  /** Entry module, a key of `files` (e.g. "index.js"). */
  readonly main: string;
  /** Package files by normalised relative POSIX path ("lib/util.js") → source text. */
  readonly files: Readonly<Record<string, string>>;
}

/** Effective limits for one execution: the minimum of the manifest's ask and the tier's cap. */
export interface ExecutionLimits {
  /** CPU time inside the isolate. */
  readonly cpuMs: number;
  /** Wall-clock time, including time spent awaiting host calls. */
  readonly timeoutMs: number;
  /** V8 heap limit of the isolate. */
  readonly memoryMb: number;
  /** Serialized JSON size of the returned output. */
  readonly maxOutputBytes: number;
  /** Captured log lines and their total size. */
  readonly maxLogLines: number;
  readonly maxLogBytes: number;
}

/** Private key-value store of one install (host/ implements it; bounded sizes). */
export interface KvPort {
  get(key: string): Promise<JsonValue | null>;
  put(key: string, value: JsonValue): Promise<void>;
  delete(key: string): Promise<boolean>;
  list(prefix?: string): Promise<string[]>;
}

export interface FetchRequest {
  readonly url: string;
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

export interface FetchResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Outbound HTTP limited to the manifest's hosts (host/ implements the policy). */
export interface FetchPort {
  fetch(request: FetchRequest): Promise<FetchResponse>;
}

/** Host functions an install was granted; an absent one throws, naming its permission, when the plugin uses it. */
export interface HostBridge {
  readonly kv?: KvPort;
  readonly fetch?: FetchPort;
}

/** Who an execution runs for, as the scheduler sees it. */
export interface ExecutionTenant {
  readonly id: string;
  /** Share of the sandboxes when they are saturated, relative to other tenants (e.g. by tier). */
  readonly weight: number;
}

export interface ExecutionRequest {
  /** Isolation unit: one install never shares an isolate or context with another. */
  readonly installId: string;
  /** Fair-share key and weight (default: one shared queue of weight 1). */
  readonly tenant?: ExecutionTenant;
  /**
   * Epoch ms by which the execution must have ended: the caller's admission
   * time plus `limits.timeoutMs`, so waiting for a sandbox counts (default:
   * from the call).
   */
  readonly deadline?: number;
  readonly executionId: string;
  readonly code: PluginCode;
  readonly action: string;
  readonly input: JsonValue;
  readonly config: JsonValue;
  readonly limits: ExecutionLimits;
  readonly bridge?: HostBridge;
  /**
   * Work no one waits for (a shadow run): it goes to the heavy lane (lower OS
   * priority) when there is one, so it takes CPU only from what is left over.
   */
  readonly background?: boolean;
}

export interface ExecutionUsage {
  cpuMs: number;
  wallMs: number;
  memoryBytes: number;
}

export type ExecutionStatus = 'succeeded' | 'failed';

export interface ExecutionResult {
  status: ExecutionStatus;
  output: JsonValue | null;
  logs: string[];
  usage: ExecutionUsage;
  error?: ExecutionError;
}

export interface ExecutionError {
  code: ExecutionErrorCode;
  message: string;
  /**
   * For an error the plugin threw: its own frames, one per line, as package-relative
   * `file:line:column` ("    at boom (index.js:4:11)"); never a host or runtime frame.
   * Absent when no frame of the plugin is known (a thrown string, a limit, a crash).
   */
  stack?: string;
}

/**
 * The sandbox engine as host/ sees it. `execute` never throws for a plugin's
 * fault: a failure is an `ExecutionResult` with status 'failed' and a code.
 */
export interface SandboxRuntime {
  /**
   * Runs one execution. Throws `concurrency_limited` (and only then) when the
   * sandboxes are saturated and it cannot start in time: it did not run.
   */
  execute(request: ExecutionRequest): Promise<ExecutionResult>;
  /** Drops the warm isolate of an install (e.g. after an upgrade or uninstall). */
  evict(installId: string): Promise<void>;
  /** Live counters, gathered from every worker process. */
  stats(): Promise<SandboxStats>;
  /** Drains in-flight executions, disposes isolates, kills workers. Idempotent. */
  close(): Promise<void>;
}

export interface SandboxRuntimeOptions {
  /** Worker processes hosting isolates (default: number of CPUs), besides the heavy lane's. */
  readonly workers?: number;
  /** Per worker: warm isolates are evicted least-recently-used above this heap total (default 512). */
  readonly memoryBudgetMb?: number;
  /** Per worker: cap on warm installs, whatever their size (default 500). */
  readonly maxWarmInstances?: number;
  /** Extra worker processes, at a lower OS priority, for CPU-heavy installs (default 1; 0 = none). */
  readonly heavyWorkers?: number;
  /** Nice value of the heavy workers (default 10). */
  readonly heavyNiceness?: number;
  /** An install whose executions average this much CPU (ms) or more runs in the heavy lane (default 20). */
  readonly heavyCpuMs?: number;
  /** Executions in flight at once across the workers; past that they queue by tenant weight (default 64 per worker). */
  readonly maxRunning?: number;
  /** The longest an execution waits for a slot before it is refused `concurrency_limited` (default 1000). */
  readonly maxQueueWaitMs?: number;
  /** An install's extra warm instances (beyond its latest) are disposed after this long unused (default 30000). */
  readonly idleInstanceMs?: number;
  /** Executions of one install before its isolate is recycled (default 1000). */
  readonly maxExecutionsPerInstance?: number;
  /** Fresh isolates kept pre-created per worker and memory size (default 2). */
  readonly spareIsolates?: number;
  /** memoryMb of the spare isolates created at start-up (default 32). */
  readonly defaultMemoryMb?: number;
  /** Heap cap of the worker process's own (Node) heap, `--max-old-space-size` (default 256). */
  readonly workerHeapMb?: number;
  /** Resident set size at which a worker kills itself and is restarted (default 2048). */
  readonly workerRssLimitMb?: number;
  /** Extra time past an execution's timeoutMs before the parent kills an unresponsive worker (default 1000). */
  readonly watchdogGraceMs?: number;
  /** Fork the worker processes when the first execution needs them instead of at once (default false): for hosts that may never execute. */
  readonly startOnDemand?: boolean;
  /** Enables test-only hooks (`SandboxPool.blockWorker`). Never set in production. */
  readonly testHooks?: boolean;
}

export interface WorkerStats {
  readonly pid: number;
  /** In the heavy lane (lower OS priority, CPU-heavy installs). */
  readonly heavy: boolean;
  readonly warmInstances: number;
  readonly spareIsolates: number;
  readonly evictions: number;
  readonly inFlight: number;
  /** Sum of heap + external bytes of the warm isolates, as last measured. */
  readonly isolateMemoryBytes: number;
  readonly rssBytes: number;
}

export interface SandboxStats {
  readonly workers: number;
  readonly warmInstances: number;
  readonly evictions: number;
  /** Worker processes restarted after dying (crash, watchdog kill, memory). */
  readonly restarts: number;
  readonly memoryBytes: number;
  /** Executions in flight, waiting for a slot, and refused for want of one (since start). */
  readonly running: number;
  readonly waiting: number;
  readonly refused: number;
  readonly perWorker: readonly WorkerStats[];
}
