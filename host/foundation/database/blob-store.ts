/**
 * Package tarballs, content-addressed by SHA-256, in a bytea table. A table
 * rather than files in the data directory: every host process sharing one
 * PostgreSQL sees every blob, and the embedded database keeps it beside the
 * rest. Packages are at most a few MiB, well within bytea's comfort zone.
 */
import type { Knex } from 'knex';
import type { BlobStore } from '../../../marketplace/ports.js';

export class KnexBlobStore implements BlobStore {
  readonly #db: Knex;

  constructor(db: Knex) {
    this.#db = db;
  }

  /** Idempotent: the same bytes under the same hash are stored once. */
  async put(sha256: string, bytes: Buffer): Promise<void> {
    await this.#db('package_blobs').insert({ sha256, bytes, size: bytes.length }).onConflict('sha256').ignore();
  }

  async get(sha256: string): Promise<Buffer | null> {
    const row: { bytes: Buffer | Uint8Array } | undefined = await this.#db('package_blobs').where({ sha256 }).first('bytes');
    return row ? Buffer.from(row.bytes) : null;
  }
}
