/**
 * An ajv (draft 2020-12, strict) that knows the whole OpenAPI document, so
 * any schema in it compiles by JSON pointer with its `#/components/...`
 * references resolved against the document itself.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { ValidateFunction } from 'ajv';

const addFormats = addFormatsModule.default;

export const DOCUMENT_ID = 'urn:bazaar:openapi';

/** The document's top-level keys: not JSON Schema keywords, so declared as annotations for strict mode. */
const OPENAPI_KEYS = ['openapi', 'jsonSchemaDialect', 'info', 'servers', 'tags', 'security', 'paths', 'components', 'webhooks', 'externalDocs'];

export class OpenApiAjv {
  readonly ajv: Ajv2020;
  readonly #cache = new Map<string, ValidateFunction>();

  constructor(document: Record<string, unknown>) {
    this.ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
    addFormats(this.ajv);
    this.ajv.addVocabulary(OPENAPI_KEYS);
    this.ajv.addSchema({ ...document, $id: DOCUMENT_ID });
  }

  /** The compiled schema at `pointer` (a JSON pointer into the document, e.g. `/components/schemas/Tenant`). */
  validator(pointer: string): ValidateFunction {
    let validate = this.#cache.get(pointer);
    if (validate === undefined) {
      const found = this.ajv.getSchema(`${DOCUMENT_ID}#${pointer}`);
      if (found === undefined) throw new Error(`no schema at ${pointer}`);
      validate = found;
      this.#cache.set(pointer, validate);
    }
    return validate;
  }
}

/** `a/b~c` → `a~1b~0c` (RFC 6901). */
export function pointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** The value at a local JSON pointer (`#/a/b`), or undefined. */
export function resolvePointer(document: unknown, ref: string): unknown {
  if (!ref.startsWith('#')) return undefined;
  const tokens = ref.slice(1).split('/').slice(1).map((t) => decodeURIComponent(t).replace(/~1/g, '/').replace(/~0/g, '~'));
  let node: unknown = document;
  for (const token of tokens) {
    if (typeof node !== 'object' || node === null || !(token in node)) return undefined;
    node = (node as Record<string, unknown>)[token];
  }
  return node;
}
