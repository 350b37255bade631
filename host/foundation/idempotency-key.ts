/**
 * The `Idempotency-Key` header (docs/http-api.md "Idempotency"): 1–255
 * printable ASCII characters. Anything else is 400 `invalid_request`, so a key
 * never reaches SQL in a shape the table cannot hold (U+0000) or at an
 * unbounded size.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { BazaarError } from '../../manifests/errors.js';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;

/** The key, checked; throws 400 `invalid_request` for an empty, too long or non-printable value. */
export function validateIdempotencyKey(raw: unknown): string {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_IDEMPOTENCY_KEY_LENGTH || !PRINTABLE_ASCII.test(raw)) {
    throw new BazaarError(
      'invalid_request',
      `Idempotency-Key must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters.`,
    );
  }
  return raw;
}

/**
 * The request's key, checked, or `null` when the header is absent. Node joins
 * a repeated header with ", ", which is still one printable value; an empty
 * header is present and invalid.
 */
export function readIdempotencyKey(headers: IncomingHttpHeaders): string | null {
  const raw = headers[IDEMPOTENCY_HEADER];
  return raw === undefined ? null : validateIdempotencyKey(raw);
}
