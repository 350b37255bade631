/**
 * Bazaar's sandbox runtime: runs plugin actions in isolated-vm isolates hosted
 * by supervised worker processes. No HTTP, no SQL: host/ hands in a request and
 * implements the ports (kv, fetch) of `HostBridge`.
 *
 * ## Isolation and context reuse (the decision)
 * - Different installs never share an isolate or a context. Each install gets
 *   its own isolate (with its own memoryLimit) and one context in it.
 * - Executions of the same install REUSE that warm isolate + context: modules
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
 * - Executions of one install run one at a time; different installs run in
 *   parallel on isolated-vm's threads across `workers` processes.
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
