/**
 * Plugin code for the sandbox, by package SHA-256: blob bytes → the package
 * reader (every rule of docs/plugins.md "The package" again: the stored bytes
 * are not trusted more than an upload) → `PluginCode`. A published version
 * never changes, so an entry never goes stale; it is only evicted, least
 * recently used (lru-cache), to bound memory by entry count and by the total
 * size of the cached sources. Concurrent first executions of one package share
 * one read.
 */
import { LRUCache } from 'lru-cache';
import type { BlobStore } from '../../marketplace/ports.js';
import { readPackageArchive, type PackageLimits } from '../../marketplace/package-archive.js';
import type { PluginCode } from '../../runtime/types.js';

export interface PluginCodeCacheOptions {
  readonly blobs: Pick<BlobStore, 'get'>;
  /** The operator's package limits (the same ones uploads were read with). */
  readonly packageLimits?: PackageLimits;
  /** Default 200 packages. */
  readonly maxEntries?: number;
  /** Default 64 MiB of source text. */
  readonly maxBytes?: number;
}

export class PluginCodeCache {
  readonly #options: PluginCodeCacheOptions;
  /** Sized by unpacked bytes; a package larger than the whole budget is simply not kept. */
  readonly #entries: LRUCache<string, PluginCode>;
  readonly #loading = new Map<string, Promise<PluginCode>>();

  constructor(options: PluginCodeCacheOptions) {
    this.#options = options;
    this.#entries = new LRUCache({
      max: options.maxEntries ?? 200,
      maxSize: options.maxBytes ?? 64 * 1024 * 1024,
    });
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The code of the package stored under `sha256`. */
  async get(sha256: string): Promise<PluginCode> {
    const hit = this.#entries.get(sha256);
    if (hit !== undefined) return hit;
    let loading = this.#loading.get(sha256);
    if (loading === undefined) {
      loading = this.#load(sha256).finally(() => this.#loading.delete(sha256));
      this.#loading.set(sha256, loading);
    }
    return loading;
  }

  async #load(sha256: string): Promise<PluginCode> {
    const bytes = await this.#options.blobs.get(sha256);
    // Blobs are written before versions and never deleted: a missing one is a storage fault.
    if (bytes === null) throw new Error(`package blob ${sha256} is missing`);
    const pkg = await readPackageArchive(bytes, this.#options.packageLimits);
    if (pkg.sha256 !== sha256) throw new Error(`package blob ${sha256} does not match its hash`);
    const code: PluginCode = { sha256, main: pkg.manifest.main, files: pkg.files };
    // Never 0: lru-cache refuses zero sizes (an empty package still costs an entry).
    this.#entries.set(sha256, code, { size: Math.max(1, pkg.unpackedBytes) });
    return code;
  }
}
