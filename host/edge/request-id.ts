/**
 * Gives every request an id, echoed in `X-Request-Id` on every response
 * (docs/http-api.md "Requests and answers"). An incoming id is kept when it is
 * sane, so a load balancer's or client's id ties their logs to ours; anything
 * else (too long, odd characters that could forge log lines) is replaced.
 */
import { randomUUID } from 'node:crypto';
import type Koa from 'koa';
import type { AppState } from '../foundation/app-state.js';

const SANE_ID = /^[A-Za-z0-9._:-]{8,128}$/;

export function requestId(): Koa.Middleware<AppState> {
  return async function requestId(ctx, next) {
    const incoming = ctx.get('x-request-id');
    const id = SANE_ID.test(incoming) ? incoming : randomUUID();
    ctx.state.requestId = id;
    ctx.set('X-Request-Id', id);
    await next();
  };
}
