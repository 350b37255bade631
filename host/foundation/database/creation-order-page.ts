/**
 * The common list query of the repositories: rows oldest first, keyset-paginated
 * on `(created_at, id)` (host/foundation/pagination.ts explains why keyset).
 */
import type { Knex } from 'knex';
import { type Page, type PageRequest, parseTimeIdCursor, timeIdCursor, toPage } from '../pagination.js';

export async function pageInCreationOrder<Row extends { created_at: Date; id: string }, T>(
  query: Knex.QueryBuilder,
  page: PageRequest,
  map: (row: Row) => T,
): Promise<Page<T>> {
  query.orderBy([{ column: 'created_at' }, { column: 'id' }]).limit(page.limit + 1);
  if (page.after !== null) {
    const after = parseTimeIdCursor(page.after);
    query.whereRaw('(created_at, id) > (?, ?)', [after.createdAt, after.id]);
  }
  return toPage((await query) as Row[], page.limit, timeIdCursor, map);
}
