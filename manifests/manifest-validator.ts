/**
 * Validates plugin manifests against PLUGIN_MANIFEST_SCHEMA (compiled once) plus
 * the rules a schema cannot express. Hostile JSON (deep nesting, huge strings,
 * `__proto__` keys) yields a list of precise issues, never a crash.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import semver from 'semver';
import { closestName } from './closest-name.js';
import { PLUGIN_MANIFEST_SCHEMA, type PluginManifest } from './plugin-manifest.schema.js';
import { safeRegExp } from './safe-regexp.js';

/** The version of the plugin API this host implements; manifests' `engine` ranges must accept it. */
export const ENGINE_VERSION = '1.0.0';

/** Bounds checked before ajv sees the value, so validation itself stays cheap. */
export const MANIFEST_BOUNDS = Object.freeze({
  maxBytes: 256 * 1024,
  maxDepth: 32,
  maxNodes: 20_000,
  maxStringLength: 64 * 1024,
});

/** One problem, located by a JSON Pointer into the manifest. */
export interface ManifestIssue {
  path: string;
  keyword: string;
  message: string;
  params?: Record<string, unknown>;
}

export type ManifestValidation =
  | { valid: true; manifest: PluginManifest; issues: [] }
  | { valid: false; issues: ManifestIssue[] };

/** Keys that would reach Object.prototype if a consumer ever merged the value naively. */
const FORBIDDEN_KEYS = new Set(['__proto__']);

function createAjv(): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats.default(ajv, ['uri']);
  return ajv;
}

let compiledManifestSchema: ValidateFunction | undefined;
let embeddedSchemaAjv: Ajv2020 | undefined;

function manifestSchemaValidator(): ValidateFunction {
  compiledManifestSchema ??= createAjv().compile(PLUGIN_MANIFEST_SCHEMA);
  return compiledManifestSchema;
}

/** A separate instance: plugins' own schemas must not pollute the manifest schema's; their patterns compile as RE2 (see safe-regexp.ts). */
function embeddedAjv(): Ajv2020 {
  embeddedSchemaAjv ??= new Ajv2020({ allErrors: true, strict: false, validateSchema: true, addUsedSchema: false, code: { regExp: safeRegExp } });
  return embeddedSchemaAjv;
}

function pointer(segments: readonly (string | number)[]): string {
  return segments.map((s) => '/' + String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

/** Walks the value iteratively (no recursion, so depth cannot overflow the stack). */
function checkBounds(value: unknown): ManifestIssue[] {
  const issues: ManifestIssue[] = [];
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value, path: [] }];
  let nodes = 0;
  while (stack.length > 0 && issues.length < 20) {
    const { value: node, path } = stack.pop()!;
    if (++nodes > MANIFEST_BOUNDS.maxNodes) {
      issues.push({ path: '', keyword: 'maxNodes', message: `has more than ${MANIFEST_BOUNDS.maxNodes} values` });
      break;
    }
    if (path.length > MANIFEST_BOUNDS.maxDepth) {
      issues.push({ path: pointer(path), keyword: 'maxDepth', message: `is nested deeper than ${MANIFEST_BOUNDS.maxDepth} levels` });
      continue;
    }
    if (typeof node === 'string' && node.length > MANIFEST_BOUNDS.maxStringLength) {
      issues.push({ path: pointer(path), keyword: 'maxLength', message: `is longer than ${MANIFEST_BOUNDS.maxStringLength} characters` });
    } else if (typeof node === 'object' && node !== null) {
      const size = Array.isArray(node) ? node.length : Object.keys(node).length;
      // Refuse oversized containers before walking them, so a million-item array costs nothing.
      if (nodes + stack.length + size > MANIFEST_BOUNDS.maxNodes) {
        issues.push({ path: '', keyword: 'maxNodes', message: `has more than ${MANIFEST_BOUNDS.maxNodes} values` });
        break;
      }
      if (Array.isArray(node)) {
        node.forEach((item, i) => stack.push({ value: item, path: [...path, i] }));
        continue;
      }
      for (const key of Object.keys(node)) {
        if (FORBIDDEN_KEYS.has(key)) {
          issues.push({ path: pointer([...path, key]), keyword: 'forbiddenKey', message: `uses the forbidden key "${key}"` });
          continue;
        }
        if (key.length > MANIFEST_BOUNDS.maxStringLength) {
          issues.push({ path: pointer(path), keyword: 'maxLength', message: 'has a key that is too long' });
          continue;
        }
        stack.push({ value: (node as Record<string, unknown>)[key], path: [...path, key] });
      }
    }
  }
  return issues;
}

