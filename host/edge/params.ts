/**
 * Path parameter validators, for `router.param()`. An id that cannot exist is
 * answered 404 here (docs/http-api.md "Requests and answers"), before it
 * reaches SQL (where a non-uuid would be a database error, i.e. a 500).
 */
import type { RouterParameterMiddleware } from '@koa/router';
import { BazaarError } from '../../manifests/errors.js';
import type { AppContext, AppState } from '../foundation/app-state.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A scoped plugin name. In paths it arrives URL-encoded (`%40acme%2Fslugify`);
 * @koa/router matches the encoded segment and hands `:name` over decoded
 * (`@acme/slugify`), so validators see the real name.
 */
export const PLUGIN_NAME = /^@[a-z0-9][a-z0-9-]{1,38}\/[a-z0-9][a-z0-9._-]{0,213}$/;

/** `router.param('id', uuidParam)`: 404 for anything that is not a uuid. */
export const uuidParam: RouterParameterMiddleware<AppState, AppContext> = async function uuidParam(value, _ctx, next) {
  if (!UUID.test(value)) throw new BazaarError('not_found');
  await next();
};

/** `router.param('name', pluginNameParam)`: 404 for anything that is not a scoped plugin name. */
export const pluginNameParam: RouterParameterMiddleware<AppState, AppContext> = async function pluginNameParam(
  value,
  _ctx,
  next,
) {
  if (!PLUGIN_NAME.test(value)) throw new BazaarError('not_found', 'No such plugin.');
  await next();
};

/** A path parameter the route declares (the router guarantees it; the type cannot). */
export function pathParam(ctx: { params: Record<string, string | undefined> }, name: string): string {
  const value = ctx.params[name];
  if (value === undefined) throw new BazaarError('not_found');
  return value;
}
