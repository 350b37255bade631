/**
 * Request bodies of the install routes, validated once with compiled schemas
 * (400 `invalid_request` with the issues in `details`). The grant has the
 * manifest's `permissions` shape (see permissions.ts).
 */
import { PLUGIN_MANIFEST_SCHEMA } from '../../manifests/plugin-manifest.schema.js';
import type { JsonValue } from '../../runtime/types.js';
import { compileBodyValidator } from '../foundation/validation.js';
import type { PermissionGrant } from './permissions.js';

/** A grant has exactly the manifest's `permissions` shape, so one schema judges both. */
const GRANT_SCHEMA = PLUGIN_MANIFEST_SCHEMA.properties.permissions;

/** Any JSON value: the plugin's config schema judges it. */
const CONFIG_SCHEMA = {} as const;

/** A version or semver range ("1.2.3", "^1.2"). */
const VERSION_SCHEMA = { type: 'string', minLength: 1, maxLength: 256 } as const;

export interface CreateInstallInput {
  readonly plugin: string;
  readonly version?: string;
  readonly config?: JsonValue;
  readonly grantPermissions?: PermissionGrant;
}

export interface UpdateInstallInput {
  readonly version?: string;
  readonly config?: JsonValue;
  readonly grantPermissions?: PermissionGrant;
  /** With `version`: roll that version out to `percent` of the executions (rollout-service.ts). */
  readonly rollout?: { readonly percent: number };
  /** Alone in the body: shadow runs on `version` for a `sampleRate` share of the executions (shadow-service.ts). */
  readonly shadow?: { readonly version: string; readonly sampleRate: number };
}

/** A rollout's share: 1..99 (0 is an abort, 100 a promotion: their own operations). */
const ROLLOUT_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['percent'],
  properties: { percent: { type: 'integer', minimum: 1, maximum: 99 } },
} as const;

/** Shadow runs: the candidate version (a version, range or dist-tag) and the share of executions sampled, 0..1. */
const SHADOW_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['version', 'sampleRate'],
  properties: { version: VERSION_SCHEMA, sampleRate: { type: 'number', minimum: 0, maximum: 1 } },
} as const;

export const parseCreateInstall = compileBodyValidator<CreateInstallInput>({
  type: 'object',
  additionalProperties: false,
  required: ['plugin'],
  properties: {
    plugin: { type: 'string', minLength: 1, maxLength: 260 },
    version: VERSION_SCHEMA,
    config: CONFIG_SCHEMA,
    grantPermissions: GRANT_SCHEMA,
  },
});

export const parseUpdateInstall = compileBodyValidator<UpdateInstallInput>({
  type: 'object',
  additionalProperties: false,
  properties: { version: VERSION_SCHEMA, config: CONFIG_SCHEMA, grantPermissions: GRANT_SCHEMA, rollout: ROLLOUT_SCHEMA, shadow: SHADOW_SCHEMA },
});
