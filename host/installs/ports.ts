/**
 * The storage ports of installs: the installs themselves and each install's
 * kv. Services and the host bridge take these; install-repository.ts and
 * kv-repository.ts implement them in SQL.
 */
import type { PluginManifest } from '../../manifests/plugin-manifest.schema.js';
import type { VersionStatus } from '../../marketplace/version-status.js';
import type { JsonValue } from '../../runtime/types.js';
import type { Page, PageRequest } from '../foundation/pagination.js';
import type { Install, Rollout, RolloutAbort, Shadow } from './install.js';
import type { Permissions } from './permissions.js';

export interface NewInstall {
  readonly id: string;
  readonly tenantId: string;
  readonly plugin: string;
  readonly version: string;
  readonly permissions: Permissions;
  readonly config: JsonValue;
  readonly createdAt: Date;
}

/** What a PATCH may change; `pending*` null clears the pending upgrade. */
export interface InstallChanges {
  readonly version?: string;
  readonly permissions?: Permissions;
  readonly config?: JsonValue;
  readonly pending?: { version: string; config: JsonValue; permissions: Permissions } | null;
  /** Start, adjust (a new object) or clear (null) the rollout. */
  readonly rollout?: Rollout | null;
  readonly rolloutAborted?: RolloutAbort | null;
  /** Start or replace (a new object) or stop (null) the shadow runs. */
  readonly shadow?: Shadow | null;
}

/** An install with the version it runs (cached per process: executions/executable-installs.ts). */
export interface ExecutableInstall {
  readonly install: Install;
  readonly status: VersionStatus;
  readonly sha256: string;
  readonly manifest: PluginManifest;
  readonly trustScore: number;
  /** The rollout's version (`install.rollout.version`), when a rollout is in progress. */
  readonly rollout: ExecutableVersion | null;
  /** The shadow's candidate version (`install.shadow.version`), when shadow runs are on. */
  readonly shadow: ExecutableVersion | null;
}

/** A version as the execution path needs it. */
export interface ExecutableVersion {
  readonly status: VersionStatus;
  readonly sha256: string;
  readonly manifest: PluginManifest;
  readonly trustScore: number;
}

/**
 * Installs, always scoped by tenant: another tenant's install is not found.
 * Executable installs are cached per process, so an implementation bumps the
 * cache generation after every change to a stored install.
 */
export interface InstallStore {
  /**
   * Insert unless the tenant already holds `maxInstalls` installs (402
   * `plan_limit`) or already installed this plugin (409 `conflict`), exact
   * across processes; keeps the plugin's install count.
   */
  insertWithinLimit(install: NewInstall, maxInstalls: number | null): Promise<Install>;
  findById(tenantId: string, id: string): Promise<Install | null>;
  /** The tenant's installs, oldest first. */
  list(tenantId: string, page: PageRequest): Promise<Page<Install>>;
  /**
   * Apply changes; `null` when the tenant has no such install, or when
   * `whileRollout` is given and the install's rollout is no longer that one
   * (null: none), so a promote or abort cannot undo what another host (or the
   * rollout breaker) did in between.
   */
  update(tenantId: string, id: string, changes: InstallChanges, now: Date, whileRollout?: Rollout | null): Promise<Install | null>;
  /** Delete with its kv; the deleted install, or `null`. */
  delete(tenantId: string, id: string): Promise<Install | null>;
  /** The install (by id, or by plugin name) with its current version. */
  findExecutable(tenantId: string, by: { id: string } | { plugin: string }): Promise<ExecutableInstall | null>;
}

/** The rows of installs' kv stores. The key count is bounded by the write itself, so concurrent puts cannot pass it. */
export interface KvStore {
  get(installId: string, key: string): Promise<JsonValue | null>;
  /**
   * Insert or replace `key` with `valueJson` (JSON text of `bytes` bytes); a
   * new key only while the install holds fewer than `maxKeys`. False: full.
   */
  put(installId: string, key: string, valueJson: string, bytes: number, maxKeys: number): Promise<boolean>;
  /** Whether the key was there. */
  delete(installId: string, key: string): Promise<boolean>;
  /** Keys starting with `prefix`, in byte order. */
  list(installId: string, prefix: string): Promise<string[]>;
}
