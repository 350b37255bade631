/** Commands take an install as its id or as the plugin's name: the tenant has at most one install per plugin. */
import { HostRefusedError } from './client/client-errors.js';
import type { HostClient } from './client/http-client.js';
import { UUID, type Page } from './tenant-ref.js';

export interface InstallRef {
  id: string;
  /** Known when the ref was a plugin name. */
  plugin?: string;
}

/** `ref` itself when it is an id, else the id of the key's tenant's install of that plugin (pages through GET /v1/installs). */
export async function resolveInstall(client: HostClient, ref: string): Promise<InstallRef> {
  if (UUID.test(ref)) return { id: ref };
  let cursor: string | undefined;
  do {
    const page = (await client.get<Page<{ id: string; plugin: string }>>('/v1/installs', { query: { limit: 200, cursor } })).body;
    const found = page.items.find((i) => i.plugin === ref);
    if (found !== undefined) return { id: found.id, plugin: found.plugin };
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  // The host's own answer for an unknown install, so scripts see one code either way.
  throw new HostRefusedError(404, { error: { code: 'not_found', message: `this tenant has no install of "${ref}"` } });
}
