/**
 * Installs' kv in SQL (`install_kv`, migration 003). The bounds on keys and
 * values are InstallKv's (kv-store.ts); the key count is enforced here, in
 * the statement that writes.
 */
import type { Knex } from 'knex';
import type { JsonValue } from '../../runtime/types.js';
import type { KvStore } from './ports.js';

export class KvRepository implements KvStore {
  readonly #db: Knex;

  constructor(db: Knex) {
    this.#db = db;
  }

  async get(installId: string, key: string): Promise<JsonValue | null> {
    const row: { value: JsonValue } | undefined = await this.#db('install_kv').where({ install_id: installId, key }).first('value');
    return row === undefined ? null : row.value;
  }

  /**
   * One statement that also enforces the key count. (Concurrent executions of
   * one install, on one host or several, can each add the last key: the bound
   * may be passed by at most the executions running at once.)
   */
  async put(installId: string, key: string, valueJson: string, bytes: number, maxKeys: number): Promise<boolean> {
    const result = await this.#db.raw(
      `INSERT INTO install_kv (install_id, key, value, bytes)
       SELECT ?, ?, ?::jsonb, ?
       WHERE EXISTS (SELECT 1 FROM install_kv WHERE install_id = ? AND key = ?)
          OR (SELECT count(*) FROM install_kv WHERE install_id = ?) < ?
       ON CONFLICT (install_id, key) DO UPDATE SET value = excluded.value, bytes = excluded.bytes
       RETURNING 1 AS ok`,
      [installId, key, valueJson, bytes, installId, key, installId, maxKeys],
    );
    return (result as { rows: unknown[] }).rows.length > 0;
  }

  async delete(installId: string, key: string): Promise<boolean> {
    // RETURNING rather than the affected-row count, which not every driver (knex-pglite) reports.
    const deleted: unknown[] = await this.#db('install_kv').where({ install_id: installId, key }).delete().returning('key');
    return deleted.length > 0;
  }

  async list(installId: string, prefix: string): Promise<string[]> {
    const rows: { key: string }[] = await this.#db('install_kv')
      .where({ install_id: installId })
      .andWhereRaw('starts_with(key, ?)', [prefix])
      .orderByRaw('key COLLATE "C"')
      .select('key');
    return rows.map((r) => r.key);
  }
}
