/**
 * Shadow runs of an install (docs/http-api.md "Installs"): `PATCH
 * {shadow: {version, sampleRate}}` makes a sample of the install's answered
 * executions run once more on a candidate version, off the answer's path
 * (executions/shadow-runner.ts), and `GET /v1/installs/:id/shadow` compares.
 *
 * - The version is resolved once as an upgrade resolves it (a version, range
 *   or dist-tag): an approved version of the same plugin (409
 *   `version_not_installable`; unknown: 404), not the installed one (400
 *   `invalid_request`). Its permissions need no grant: it runs under the
 *   install's current grants, and what it asks beyond them is refused and
 *   reported (shadow-bridge.ts).
 * - PATCH again (any version) replaces the shadow and starts a fresh
 *   report; DELETE stops it. Both forget the old comparisons.
 * - A rollout and a shadow may run at once (each has its own fields).
 * - Cost per 1,000 executions, as billing prices an execution
 *   (billing/invoice-lines.ts, billing/money.ts): the tier's overage price
 *   per 1,000 (when the tier has one; the same for both sides) plus the
 *   version's paid-plugin fee (`pricing.perExecutionMicros`, charged on
 *   succeeded executions only), weighted by the share of each side's
 *   compared runs that succeeded. In cents, to 4 decimals.
 */
import { BazaarError } from '../../manifests/errors.js';
import type { Actor } from '../../marketplace/actor.js';
import type { MarketplaceRepository } from '../../marketplace/ports.js';
import type { Clock } from '../foundation/clock.js';
import { errorFields, type Logger } from '../foundation/logger.js';
import type { TierTable } from '../foundation/tiers.js';
import type { Tenant } from '../foundation/tenant.js';
import { type Install, requireInstall, type Shadow } from './install.js';
import { resolveInstallableVersion } from './installable-version.js';
import type { InstallStore } from './ports.js';
import type { ShadowFigures, ShadowRepository } from './shadow-repository.js';

export interface ShadowServiceDeps {
  readonly installs: Pick<InstallStore, 'findById' | 'update'>;
  readonly versions: Pick<MarketplaceRepository, 'listVersions' | 'listDistTags' | 'findVersion'>;
  readonly shadows: ShadowRepository;
  readonly evict: (sandboxKey: string) => Promise<void>;
  readonly tiers: TierTable;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** The sandbox key of an install's shadow runs: their isolates never mix with the installed version's. */
export function shadowSandboxKey(installId: string): string {
  return `shadow:${installId}`;
}

export interface ShadowReport {
  readonly version: string;
  readonly sampleRate: number;
  readonly startedAt: string;
  readonly compared: number;
  readonly identical: number;
  readonly different: number;
  readonly candidateFailed: number;
  readonly samples: ShadowFigures['samples'];
  readonly cpuMs: ShadowFigures['cpuMs'];
  readonly deniedHostCalls: ShadowFigures['deniedHostCalls'];
  readonly costPer1000: { readonly current: number; readonly candidate: number; readonly difference: number };
}

export class ShadowService {
  readonly #deps: ShadowServiceDeps;

  constructor(deps: ShadowServiceDeps) {
    this.#deps = deps;
  }

  /** Start shadow runs on `version`, or replace the ones in progress (a fresh report). */
  async start(actor: Actor, install: Install, input: { version: string; sampleRate: number }): Promise<Install> {
    const target = await resolveInstallableVersion(this.#deps.versions, actor, install.plugin, input.version);
    if (target.version === install.version) {
      throw new BazaarError('invalid_request', `${install.plugin}@${target.version} is the installed version; shadow another one.`);
    }
    const shadow: Shadow = { version: target.version, sampleRate: input.sampleRate, startedAt: this.#deps.clock.now() };
    const updated = await this.#save(install, shadow);
    await this.#forget(install.id);
    return updated;
  }

  /** Stop the shadow runs; none in progress: 404. */
  async stop(tenantId: string, id: string): Promise<void> {
    const install = await requireInstall(this.#deps.installs, tenantId, id);
    if (install.shadow === null) throw noShadow(install.id);
    await this.#save(install, null);
    await this.#forget(install.id);
  }

  /** The comparison so far; no shadow: 404. */
  async report(tenant: Pick<Tenant, 'id' | 'tier'>, id: string): Promise<ShadowReport> {
    const install = await requireInstall(this.#deps.installs, tenant.id, id);
    const { shadow } = install;
    if (shadow === null) throw noShadow(install.id);
    const figures = await this.#deps.shadows.figures(install.id, shadow);
    const [current, candidate] = await Promise.all([
      this.#deps.versions.findVersion(install.plugin, install.version),
      this.#deps.versions.findVersion(install.plugin, shadow.version),
    ]);
    const overage = this.#deps.tiers[tenant.tier as keyof TierTable]?.overagePer1000Cents ?? 0;
    const per1000 = (micros: number | undefined, succeeded: number) =>
      round4(overage + (figures.compared === 0 ? 0 : ((micros ?? 0) / 10) * (succeeded / figures.compared)));
    const costCurrent = per1000(current?.manifest.pricing?.perExecutionMicros, figures.currentSucceeded);
    const costCandidate = per1000(candidate?.manifest.pricing?.perExecutionMicros, figures.candidateSucceeded);
    return {
      version: shadow.version,
      sampleRate: shadow.sampleRate,
      startedAt: shadow.startedAt.toISOString(),
      compared: figures.compared,
      identical: figures.identical,
      different: figures.different,
      candidateFailed: figures.candidateFailed,
      samples: figures.samples,
      cpuMs: figures.cpuMs,
      deniedHostCalls: figures.deniedHostCalls,
      costPer1000: { current: costCurrent, candidate: costCandidate, difference: round4(costCandidate - costCurrent) },
    };
  }

  async #save(install: Install, shadow: Shadow | null): Promise<Install> {
    const updated = await this.#deps.installs.update(install.tenantId, install.id, { shadow }, this.#deps.clock.now());
    if (updated === null) throw new BazaarError('not_found', 'No such install.');
    return updated;
  }

  /** The old comparisons and the old candidate's warm isolates; a failure here is logged, the change stands. */
  async #forget(installId: string): Promise<void> {
    await this.#deps.shadows.clear(installId).catch((err: unknown) => this.#deps.logger.warn(errorFields(err), 'shadows: clearing comparisons failed'));
    await this.#deps.evict(shadowSandboxKey(installId)).catch((err: unknown) => this.#deps.logger.warn(errorFields(err), 'shadows: evict failed'));
  }
}

function noShadow(installId: string): BazaarError {
  return new BazaarError('not_found', `Install ${installId} has no shadow runs.`);
}

function round4(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
