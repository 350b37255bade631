/**
 * `ctx.kv` of an install (docs/plugins.md "The code contract"): a key-value
 * store private to the install, in `install_kv`, bounded so one plugin cannot
 * fill the database: keys ≤ 256 characters, values ≤ 64 KiB of JSON, ≤ 1,000
 * keys per install.
 *
 * A bound crossed is an exposed BazaarError, so the plugin gets an Error with
 * a sentence it can catch and act on. Rows go with their install (ON DELETE
 * CASCADE), so an uninstall deletes the data.
 */
import { BazaarError } from '../../manifests/errors.js';
import type { JsonValue, KvPort } from '../../runtime/types.js';
import type { KvStore } from './ports.js';

export interface KvLimits {
  readonly maxKeyLength: number;
  readonly maxValueBytes: number;
  readonly maxKeys: number;
}

export const DEFAULT_KV_LIMITS: KvLimits = Object.freeze({ maxKeyLength: 256, maxValueBytes: 64 * 1024, maxKeys: 1000 });

function refuse(message: string): BazaarError {
  return new BazaarError('invalid_request', `kv: ${message}`);
}

/** The kv of one install. Cheap to build: one per execution. */
export class InstallKv implements KvPort {
  readonly #store: KvStore;
  readonly #installId: string;
  readonly #limits: KvLimits;

  constructor(store: KvStore, installId: string, limits: KvLimits = DEFAULT_KV_LIMITS) {
    this.#store = store;
    this.#installId = installId;
    this.#limits = limits;
  }

  async get(key: string): Promise<JsonValue | null> {
    this.#checkKey(key);
    return this.#store.get(this.#installId, key);
  }

  /** Insert or replace; a new key only while the install holds fewer than `maxKeys`. */
  async put(key: string, value: JsonValue): Promise<void> {
    this.#checkKey(key);
    const { text, bytes } = kvValueText(value, this.#limits);
    if (!(await this.#store.put(this.#installId, key, text, bytes, this.#limits.maxKeys))) {
      throw refuse(`the store is full (${this.#limits.maxKeys} keys); delete keys first`);
    }
  }

  async delete(key: string): Promise<boolean> {
    this.#checkKey(key);
    return this.#store.delete(this.#installId, key);
  }

  /** Keys starting with `prefix`, in byte order (at most `maxKeys` exist). */
  async list(prefix = ''): Promise<string[]> {
    if (prefix.length > this.#limits.maxKeyLength) throw refuse(`prefix longer than ${this.#limits.maxKeyLength} characters`);
    return this.#store.list(this.#installId, prefix);
  }

  #checkKey(key: string): void {
    checkKvKey(key, this.#limits);
  }
}

/** Refuses a key the store would not take (empty, too long, NUL). */
export function checkKvKey(key: string, limits: KvLimits = DEFAULT_KV_LIMITS): void {
  if (key.length === 0) throw refuse('keys must not be empty');
  if (key.length > limits.maxKeyLength) throw refuse(`key longer than ${limits.maxKeyLength} characters`);
  // Postgres text cannot hold NUL; refusing it here gives the plugin a reason instead of "kv.put failed".
  if (key.includes('\0')) throw refuse('keys must not contain NUL characters');
}

/** A value as the store keeps it (JSON text and its size), refused past `maxValueBytes`. */
export function kvValueText(value: JsonValue, limits: KvLimits = DEFAULT_KV_LIMITS): { readonly text: string; readonly bytes: number } {
  const text = JSON.stringify(value ?? null);
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > limits.maxValueBytes) throw refuse(`value of ${bytes} bytes exceeds ${limits.maxValueBytes} bytes`);
  return { text, bytes };
}
