/**
 * The web console (docs/http-api.md "Operations": `/console`), for reviewers,
 * tenants and publishers: a small static app (one HTML page, vanilla ES
 * modules, one stylesheet) that calls the JSON API with the user's API key. The
 * pages are public; every piece of data comes from the API with the key, so
 * these routes are mounted before `authenticate` (app.ts) and never see a key.
 *
 * Assets: tsc does not copy non-TS files, so they are served from the source
 * tree, `host/console/assets/`, resolved relative to this module's compiled
 * form (`dist/host/console/` → `../../../host/console/assets/`), the same way
 * the tests find their fixtures. They are read once, on first request, and
 * kept in memory (a few tens of KB) with a strong ETag.
 *
 * Only flat file names of known types are served: no path can leave the folder.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import Router from '@koa/router';
import { BazaarError } from '../../manifests/errors.js';
import type { AppContext, AppRouter, AppState, AppCtx } from '../foundation/app-state.js';
import { type CachedBody, cachedBody, sendCachedBody } from '../edge/cached-body.js';
import { setConsoleHeaders } from './console-headers.js';

/** Where the assets live: the source tree, from `dist/host/console/console-routes.js`. */
export const CONSOLE_ASSETS_DIR = fileURLToPath(new URL('../../../host/console/assets/', import.meta.url));

const ASSET_NAME = /^[a-z][a-z0-9-]*\.(js|css|html|svg)$/;
const TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  html: 'text/html; charset=utf-8',
  svg: 'image/svg+xml',
};

export interface ConsoleRoutesOptions {
  /** Another assets folder (tests). */
  readonly assetsDir?: string;
}

export function consoleRoutes(options: ConsoleRoutesOptions = {}): AppRouter {
  const dir = options.assetsDir ?? CONSOLE_ASSETS_DIR;
  const cache = new Map<string, Promise<CachedBody | null>>();
  const load = (name: string): Promise<CachedBody | null> => {
    let asset = cache.get(name);
    if (asset === undefined) {
      asset = readFile(`${dir}/${name}`).then(
        (body) => cachedBody(body, TYPES[name.slice(name.lastIndexOf('.') + 1)]!),
        (err: NodeJS.ErrnoException) => {
          cache.delete(name); // a file added later is found on the next request
          if (err.code === 'ENOENT') return null;
          throw err;
        },
      );
      cache.set(name, asset);
    }
    return asset;
  };

  async function serve(ctx: AppCtx, name: string): Promise<void> {
    setConsoleHeaders(ctx);
    const asset = ASSET_NAME.test(name) ? await load(name) : null;
    if (asset === null) throw new BazaarError('not_found', 'No such console file.');
    sendCachedBody(ctx, asset);
  }

  const router = new Router<AppState, AppContext>();
  router.get('/console', async function consolePage(ctx) {
    await serve(ctx, 'index.html');
  });
  router.get('/console/', async function consolePageSlash(ctx) {
    await serve(ctx, 'index.html');
  });
  router.get('/console/assets/:file', async function consoleAsset(ctx) {
    await serve(ctx, ctx.params.file ?? '');
  });
  return router;
}
