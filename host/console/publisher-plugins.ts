/**
 * A publisher's own plugins, every status (the console's "Publisher" view):
 * `GET /v1/me/plugins`. The marketplace listing shows only approved plugins,
 * and a publisher must also see the versions still waiting for review.
 *
 * The names come from the `plugins` table by scope (the publisher tenant's
 * slug); each plugin is then read through the catalog, so the visibility
 * rules of GET /v1/plugins/:name apply unchanged. A marketplace port method
 * (`listPluginsByScope`) would be the natural home once the marketplace wants
 * it; until then this one query lives here, beside its only user.
 */
import type { Knex } from 'knex';
import type { KeyActor } from '../../marketplace/actor.js';
import type { PluginCatalog } from '../../marketplace/plugin-catalog.js';
import { pluginView } from '../../marketplace/views.js';

/** At most this many plugins per answer (a publisher with more pages through the marketplace). */
export const MAX_PUBLISHER_PLUGINS = 100;

export class PublisherPlugins {
  readonly #db: Knex;
  readonly #catalog: PluginCatalog;

  constructor(db: Knex, catalog: PluginCatalog) {
    this.#db = db;
    this.#catalog = catalog;
  }

  /** The plugins under the actor's scope (`@<tenant slug>/*`), by name, with their visible versions. */
  async list(actor: KeyActor): Promise<ReturnType<typeof pluginView>[]> {
    const rows: { name: string }[] = await this.#db('plugins')
      .select('name')
      .where('scope', actor.tenantSlug)
      .orderBy('name')
      .limit(MAX_PUBLISHER_PLUGINS);
    const details = await Promise.all(rows.map((r) => this.#catalog.plugin(actor, r.name).catch(() => null)));
    return details.flatMap((d) => (d === null ? [] : [pluginView(d)]));
  }
}
