/**
 * A SandboxRuntime that starts its worker processes on the first execution.
 * Every host process (and every test host) gets a runtime in its deps, but
 * most test hosts never execute anything: they should not pay for worker
 * processes, and a host that only serves the marketplace should not hold them.
 */
import { createSandboxRuntime } from '../../runtime/index.js';
import type { ExecutionRequest, ExecutionResult, SandboxRuntime, SandboxRuntimeOptions, SandboxStats } from '../../runtime/types.js';

export class LazySandboxRuntime implements SandboxRuntime {
  readonly #options: SandboxRuntimeOptions;
  #runtime: SandboxRuntime | undefined;
  #closed = false;

  constructor(options: SandboxRuntimeOptions = {}) {
    this.#options = options;
  }

  /** Whether the workers were started (for tests and /metrics). */
  get started(): boolean {
    return this.#runtime !== undefined;
  }

  execute(request: ExecutionRequest): Promise<ExecutionResult> {
    if (this.#closed) return Promise.reject(new Error('the sandbox runtime is closed'));
    this.#runtime ??= createSandboxRuntime(this.#options);
    return this.#runtime.execute(request);
  }

  /** Nothing is warm before the first execution, so there is nothing to evict. */
  async evict(installId: string): Promise<void> {
    await this.#runtime?.evict(installId);
  }

  async stats(): Promise<SandboxStats> {
    if (this.#runtime !== undefined) return this.#runtime.stats();
    return { workers: 0, warmInstances: 0, evictions: 0, restarts: 0, memoryBytes: 0, running: 0, waiting: 0, refused: 0, perWorker: [] };
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#runtime?.close();
  }
}
