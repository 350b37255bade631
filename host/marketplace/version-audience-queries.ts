/**
 * The VersionAudience port in SQL: the publisher tenant by slug and the
 * installs of a version, in the status change's transaction.
 */
import { knexOf } from '../foundation/database/knex-transaction.js';
import type { Transaction } from '../foundation/transaction.js';
import type { VersionAudience } from './ports.js';

export class VersionAudienceQueries implements VersionAudience {
  async publisherOf(scope: string, tx: Transaction): Promise<string | null> {
    const publisher = (await knexOf(tx)('tenants').where({ slug: scope }).first('id')) as { id: string } | undefined;
    return publisher?.id ?? null;
  }

  async installsOf(name: string, version: string, tx: Transaction): Promise<{ id: string; tenantId: string }[]> {
    const installs = (await knexOf(tx)('installs').where({ plugin_name: name, version }).select('id', 'tenant_id')) as {
      id: string;
      tenant_id: string;
    }[];
    return installs.map((i) => ({ id: i.id, tenantId: i.tenant_id }));
  }
}
