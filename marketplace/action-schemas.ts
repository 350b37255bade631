/**
 * The JSON Schemas a manifest declares (action input/output, config), compiled
 * once and applied on every execution (`invalid_input` / `invalid_output`:
 * docs/plugins.md "Checks on every execution"; `invalid_config`:
 * docs/http-api.md "Installs"). The local runner (`bazaar run`) and the host
 * use this same module, so a plugin is judged the same way on a laptop and in
 * production.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { LRUCache } from 'lru-cache';
import { BazaarError } from '../manifests/errors.js';
import type { PluginManifest } from '../manifests/plugin-manifest.schema.js';
import { safeRegExp } from '../manifests/safe-regexp.js';

// ajv-formats is CommonJS: under NodeNext its default import is `module.exports`, which carries `.default`.
const addFormats = addFormatsModule.default;

/** Issues reported per check; a hostile value should not produce a megabyte of errors. */
const MAX_ISSUES = 20;

/** One schema violation, located by a JSON Pointer into the checked value. */
export interface SchemaIssue {
  readonly path: string;
  readonly keyword: string;
  readonly message: string;
}

export type ConfigResolution = { valid: true; config: unknown } | { valid: false; issues: SchemaIssue[] };

function createAjv(useDefaults: boolean): Ajv2020 {
  // strict: false because plugin schemas may carry annotations ajv does not know;
  // logger: false so such schemas do not print warnings on every compile.
  // validateSchema: false because validateManifest already checked every embedded
  // schema against the meta-schema at publish; checking again would compile the
  // meta-schema in each new instance, the bulk of the cost (~100 ms vs ~1 ms).
  const ajv = new Ajv2020({ allErrors: true, strict: false, logger: false, validateSchema: false, useDefaults, code: { regExp: safeRegExp } });
  addFormats(ajv);
  return ajv;
}

function toIssues(errors: readonly ErrorObject[] | null | undefined): SchemaIssue[] {
  return (errors ?? []).slice(0, MAX_ISSUES).map((e) => ({
    path: e.instancePath === '' ? '/' : e.instancePath,
    keyword: e.keyword,
    message:
      e.keyword === 'additionalProperties'
        ? `has unknown property ${JSON.stringify((e.params as { additionalProperty: string }).additionalProperty)}`
        : (e.message ?? 'is invalid'),
  }));
}

/** One line for humans: `/title must be string; / must have required property 'title'`. */
export function describeIssues(issues: readonly SchemaIssue[]): string {
  return issues.map((i) => `${i.path} ${i.message}`).join('; ');
}

/**
 * The compiled schemas of one manifest. Each validator is compiled on first use
 * and kept; every instance owns its ajv, so dropping it frees everything
 * (one shared ajv would cache every schema it ever compiled).
 */
export class ManifestSchemas {
  readonly #manifest: PluginManifest;
  readonly #validators = new Map<string, ValidateFunction | null>();
  #ajv: Ajv2020 | undefined;
  #configValidator: ValidateFunction | null | undefined;

  constructor(manifest: PluginManifest) {
    this.#manifest = manifest;
  }

  hasAction(action: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.#manifest.actions, action);
  }

  /** Issues of `input` against the action's input schema; none when it declares no schema. */
  checkInput(action: string, input: unknown): SchemaIssue[] {
    return this.#check(action, 'input', input);
  }

  /** Issues of `output` against the action's output schema; none when it declares no schema. */
  checkOutput(action: string, output: unknown): SchemaIssue[] {
    return this.#check(action, 'output', output);
  }

  /**
   * Validates an install's config against the manifest's config schema and
   * returns a copy with the schema's defaults filled in. A missing config is `{}`.
   */
  resolveConfig(config: unknown): ConfigResolution {
    const copy: unknown = structuredClone(config ?? {});
    if (this.#configValidator === undefined) {
      const schema = this.#manifest.config;
      this.#configValidator = schema === undefined ? null : createAjv(true).compile(schema);
    }
    const validate = this.#configValidator;
    if (validate === null || validate(copy)) return { valid: true, config: copy };
    return { valid: false, issues: toIssues(validate.errors) };
  }

  #check(action: string, which: 'input' | 'output', value: unknown): SchemaIssue[] {
    if (!this.hasAction(action)) throw new BazaarError('invalid_request', `The plugin has no action "${action}".`);
    const key = `${which}:${action}`;
    let validate = this.#validators.get(key);
    if (validate === undefined) {
      const schema = this.#manifest.actions[action]?.[which];
      this.#ajv ??= createAjv(false);
      validate = schema === undefined ? null : this.#ajv.compile(schema);
      this.#validators.set(key, validate);
    }
    if (validate === null || validate(value)) return [];
    return toIssues(validate.errors);
  }
}

/**
 * Compiled schemas per package, least recently used evicted. Key them by the
 * package's SHA-256: a published version never changes, so neither do its schemas.
 */
export class ActionSchemaCache {
  readonly #entries: LRUCache<string, ManifestSchemas>;

  constructor(options: { maxEntries?: number } = {}) {
    this.#entries = new LRUCache({ max: options.maxEntries ?? 500 });
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The schemas of `manifest`, compiled once per `key`. */
  get(key: string, manifest: PluginManifest): ManifestSchemas {
    let schemas = this.#entries.get(key);
    if (schemas === undefined) {
      schemas = new ManifestSchemas(manifest);
      this.#entries.set(key, schemas);
    }
    return schemas;
  }
}
