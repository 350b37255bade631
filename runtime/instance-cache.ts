/**
 * The warm instances of one worker, least recently used first out. The budget
 * is what the isolates actually hold (heap + external, measured after each
 * execution), not their limits: most plugins use a small fraction of theirs,
 * and that is what lets many installs stay warm at once.
 */
import type { PluginInstance } from './plugin-instance.js';

export interface InstanceCacheOptions {
  readonly memoryBudgetBytes: number;
  readonly maxInstances: number;
}

export class InstanceCache {
  readonly #options: InstanceCacheOptions;
  /** Map order is recency order: re-inserting on use makes the first entry the LRU one. */
  readonly #instances = new Map<string, PluginInstance>();
  #evictions = 0;

  constructor(options: InstanceCacheOptions) {
    this.#options = options;
  }

  get size(): number {
    return this.#instances.size;
  }

  get evictions(): number {
    return this.#evictions;
  }

  get memoryBytes(): number {
    let total = 0;
    for (const instance of this.#instances.values()) total += instance.memoryBytes;
    return total;
  }

  /** The instance of an install, marked as most recently used. */
  get(installId: string): PluginInstance | undefined {
    const instance = this.#instances.get(installId);
    if (instance === undefined) return undefined;
    this.#instances.delete(installId);
    this.#instances.set(installId, instance);
    return instance;
  }

  add(instance: PluginInstance): void {
    this.#instances.delete(instance.installId);
    this.#instances.set(instance.installId, instance);
  }

  /** Removes and disposes one install's instance; counted as an eviction when asked. */
  remove(installId: string, counted = false): void {
    const instance = this.#instances.get(installId);
    if (instance === undefined) return;
    this.#instances.delete(installId);
    if (counted) this.#evictions++;
    instance.abortRunning('evicted');
    instance.dispose('evicted');
  }

  /** Evicts idle instances, LRU first, until the worker is back under its budget. */
  enforceBudget(): void {
    let memory = this.memoryBytes;
    // Runs after every execution: only copy the instance list when something must go.
    if (memory <= this.#options.memoryBudgetBytes && this.#instances.size <= this.#options.maxInstances) return;
    for (const instance of [...this.#instances.values()]) {
      if (memory <= this.#options.memoryBudgetBytes && this.#instances.size <= this.#options.maxInstances) return;
      if (instance.isRunning) continue;
      memory -= instance.memoryBytes;
      this.remove(instance.installId, true);
    }
  }

  clear(): void {
    for (const installId of [...this.#instances.keys()]) this.remove(installId);
  }
}
