/** The API routes only the console uses: console-api-routes.ts. */
import { SCOPES } from '../foundation/scopes.js';
import { ANY_KEY, type OperationSpec } from '../foundation/openapi/operation.js';
import { exact, nonNegativeInteger, oneOfStrings, page, ref, uuid, type Schema } from '../foundation/openapi/schema-kit.js';

export const consoleSchemas: Record<string, Schema> = {
  VersionFiles: exact({
    name: { type: 'string' },
    version: { type: 'string' },
    sha256: { type: 'string' },
    files: {
      type: 'array',
      items: exact({ path: { type: 'string' }, bytes: nonNegativeInteger, content: { type: 'string' }, truncated: { type: 'boolean' } }),
    },
    truncated: { type: 'boolean' },
  }),
  Me: exact({ tenant: ref('Tenant'), scopes: { type: 'array', items: oneOfStrings(SCOPES) }, keyId: uuid }),
};

export const consoleOperations: OperationSpec[] = [
  {
    method: 'get', path: '/v1/plugins/{name}/versions/{version}/files', operationId: 'getVersionFiles', tag: 'console', summary: "A version's files as text (console code view)",
    description: "The tarball's visibility; files are capped per file and in total (`truncated`). Manifest first.",
    access: ANY_KEY, answers: { 200: { description: 'The files.', json: ref('VersionFiles') } },
  },
  {
    method: 'get', path: '/v1/me', operationId: 'me', tag: 'console', summary: 'Who this key is: its tenant, scopes and id',
    access: ANY_KEY, answers: { 200: { description: 'The key.', json: ref('Me') } },
  },
  {
    method: 'get', path: '/v1/me/plugins', operationId: 'myPlugins', tag: 'console', summary: "The caller tenant's own plugins, every status",
    description: 'At most 100, by name; `nextCursor` is always null.',
    access: ANY_KEY, answers: { 200: { description: 'The plugins.', json: page(ref('Plugin')) } },
  },
];
