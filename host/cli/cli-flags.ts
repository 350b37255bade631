/**
 * Parsers for option values, as commander argument parsers: a bad value is a
 * usage error (exit 2) with a message naming the flag.
 */
import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from 'commander';
import type { JsonValue } from '../../runtime/types.js';

/**
 * `--input '{"title":"x"}'`: any JSON value; `--input @file.json` reads it
 * from a file (as curl's `-d @file`), so inputs and expected outputs can live
 * beside the plugin. An unreadable file is a usage error like bad JSON.
 */
export function parseJsonFlag(text: string): JsonValue {
  let json = text;
  if (text.startsWith('@')) {
    try {
      // Synchronous: commander's option parsers are.
      json = readFileSync(text.slice(1), 'utf8');
    } catch (err) {
      throw new InvalidArgumentError(`cannot read ${text.slice(1)} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
  }
  try {
    return JSON.parse(json) as JsonValue;
  } catch (err) {
    throw new InvalidArgumentError(`not valid JSON (${(err as Error).message})`);
  }
}

/** A comma-separated list: `--scopes plugins:install,plugins:execute`. */
export function parseListFlag(text: string): string[] {
  const items = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (items.length === 0) throw new InvalidArgumentError('must name at least one value');
  return items;
}

/** `@scope/name@1.2.3` → name and version (the last `@` after the first character splits them). */
export function parsePluginVersion(text: string): { name: string; version: string } {
  const at = text.lastIndexOf('@');
  if (at <= 0 || at === text.length - 1) throw new InvalidArgumentError(`"${text}" is not <plugin>@<version>, e.g. @acme/slugify@1.2.0`);
  return { name: text.slice(0, at), version: text.slice(at + 1) };
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