/** The manifest schema's node at an ajv `schemaPath` (`#/properties/actions/...`), if there is one. */
function schemaAt(schemaPath: string): unknown {
  let node: unknown = PLUGIN_MANIFEST_SCHEMA;
  for (const raw of schemaPath.replace(/^#\/?/, '').split('/').filter((s) => s !== '')) {
    const segment = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (typeof node !== 'object' || node === null || !Object.prototype.hasOwnProperty.call(node, segment)) return undefined;
    node = (node as Record<string, unknown>)[segment];
  }
  return node;
}

/** The names ajv's `additionalProperties` error stands beside: the `properties` of the schema that holds it. */
function knownNames(error: ErrorObject): string[] {
  const holder = schemaAt(error.schemaPath.replace(/\/additionalProperties$/, ''));
  const properties = (holder as { properties?: unknown } | undefined)?.properties;
  return typeof properties === 'object' && properties !== null ? Object.keys(properties) : [];
}

/** A key as it appears in a message: quoted, and cut short (keys may be 64 KiB long). */
function quoteKey(key: string): string {
  return JSON.stringify(key.length > 80 ? `${key.slice(0, 80)}…` : key);
}

/**
 * ajv's issues, with unknown fields named (ajv says only "must NOT have
 * additional properties") and the likely intended field suggested. They come
 * first: a typo also causes a "required" issue, and the typo is the real cause.
 */
function fromAjv(errors: readonly ErrorObject[] | null | undefined, prefix = ''): ManifestIssue[] {
  const unknown: ManifestIssue[] = [];
  const others: ManifestIssue[] = [];
  /** `path\0suggestion` → the unknown key, to point a "required" issue at its misspelling. */
  const misspelled = new Map<string, string>();
  for (const e of errors ?? []) {
    const path = prefix + e.instancePath;
    const key = (e.params as { additionalProperty?: unknown }).additionalProperty;
    if (e.keyword === 'additionalProperties' && typeof key === 'string') {
      const suggestion = closestName(key, knownNames(e));
      if (suggestion !== undefined) misspelled.set(`${path}\0${suggestion}`, key);
      unknown.push({
        path,
        keyword: e.keyword,
        message: `unknown field ${quoteKey(key)}${suggestion === undefined ? '' : ` — did you mean ${quoteKey(suggestion)}?`}`,
        params: { ...e.params, ...(suggestion === undefined ? {} : { suggestion }) },
      });
    } else {
      others.push({ path, keyword: e.keyword, message: e.message ?? 'is invalid', params: { ...e.params } });
    }
  }
  for (const issue of others) {
    const missing = issue.keyword === 'required' ? issue.params?.['missingProperty'] : undefined;
    const typo = typeof missing === 'string' ? misspelled.get(`${issue.path}\0${missing}`) : undefined;
    if (typo !== undefined) issue.message += ` (${quoteKey(typo)} looks like a misspelling of it)`;
  }
  return [...unknown, ...others];
}

/** Rules the schema cannot express: cross-field references, semver semantics, embedded schemas. */
function checkSemantics(manifest: PluginManifest): ManifestIssue[] {
  const issues: ManifestIssue[] = [];
  const actions = Object.keys(manifest.actions);
  if (manifest.defaultAction !== undefined && !actions.includes(manifest.defaultAction)) {
    issues.push({ path: '/defaultAction', keyword: 'actionExists', message: `names no action in "actions" (${actions.join(', ')})` });
  }
  if (semver.valid(manifest.version) === null) {
    issues.push({ path: '/version', keyword: 'semver', message: 'is not a valid semantic version' });
  }
  if (semver.validRange(manifest.engine) === null) {
    issues.push({ path: '/engine', keyword: 'semverRange', message: 'is not a valid semver range' });
  } else if (!semver.satisfies(ENGINE_VERSION, manifest.engine, { includePrerelease: true })) {
    issues.push({ path: '/engine', keyword: 'engine', message: `is not satisfied by this host's plugin API ${ENGINE_VERSION}` });
  }
  const embedded: [string, unknown][] = [['/config', manifest.config]];
  for (const [name, action] of Object.entries(manifest.actions)) {
    embedded.push([pointer(['actions', name, 'input']), action.input], [pointer(['actions', name, 'output']), action.output]);
  }
  for (const [path, schema] of embedded) {
    if (schema === undefined) continue;
    try {
      embeddedAjv().compile(schema as object);
    } catch (err) {
      issues.push({ path, keyword: 'schema', message: `is not a valid JSON Schema: ${(err as Error).message.slice(0, 300)}` });
    }
  }
  return issues;
}

/** Validates an already-parsed manifest value. */
export function validateManifest(value: unknown): ManifestValidation {
  const bounds = checkBounds(value);
  if (bounds.length > 0) return { valid: false, issues: bounds };
  const validate = manifestSchemaValidator();
  if (!validate(value)) return { valid: false, issues: fromAjv(validate.errors) };
  const manifest = value as PluginManifest;
  const semantic = checkSemantics(manifest);
  return semantic.length > 0 ? { valid: false, issues: semantic } : { valid: true, manifest, issues: [] };
}

/** Parses and validates manifest.json text. */
export function parseManifest(text: string): ManifestValidation {
  if (Buffer.byteLength(text, 'utf8') > MANIFEST_BOUNDS.maxBytes) {
    return { valid: false, issues: [{ path: '', keyword: 'maxBytes', message: `is larger than ${MANIFEST_BOUNDS.maxBytes} bytes` }] };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { valid: false, issues: [{ path: '', keyword: 'json', message: `is not valid JSON: ${(err as Error).message}` }] };
  }
  return validateManifest(value);
}

/** The action a request runs when it names none. */
export function resolveActionName(manifest: PluginManifest, requested: string | undefined): string | undefined {
  if (requested !== undefined) return requested;
  if (manifest.defaultAction !== undefined) return manifest.defaultAction;
  const actions = Object.keys(manifest.actions);
  return actions.length === 1 ? actions[0] : undefined;
}
