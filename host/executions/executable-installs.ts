/**
 * The executable install (install + version status, sha256, manifest and
 * trust score) of every execution, cached per process under the shared cache
 * generation (foundation/cache-generation.ts). The lookup runs after the rate
 * limit, which read the generation for this very request, so an upgrade,
 * uninstall, config change, yank or quarantine committed on any process
 * before the request began is seen by it. A new trust SCORE does not bump
 * the generation: it is seen within the cache's maximum age
 * (`DEFAULT_MAX_AGE_MS`, 30 s; foundation/cache-generation.ts says why).
 */
import type { CacheGeneration } from '../foundation/cache-generation.js';
import { GenerationCache } from '../foundation/generation-cache.js';
import type { Clock } from '../foundation/clock.js';
import type { ExecutableInstall, InstallStore } from '../installs/ports.js';

export type ExecutableTarget = { readonly id: string } | { readonly plugin: string };

export class CachedExecutableInstalls implements Pick<InstallStore, 'findExecutable'> {
  readonly #installs: Pick<InstallStore, 'findExecutable'>;
  readonly #cache: GenerationCache<string, ExecutableInstall>;

  constructor(deps: { installs: Pick<InstallStore, 'findExecutable'>; generation: CacheGeneration; clock: Clock }) {
    this.#installs = deps.installs;
    this.#cache = new GenerationCache({ generation: deps.generation, clock: deps.clock });
  }

  findExecutable(tenantId: string, by: ExecutableTarget): Promise<ExecutableInstall | null> {
    // The tenant is part of the key: another tenant's install id is never found (404, as uncached).
    const key = 'id' in by ? `${tenantId} id ${by.id}` : `${tenantId} plugin ${by.plugin}`;
    return this.#cache.getOrLoad(key, () => this.#installs.findExecutable(tenantId, by));
  }
}
