/**
 * The secret part of API keys: generation, hashing and the constant-time check.
 * Keys are `bzr_` + 32 lowercase hex (128 bits from the CSPRNG); only their
 * SHA-256 is stored. A fast hash is right here, unlike for passwords: the input
 * already has 128 bits of entropy, so there is nothing to brute-force.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const API_KEY_PATTERN = /^bzr_[0-9a-f]{32}$/;

/** How many characters of the key lists show (`bzr_` + 8 hex). */
const PREFIX_LENGTH = 12;

export function generateApiKey(): string {
  return `bzr_${randomBytes(16).toString('hex')}`;
}

export function isApiKeyFormat(value: string): boolean {
  return API_KEY_PATTERN.test(value);
}

/** SHA-256 of the key, lowercase hex: what `api_keys.key_hash` holds. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function keyPrefix(key: string): string {
  return key.slice(0, PREFIX_LENGTH);
}

/**
 * Compare two hex hashes in constant time. The row was found by its hash, so
 * this re-check is defence in depth: it guards against a lookup that matched
 * loosely (collation, trailing spaces) without leaking where they differ.
 */
export function hashesEqual(aHex: string, bHex: string): boolean {
  const a = Buffer.from(aHex, 'hex');
  const b = Buffer.from(bHex, 'hex');
  return a.length === b.length && a.length > 0 && timingSafeEqual(a, b);
}
