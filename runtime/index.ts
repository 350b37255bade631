/**
 * Bazaar's sandbox runtime: runs plugin actions in isolated-vm isolates hosted
 * by supervised worker processes. No HTTP, no SQL: host/ hands in a request and
 * implements the ports (kv, fetch) of `HostBridge`.
 *
 * ## Isolation and context reuse (the decision)
 * - Different installs never share an isolate or a context. Each instance of
 *   an install is its own isolate (with its own memoryLimit) and one context.
 * - Executions of the same install REUSE its warm instances: modules
 *   are compiled, linked and evaluated once, and a warm execution is one call.
 *   Consequence, by design: module-level state and globals persist across warm
 *   executions of one install (like a warm serverless instance). Plugins must
 *   not rely on it, as it can vanish at any recycle.
 * - Every execution gets a fresh, frozen `ctx`; host calls and logs of a
 *   finished execution are dropped, so a leftover continuation cannot act in a
 *   later execution's name.
 * - The isolate is recycled (disposed; the next execution starts from a fresh
 *   one) after: any timeout, memory-limit or engine failure of an execution; a
 *   package change (sha256) or memory limit change; `maxExecutionsPerInstance`
 *   executions (default 1000); eviction (explicit `evict()`, or LRU when a
 *   worker's warm isolates exceed `memoryBudgetMb` or `maxWarmInstances`); and
 *   the death of its worker process.
 * - Executions of one install run side by side, each on its own warm instance
 *   (isolate + context) of that install: an install's pool grows with its
 *   demand and shrinks when idle, within the worker's memory budget (LRU). An
 *   instance runs one execution at a time; instances never change install.
 * - Scheduling (sandbox-pool.ts, fair-scheduler.ts): deadlines run from the
 *   caller's admission, past `maxRunning` executions wait in per-tenant queues
 *   served by weight, and CPU-heavy installs run in lower-priority workers.
 * - Promise jobs left queued when an action settles run in the same turn and
 *   count against that execution's limits; a host call that has not answered
 *   when the execution ends is never answered (its continuation never runs).
 */
import { SandboxPool } from './sandbox-pool.js';
import type { SandboxRuntime, SandboxRuntimeOptions } from './types.js';

export { SandboxPool } from './sandbox-pool.js';
export type * from './types.js';

/** Starts the worker processes; `close()` the runtime to stop them. */
export function createSandboxRuntime(options: SandboxRuntimeOptions = {}): SandboxRuntime {
  return new SandboxPool(options);
}
