/**
 * JSON Schema (draft 2020-12) of a plugin's manifest.json: the single source of
 * truth for its shape (docs/plugins.md "manifest.json" documents it). The
 * TypeScript type `PluginManifest` is derived from this constant, so the two
 * cannot drift.
 */
import type { FromSchema } from 'json-schema-to-ts';

/** Semantic Versioning 2.0.0, the regular expression recommended by semver.org. */
const SEMVER_PATTERN =
  '^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)' +
  '(?:-((?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\\.(?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?' +
  '(?:\\+([0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*))?$';

/** `@scope/name`; the scope is the publisher tenant's slug. */
export const PLUGIN_NAME_PATTERN = '^@[a-z0-9][a-z0-9._-]{0,38}/[a-z0-9][a-z0-9._-]{0,99}$';

/** Action names are exported function names, so they must be JavaScript identifiers. */
export const ACTION_NAME_PATTERN = '^[A-Za-z_$][A-Za-z0-9_$]{0,63}$';

/** A relative module path inside the package: no `..`, no leading `/`, ends in .js or .mjs. */
const MODULE_PATH_PATTERN = '^(?!/)(?!.*(^|/)\\.\\.?(/|$))[A-Za-z0-9._/-]{1,200}\\.m?js$';

const httpUrl = { type: 'string', format: 'uri', pattern: '^https?://', maxLength: 2048 } as const;

/**
 * An embedded JSON Schema (action input/output, config). Its own validity is
 * checked separately, by compiling it (see manifest-validator.ts).
 */
const embeddedSchema = { type: 'object' } as const;

export const PLUGIN_MANIFEST_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://bazaar.dev/schemas/plugin-manifest.json',
  title: 'Bazaar plugin manifest',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'version', 'main', 'engine', 'license', 'actions'],
  properties: {
    name: { type: 'string', pattern: PLUGIN_NAME_PATTERN, maxLength: 140 },
    version: { type: 'string', pattern: SEMVER_PATTERN, maxLength: 256 },
    description: { type: 'string', maxLength: 500 },
    main: { type: 'string', pattern: MODULE_PATH_PATTERN },
    engine: { type: 'string', minLength: 1, maxLength: 100 },
    license: { type: 'string', minLength: 1, maxLength: 200 },
    homepage: httpUrl,
    repository: { type: 'string', minLength: 1, maxLength: 2048 },
    privacyPolicy: httpUrl,
    author: { type: 'string', maxLength: 200 },
    keywords: {
      type: 'array',
      maxItems: 20,
      uniqueItems: true,
      items: { type: 'string', minLength: 1, maxLength: 50 },
    },
    actions: {
      type: 'object',
      minProperties: 1,
      maxProperties: 50,
      propertyNames: { pattern: ACTION_NAME_PATTERN },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        properties: {
          description: { type: 'string', maxLength: 500 },
          input: embeddedSchema,
          output: embeddedSchema,
        },
      },
    },
    defaultAction: { type: 'string', pattern: ACTION_NAME_PATTERN },
    permissions: {
      type: 'object',
      additionalProperties: false,
      properties: {
        kv: { type: 'boolean' },
        network: {
          type: 'object',
          additionalProperties: false,
          required: ['hosts'],
          properties: {
            hosts: {
              type: 'array',
              maxItems: 20,
              uniqueItems: true,
              // A host name, optionally with a port; no scheme, path or wildcard.
              items: { type: 'string', pattern: '^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?(:[0-9]{1,5})?$' },
            },
          },
        },
      },
    },
    limits: {
      type: 'object',
      additionalProperties: false,
      properties: {
        cpuMs: { type: 'integer', minimum: 1, maximum: 60000 },
        memoryMb: { type: 'integer', minimum: 8, maximum: 1024 },
        timeoutMs: { type: 'integer', minimum: 1, maximum: 300000 },
      },
    },
    config: embeddedSchema,
    pricing: {
      type: 'object',
      additionalProperties: false,
      properties: {
        perExecutionMicros: { type: 'integer', minimum: 0, maximum: 100000000 },
      },
    },
  },
} as const;

/** The manifest's TypeScript type, derived from the schema above. */
export type PluginManifest = FromSchema<typeof PLUGIN_MANIFEST_SCHEMA>;
