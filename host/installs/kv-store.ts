/**
 * `ctx.kv` of an install (PLUGINS.md): a key-value store private to the
 * install, in `install_kv`, bounded so one plugin cannot fill the database:
 * keys ≤ 256 characters, values ≤ 64 KiB of JSON, ≤ 1,000 keys per install.
 *
 * A bound crossed is an exposed BazaarError, so the plugin gets an Error with
 * a sentence it can catch and act on. Rows go with their install (ON DELETE
 * CASCADE), so an uninstall deletes the data.
 */
import type { Knex } from 'knex';
import { BazaarError } from '../../manifests/errors.js';
import type { JsonValue, KvPort } from '../../runtime/types.js';

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
  readonly #db: Knex;
  readonly #installId: string;
  readonly #limits: KvLimits;

  constructor(db: Knex, installId: string, limits: KvLimits = DEFAULT_KV_LIMITS) {
    this.#db = db;
    this.#installId = installId;
    this.#limits = limits;
  }

  async get(key: string): Promise<JsonValue | null> {
    this.#checkKey(key);
    const row: { value: JsonValue } | undefined = await this.#db('install_kv').where({ install_id: this.#installId, key }).first('value');
    return row === undefined ? null : row.value;
  }

  /**
   * Insert or replace, in one statement that also enforces the key count: a
   * new key is written only while the install holds fewer than `maxKeys`.
   * (Two writers of one install in two processes could each add the last
   * key; executions of an install run one at a time per process, so the bound
   * is exact on one host and at most off by the number of hosts.)
   */
  async put(key: string, value: JsonValue): Promise<void> {
    this.#checkKey(key);
    const text = JSON.stringify(value ?? null);
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > this.#limits.maxValueBytes) throw refuse(`value of ${bytes} bytes exceeds ${this.#limits.maxValueBytes} bytes`);
    const id = this.#installId;
    const result = await this.#db.raw(
      `INSERT INTO install_kv (install_id, key, value, bytes)
       SELECT ?, ?, ?::jsonb, ?
       WHERE EXISTS (SELECT 1 FROM install_kv WHERE install_id = ? AND key = ?)
          OR (SELECT count(*) FROM install_kv WHERE install_id = ?) < ?
       ON CONFLICT (install_id, key) DO UPDATE SET value = excluded.value, bytes = excluded.bytes
       RETURNING 1 AS ok`,
      [id, key, text, bytes, id, key, id, this.#limits.maxKeys],
    );
    if ((result as { rows: unknown[] }).rows.length === 0) throw refuse(`the store is full (${this.#limits.maxKeys} keys); delete keys first`);
  }

  async delete(key: string): Promise<boolean> {
    this.#checkKey(key);
    // RETURNING rather than the affected-row count, which not every driver (knex-pglite) reports.
    const deleted: unknown[] = await this.#db('install_kv').where({ install_id: this.#installId, key }).delete().returning('key');
    return deleted.length > 0;
  }

  /** Keys starting with `prefix`, in byte order (at most `maxKeys` exist). */
  async list(prefix = ''): Promise<string[]> {
    if (prefix.length > this.#limits.maxKeyLength) throw refuse(`prefix longer than ${this.#limits.maxKeyLength} characters`);
    const rows: { key: string }[] = await this.#db('install_kv')
      .where({ install_id: this.#installId })
      .andWhereRaw('starts_with(key, ?)', [prefix])
      .orderByRaw('key COLLATE "C"')
      .select('key');
    return rows.map((r) => r.key);
  }

  #checkKey(key: string): void {
    if (key.length === 0) throw refuse('keys must not be empty');
    if (key.length > this.#limits.maxKeyLength) throw refuse(`key longer than ${this.#limits.maxKeyLength} characters`);
    // Postgres text cannot hold NUL; refusing it here gives the plugin a reason instead of "kv.put failed".
    if (key.includes('\0')) throw refuse('keys must not contain NUL characters');
  }
}
