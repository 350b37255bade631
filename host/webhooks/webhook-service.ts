/**
 * Webhook subscriptions and their deliveries (docs/http-api.md "Webhooks"), for
 * the calling tenant only: another tenant's webhook or delivery is 404.
 *
 * At creation the URL must parse as http(s), carry no credentials, and, unless
 * BAZAAR_ALLOW_PRIVATE_NETWORKS, not name a private or loopback address
 * literally. DNS names are judged at every delivery instead (delivery-sender.ts):
 * where a name points can change after creation.
 */
import { randomUUID } from 'node:crypto';
import { BazaarError } from '../../manifests/errors.js';
import type { Clock } from '../foundation/clock.js';
import { newWebhookSecret } from './signing.js';
import { privateLiteralHost } from '../foundation/address-policy.js';
import type { Page, PageRequest } from '../foundation/pagination.js';
import type { WebhookStore } from './ports.js';
import type { Delivery, Webhook } from './webhook.js';
import type { CreateWebhookInput } from './webhook-schemas.js';

/** Subscriptions per tenant: each event fans out to all of them, so the fan-out is bounded. */
export const MAX_WEBHOOKS_PER_TENANT = 25;

export interface WebhookServiceDeps {
  readonly repository: WebhookStore;
  readonly allowPrivateNetworks: boolean;
  readonly clock: Clock;
}

export class WebhookService {
  readonly #deps: WebhookServiceDeps;

  constructor(deps: WebhookServiceDeps) {
    this.#deps = deps;
  }

  /** Create a subscription; the answer carries the secret, which is never shown again. */
  async create(tenantId: string, input: CreateWebhookInput): Promise<Webhook & { secret: string }> {
    const url = this.#checkUrl(input.url);
    const secret = newWebhookSecret();
    const created = await this.#deps.repository.insertWithinLimit(
      { id: randomUUID(), tenantId, url, events: input.events, createdAt: this.#deps.clock.now(), secret },
      MAX_WEBHOOKS_PER_TENANT,
    );
    if (created === null) throw new BazaarError('invalid_request', `A tenant may have at most ${MAX_WEBHOOKS_PER_TENANT} webhooks.`);
    return { ...created, secret };
  }

  list(tenantId: string, page: PageRequest): Promise<Page<Webhook>> {
    return this.#deps.repository.list(tenantId, page);
  }

  async delete(tenantId: string, id: string): Promise<void> {
    if (!(await this.#deps.repository.delete(tenantId, id))) throw new BazaarError('not_found', 'No such webhook.');
  }

  async deliveries(tenantId: string, webhookId: string, page: PageRequest): Promise<Page<Delivery>> {
    await this.#get(tenantId, webhookId);
    return this.#deps.repository.listDeliveries(webhookId, page);
  }

  /** Send a delivery's event again, as a new delivery due now (answered with it). */
  async redeliver(tenantId: string, webhookId: string, deliveryId: string): Promise<Delivery> {
    await this.#get(tenantId, webhookId);
    const delivery = await this.#deps.repository.redeliver(webhookId, deliveryId, randomUUID(), this.#deps.clock.now());
    if (delivery === null) throw new BazaarError('not_found', 'No such delivery.');
    return delivery;
  }

  async #get(tenantId: string, id: string): Promise<Webhook> {
    const webhook = await this.#deps.repository.find(tenantId, id);
    if (webhook === null) throw new BazaarError('not_found', 'No such webhook.');
    return webhook;
  }

  #checkUrl(raw: string): string {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new BazaarError('invalid_request', 'url is not a valid URL.');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new BazaarError('invalid_request', 'url must be an http or https URL.');
    if (url.username !== '' || url.password !== '') throw new BazaarError('invalid_request', 'url must not carry credentials.');
    const literal = this.#deps.allowPrivateNetworks ? null : privateLiteralHost(url);
    if (literal !== null) throw new BazaarError('invalid_request', `url names ${literal}, a private or reserved address.`);
    // Normalised (lower-case scheme and host), and still within the column's bound.
    const href = url.href;
    if (href.length > 2048) throw new BazaarError('invalid_request', 'url is too long.');
    return href;
  }
}
