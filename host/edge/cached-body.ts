/**
 * A body that does not change while the process runs (the OpenAPI document,
 * the console's assets), answered with a strong ETag: `Cache-Control:
 * no-cache` makes clients revalidate, and a matching `If-None-Match` gets an
 * empty 304.
 */
import { createHash } from 'node:crypto';
import type { AppCtx } from '../foundation/app-state.js';

export interface CachedBody {
  readonly body: string | Buffer;
  readonly type: string;
  readonly etag: string;
}

export function cachedBody(body: string | Buffer, type: string): CachedBody {
  return { body, type, etag: `"${createHash('sha256').update(body).digest('hex').slice(0, 32)}"` };
}

export function sendCachedBody(ctx: AppCtx, cached: CachedBody): void {
  ctx.set('Cache-Control', 'no-cache');
  ctx.set('ETag', cached.etag);
  ctx.type = cached.type;
  ctx.status = 200;
  if (ctx.fresh) {
    ctx.status = 304;
    return;
  }
  ctx.body = cached.body;
}
