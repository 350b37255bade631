/**
 * The warm instances of one worker. An install holds as many instances as it
 * has executions running at once (each instance runs one execution at a time),
 * so its pool grows with its demand; instances it no longer needs shrink away:
 * - an idle instance beyond the install's most recently used one is disposed
 *   after `idleMs` without use;
 * - above the worker's memory budget or instance cap, idle instances go least
 *   recently used first, whichever install they belong to.
 * The budget is what the isolates actually hold (heap + external, measured
 * after each execution), not their limits: most plugins use a small fraction
 * of theirs, and that is what lets many installs stay warm at once.
 *
 * An instance belongs to exactly one install for its whole life: pools are
 * per install, so an isolate is never shared across installs (or tenants).
 *
 * Hand-written rather than lru-cache: this is a pool, not a map — one install
 * holds several instances at once; busy instances count against the budget
 * but can never be evicted; an instance's size is re-measured after every
 * execution rather than fixed when stored; and idle shrinking keeps each
 * install's latest instance. lru-cache (one value per key, size fixed at
 * `set`, any entry evictable) would need all of that rebuilt around it.
 */
import type { PluginInstance } from './plugin-instance.js';

export interface InstanceCacheOptions {
  readonly memoryBudgetBytes: number;
  readonly maxInstances: number;
  /** An install's extra instances (beyond its latest) are disposed after this long unused. */
  readonly idleMs: number;
}

export class InstanceCache {
  readonly #options: InstanceCacheOptions;
  /** Idle instances in recency order (first = least recently used), across installs. */
  readonly #idle = new Set<PluginInstance>();
  /** Idle instances of each install, most recently used last. */
  readonly #idleByInstall = new Map<string, PluginInstance[]>();
  readonly #busy = new Set<PluginInstance>();
  /** Instances to dispose when their execution ends (their install was evicted meanwhile). */
  readonly #retiring = new WeakSet<PluginInstance>();
  #evictions = 0;

  constructor(options: InstanceCacheOptions) {
    this.#options = options;
  }

  get size(): number {
    return this.#idle.size + this.#busy.size;
  }

  get evictions(): number {
    return this.#evictions;
  }

  get memoryBytes(): number {
    let total = 0;
    for (const instance of this.#idle) total += instance.memoryBytes;
    for (const instance of this.#busy) total += instance.memoryBytes;
    return total;
  }

  /**
   * The install's most recently used idle instance that `fits` (the same
   * version and memory limit), now busy. Instances that are no longer
   * `reusable` (worn out) are disposed on the way; those of the install's other
   * version stay warm: during a gradual rollout both versions run side by side.
   */
  take(installId: string, fits: (instance: PluginInstance) => boolean, reusable: (instance: PluginInstance) => boolean): PluginInstance | undefined {
    const list = this.#idleByInstall.get(installId);
    if (list === undefined) return undefined;
    let found: PluginInstance | undefined;
    for (let i = list.length - 1; i >= 0 && found === undefined; i--) {
      const instance = list[i] as PluginInstance;
      if (instance.isDisposed || !reusable(instance)) {
        list.splice(i, 1);
        this.#idle.delete(instance);
        instance.dispose('evicted');
      } else if (fits(instance)) {
        list.splice(i, 1);
        this.#idle.delete(instance);
        this.#busy.add(instance);
        found = instance;
      }
    }
    if (list.length === 0) this.#idleByInstall.delete(installId);
    return found;
  }

  /** A new instance, busy with its first execution. */
  add(instance: PluginInstance): void {
    this.#busy.add(instance);
  }

  /** The execution on `instance` has ended: it waits, warm, for the next one (unless it cannot be reused). */
  give(instance: PluginInstance): void {
    this.#busy.delete(instance);
    if (instance.isDisposed || this.#retiring.has(instance)) {
      instance.dispose('evicted');
      return;
    }
    instance.lastUsed = Date.now();
    this.#idle.add(instance);
    const list = this.#idleByInstall.get(instance.installId) ?? [];
    list.push(instance);
    this.#idleByInstall.set(instance.installId, list);
  }

  /** Drops an install's instances: idle ones now, running ones when their execution ends. */
  evict(installId: string, counted = false): void {
    for (const instance of this.#idleByInstall.get(installId) ?? []) {
      this.#idle.delete(instance);
      instance.dispose('evicted');
      if (counted) this.#evictions++;
    }
    this.#idleByInstall.delete(installId);
    for (const instance of this.#busy) if (instance.installId === installId) this.#retiring.add(instance);
  }

  /** Evicts idle instances, least recently used first, until the worker is back under its budget. */
  enforceBudget(): void {
    const { memoryBudgetBytes, maxInstances } = this.#options;
    // Runs after every execution: only walk the instances when something must go.
    let memory = this.memoryBytes;
    if (memory <= memoryBudgetBytes && this.size <= maxInstances) return;
    for (const instance of this.#idle) {
      if (memory <= memoryBudgetBytes && this.size <= maxInstances) return;
      memory -= instance.memoryBytes;
      this.#dropIdle(instance);
    }
  }

  /** Disposes every install's extra instances idle for `idleMs`; its latest one stays for the LRU budget to judge. */
  shrinkIdle(now = Date.now()): void {
    for (const list of this.#idleByInstall.values()) {
      // list is in recency order: the last one is the install's latest and is kept.
      while (list.length > 1 && now - (list[0] as PluginInstance).lastUsed >= this.#options.idleMs) {
        this.#dropIdle(list[0] as PluginInstance);
      }
    }
  }

  #dropIdle(instance: PluginInstance): void {
    this.#idle.delete(instance);
    const list = this.#idleByInstall.get(instance.installId);
    if (list !== undefined) {
      const index = list.indexOf(instance);
      if (index >= 0) list.splice(index, 1);
      if (list.length === 0) this.#idleByInstall.delete(instance.installId);
    }
    this.#evictions++;
    instance.dispose('evicted');
  }

  /** Stops and disposes everything (the worker is going away). */
  clear(): void {
    for (const instance of [...this.#idle, ...this.#busy]) {
      instance.abortRunning('closed');
      instance.dispose('closed');
    }
    this.#idle.clear();
    this.#idleByInstall.clear();
    this.#busy.clear();
  }
}
