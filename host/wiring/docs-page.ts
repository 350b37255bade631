/**
 * The API reference page (`GET /docs`): Swagger UI rendering `/openapi.json`.
 *
 * Every byte comes from this host: the page and its init script are below,
 * Swagger UI's stylesheet, bundle and icon are read from the installed
 * `swagger-ui-dist` package (found through its own absolute-path helper).
 * No inline script or style, so the page runs under a Content-Security-Policy
 * as strict as the console's, plus `data:` images (Swagger UI's stylesheet
 * draws its icons as data URIs).
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { AppCtx } from '../foundation/app-state.js';

const require = createRequire(import.meta.url);
/** `swagger-ui-dist/absolute-path.js` only resolves the folder; the package's index would load the whole bundle into the host. */
const SWAGGER_UI_DIR: string = (require('swagger-ui-dist/absolute-path.js') as () => string)();
/** Part of every vendor asset URL, so the year-long caching below ends with an upgrade of the package. */
export const SWAGGER_UI_VERSION: string = (JSON.parse(readFileSync(join(SWAGGER_UI_DIR, 'package.json'), 'utf8')) as { version: string }).version;

export const DOCS_ASSETS_PATH = '/docs/assets';

export interface DocsAsset {
  readonly type: string;
  /** A file of `swagger-ui-dist` (vendor, versioned URL) or our own text. */
  readonly vendorFile?: string;
  readonly text?: string;
}

const INIT_SCRIPT = `// Renders this host's OpenAPI document (the docs page's only script of its own).
window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#docs',
    deepLinking: true,
    // No call to the public validator service: nothing leaves this origin.
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
  });
});
`;

/** The asset files by name: the few Swagger UI needs and the init script. */
export const DOCS_ASSETS: Readonly<Record<string, DocsAsset>> = {
  'swagger-ui.css': { type: 'text/css; charset=utf-8', vendorFile: 'swagger-ui.css' },
  'swagger-ui-bundle.js': { type: 'text/javascript; charset=utf-8', vendorFile: 'swagger-ui-bundle.js' },
  'favicon-32x32.png': { type: 'image/png', vendorFile: 'favicon-32x32.png' },
  'docs-init.js': { type: 'text/javascript; charset=utf-8', text: INIT_SCRIPT },
};

/** The URL the page uses for an asset: vendor files carry the package version. */
export function assetUrl(name: string): string {
  const asset = DOCS_ASSETS[name];
  if (asset === undefined) throw new Error(`docs: no asset ${name}`);
  return `${DOCS_ASSETS_PATH}/${name}${asset.vendorFile === undefined ? '' : `?v=${SWAGGER_UI_VERSION}`}`;
}

/** The bytes of an asset (vendor files are read from the package folder). */
export async function assetBody(asset: DocsAsset): Promise<Buffer | string> {
  if (asset.text !== undefined) return asset.text;
  return readFile(join(SWAGGER_UI_DIR, asset.vendorFile!));
}

export function docsPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Bazaar HTTP API</title>
<link rel="icon" type="image/png" href="${assetUrl('favicon-32x32.png')}">
<link rel="stylesheet" href="${assetUrl('swagger-ui.css')}">
</head>
<body>
<noscript>This reference needs JavaScript; the same description is at <a href="/openapi.json">/openapi.json</a>.</noscript>
<div id="docs"></div>
<script src="${assetUrl('swagger-ui-bundle.js')}"></script>
<script src="${assetUrl('docs-init.js')}"></script>
</body>
</html>
`;
}

export const DOCS_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** The docs page's security headers, on its page and assets alike (errors included). */
export function setDocsHeaders(ctx: AppCtx): void {
  ctx.set('Content-Security-Policy', DOCS_CSP);
  ctx.set('X-Frame-Options', 'DENY');
  ctx.set('Referrer-Policy', 'no-referrer');
  ctx.set('Cross-Origin-Opener-Policy', 'same-origin');
  ctx.set('Cross-Origin-Resource-Policy', 'same-origin');
}
