/** Commands take a tenant as its id or its slug (`acme`): slugs are what people remember. */
import { HostRefusedError } from './client/client-errors.js';
import type { HostClient } from './client/http-client.js';

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface TenantJson {
  id: string;
  name: string;
  slug: string;
  ownerEmail: string;
  tier: string;
  status: string;
  createdAt: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** The tenant's id: `ref` itself when it is one, else the id of the tenant with that slug (pages through GET /v1/tenants, admin only). */
export async function resolveTenantId(client: HostClient, ref: string): Promise<string> {
  if (UUID.test(ref)) return ref;
  let cursor: string | undefined;
  do {
    const page = (await client.get<Page<TenantJson>>('/v1/tenants', { query: { limit: 200, cursor } })).body;
    const found = page.items.find((t) => t.slug === ref);
    if (found !== undefined) return found.id;
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  // The host's own answer for an unknown tenant, so scripts see one code either way.
  throw new HostRefusedError(404, { error: { code: 'not_found', message: `no tenant has the slug "${ref}"` } });
}
