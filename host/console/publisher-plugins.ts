/**
 * A publisher's own plugins, every status (the console's "Publisher" view):
 * `GET /v1/me/plugins`. The marketplace listing shows only approved plugins,
 * and a publisher must also see the versions still waiting for review. The
 * catalog reads them (PluginCatalog.publishedBy), so the visibility rules of
 * GET /v1/plugins/:name apply unchanged.
 */
import type { KeyActor } from '../../marketplace/actor.js';
import type { PluginCatalog } from '../../marketplace/plugin-catalog.js';
import { pluginView } from '../../marketplace/views.js';

/** At most this many plugins per answer (a publisher with more pages through the marketplace). */
export const MAX_PUBLISHER_PLUGINS = 100;

export class PublisherPlugins {
  readonly #catalog: Pick<PluginCatalog, 'publishedBy'>;

  constructor(catalog: Pick<PluginCatalog, 'publishedBy'>) {
    this.#catalog = catalog;
  }

  /** The plugins under the actor's scope (`@<tenant slug>/*`), by name, with their visible versions. */
  async list(actor: KeyActor): Promise<ReturnType<typeof pluginView>[]> {
    return (await this.#catalog.publishedBy(actor, MAX_PUBLISHER_PLUGINS)).map(pluginView);
  }
}
