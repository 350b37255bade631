/**
 * Webhook signatures (docs/http-api.md "Webhooks"):
 * `Bazaar-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`,
 * keyed with the subscription's secret. The timestamp is inside the MAC, so a
 * receiver can refuse old replays; `v1` names the scheme so a later one can be
 * added beside it without breaking receivers.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'Bazaar-Signature';
/** The event's id: the same on every attempt and redelivery, so receivers can dedupe. */
export const EVENT_ID_HEADER = 'Bazaar-Event-Id';
export const EVENT_TYPE_HEADER = 'Bazaar-Event-Type';
export const DELIVERY_ID_HEADER = 'Bazaar-Delivery-Id';

/** A new subscription secret: `whsec_` + 32 random bytes in hex. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('hex')}`;
}

/** The header value for `body` sent at `unixSeconds`. */
export function signatureHeader(secret: string, unixSeconds: number, body: string): string {
  return `t=${unixSeconds},v1=${hmac(secret, unixSeconds, body)}`;
}

/**
 * What a receiver does: parse the header, recompute, compare in constant
 * time. Answers the signed timestamp, or `null` when the signature does not
 * match (the receiver then also checks the timestamp is recent).
 */
export function verifySignature(secret: string, header: string, body: string): number | null {
  const parts = new Map(header.split(',').map((p) => p.split('=', 2) as [string, string]));
  const t = Number(parts.get('t'));
  const v1 = parts.get('v1');
  if (!Number.isSafeInteger(t) || v1 === undefined || !/^[0-9a-f]{64}$/.test(v1)) return null;
  const expected = Buffer.from(hmac(secret, t, body), 'hex');
  return timingSafeEqual(expected, Buffer.from(v1, 'hex')) ? t : null;
}

function hmac(secret: string, unixSeconds: number, body: string): string {
  return createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
}
