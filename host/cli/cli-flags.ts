/**
 * Parsers for option values, as commander argument parsers: a bad value is a
 * usage error (exit 2) with a message naming the flag.
 */
import { InvalidArgumentError } from 'commander';
import type { JsonValue } from '../../runtime/types.js';

/** `--input '{"title":"x"}'`: any JSON value. */
export function parseJsonFlag(text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch (err) {
    throw new InvalidArgumentError(`not valid JSON (${(err as Error).message})`);
  }
}

/** A whole number in [min, max]. */
export function integerFlag(min: number, max: number): (text: string) => number {
  return (text) => {
    const value = Number(text);
    if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
      throw new InvalidArgumentError(`must be a whole number from ${min} to ${max}`);
    }
    return value;
  };
}

/** An http(s) URL, without trailing slash. */
export function parseHostUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidArgumentError(`"${text}" is not a URL (expected e.g. http://localhost:8080)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidArgumentError('must be an http:// or https:// URL');
  return url.href.replace(/\/+$/, '');
}
