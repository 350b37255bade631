/**
 * List pagination of the contract (docs/http-api.md "Lists"): `?limit=`
 * (default 50, max 200) and an opaque `?cursor=`; answers are
 * `{items, nextCursor}`.
 *
 * Cursors are keyset positions (the sort key of the last item seen), encoded as
 * base64url JSON so clients treat them as opaque. Keyset rather than offset: a
 * page stays correct while rows are inserted meanwhile, and it uses the index.
 */
import { BazaarError } from '../../manifests/errors.js';

export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 200;

/** A keyset position: the sort-key values of the last row of the previous page. */
export type Cursor = readonly string[];

/** What a repository's list method takes. */
export interface PageRequest {
  readonly limit: number;
  readonly after: Cursor | null;
}

/** What a list endpoint answers. */
export interface Page<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

/** Parse `?limit=&cursor=` or throw 400 `invalid_request`. */
export function parsePageQuery(query: Readonly<Record<string, string | string[] | undefined>>): PageRequest {
  return { limit: parseLimit(query.limit), after: query.cursor === undefined ? null : decodeCursor(query.cursor) };
}

function parseLimit(raw: string | string[] | undefined): number {
  if (raw === undefined) return DEFAULT_PAGE_LIMIT;
  if (typeof raw !== 'string' || !/^[0-9]{1,4}$/.test(raw)) {
    throw new BazaarError('invalid_request', `limit must be an integer from 1 to ${MAX_PAGE_LIMIT}.`);
  }
  const limit = Number(raw);
  if (limit < 1 || limit > MAX_PAGE_LIMIT) {
    throw new BazaarError('invalid_request', `limit must be an integer from 1 to ${MAX_PAGE_LIMIT}.`);
  }
  return limit;
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

/** Decode a cursor from a client: any shape other than a short array of short strings is refused. */
export function decodeCursor(raw: string | string[]): Cursor {
  const invalid = () => new BazaarError('invalid_request', 'cursor is invalid.');
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 1024 || !/^[A-Za-z0-9_-]+$/.test(raw)) {
    throw invalid();
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    value.length > 4 ||
    !value.every((v) => typeof v === 'string' && v.length <= 256)
  ) {
    throw invalid();
  }
  return value as string[];
}

/**
 * Turn `limit + 1` fetched rows into a page: the extra row only tells that there
 * is a next page; the cursor is the key of the last row returned.
 */
export function toPage<R, T>(rows: readonly R[], limit: number, keyOf: (row: R) => Cursor, map: (row: R) => T): Page<T> {
  const visible = rows.slice(0, limit);
  const last = visible[visible.length - 1];
  return {
    items: visible.map(map),
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(keyOf(last)) : null,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The common keyset `(created_at, id)`: a cursor naming a time and a uuid. */
export interface TimeIdKey {
  readonly createdAt: Date;
  readonly id: string;
}

export function timeIdCursor(row: { created_at: Date; id: string }): Cursor {
  return [row.created_at.toISOString(), row.id];
}

/**
 * Read a `(created_at, id)` cursor, refusing values Postgres would choke on (a
 * client may hand-craft cursors; that must be a 400, never a 500).
 */
export function parseTimeIdCursor(cursor: Cursor): TimeIdKey {
  const [time, id] = cursor;
  const createdAt = new Date(time ?? '');
  if (cursor.length !== 2 || Number.isNaN(createdAt.getTime()) || id === undefined || !UUID.test(id)) {
    throw new BazaarError('invalid_request', 'cursor is invalid.');
  }
  return { createdAt, id };
}
