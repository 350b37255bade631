/**
 * The shadow runner's bounds, with a sandbox that holds each run until the
 * test lets it go (counts, never time): one run at a time, QUEUE_CAPACITY
 * waiting, offers beyond that dropped and counted; the sample rate; close()
 * dropping what waits and letting the running one end; idle().
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ActionSchemaCache } from '../../../marketplace/action-schemas.js';
import type { ExecutionRequest, ExecutionResult } from '../../../runtime/types.js';
import { createLogger } from '../../../host/foundation/logger.js';
import { DEFAULT_TIERS } from '../../../host/foundation/tiers.js';
import type { ExecutableInstall } from '../../../host/installs/ports.js';
import type { ShadowComparison } from '../../../host/installs/shadow-repository.js';
import { QUEUE_CAPACITY, type ShadowOffer, ShadowRunner } from '../../../host/executions/shadow-runner.js';
import { FakeClock } from '../../support/test-host.js';

const MANIFEST = {
  name: '@t/p',
  version: '1.1.0',
  description: 't',
  main: 'index.js',
  actions: { run: { input: { type: 'object' }, output: { type: 'object' } } },
} as unknown as ExecutableInstall['manifest'];

const OK: ExecutionResult = { status: 'succeeded', output: { y: 1 }, logs: [], usage: { cpuMs: 1, wallMs: 1, memoryBytes: 0 } };

function found(sampleRate: number): ExecutableInstall {
  const version = { status: 'approved' as const, sha256: 'a'.repeat(64), manifest: MANIFEST, trustScore: 90 };
  return {
    ...version,
    install: {
      id: randomUUID(), tenantId: randomUUID(), plugin: '@t/p', version: '1.0.0',
      permissions: { kv: false, network: { hosts: [] } }, config: {},
      pendingVersion: null, pendingConfig: null, pendingPermissions: null, rollout: null, lastRolloutAbort: null,
      shadow: { version: '1.1.0', sampleRate, startedAt: new Date() },
      createdAt: new Date(), updatedAt: new Date(),
    },
    rollout: null,
    shadow: version,
  };
}

describe('shadow runner', () => {
  let held: (() => void)[];
  let started: ExecutionRequest[];
  let recorded: ShadowComparison[];
  let draws: number[];

  function runner(): ShadowRunner {
    return new ShadowRunner({
      runtime: {
        execute: (request) => {
          started.push(request);
          return new Promise((resolve) => held.push(() => resolve(OK)));
        },
      },
      code: { get: async () => ({ sha256: 'a'.repeat(64), main: 'index.js', files: { 'index.js': '' } }) },
      schemas: new ActionSchemaCache(),
      bridgeFor: () => ({ bridge: {}, denied: () => [] }),
      comparisons: { record: async (c) => (recorded.push(c), true) },
      tiers: DEFAULT_TIERS,
      maxExecutionTimeoutMs: 30_000,
      minTrustScore: 0,
      clock: new FakeClock(),
      logger: createLogger({ level: 'error', write: () => undefined }),
      random: () => draws.shift() ?? 0,
    });
  }

  const offer = (f: ExecutableInstall): ShadowOffer => ({
    found: f,
    tenant: { id: f.install.tenantId, tier: 'pro', status: 'active', settings: {} } as unknown as ShadowOffer['tenant'],
    executionId: randomUUID(),
    action: 'run',
    input: {},
    ran: '1.0.0',
    result: OK,
  });

  /** Let the held runs go, one by one, until `n` have been recorded. */
  async function release(r: ShadowRunner, n: number): Promise<void> {
    while (recorded.length < n) {
      const next = held.shift();
      if (next !== undefined) next();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await r.idle();
  }

  beforeEach(() => {
    held = [];
    started = [];
    recorded = [];
    draws = [];
  });

  it('should run one at a time, queue QUEUE_CAPACITY, and drop and count the rest', async () => {
    const r = runner();
    const f = found(1);
    for (let i = 0; i < QUEUE_CAPACITY + 4; i++) r.offer(offer(f));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(started.length, 1, 'one run at a time');
    assert.equal(r.dropped, 3, '1 running + QUEUE_CAPACITY waiting; the rest dropped');
    await release(r, QUEUE_CAPACITY + 1);
    assert.equal(recorded.length, QUEUE_CAPACITY + 1);
    assert.ok(recorded.every((c) => c.outcome === 'identical'));
    assert.ok(started.every((s) => s.installId === `shadow:${f.install.id}`), 'its own sandbox key');
  });

  it('should sample by the rate', async () => {
    const r = runner();
    draws = [0.2, 0.7, 0.49, 0.5];
    const f = found(0.5);
    for (let i = 0; i < 4; i++) r.offer(offer(f));
    await release(r, 2);
    assert.equal(recorded.length, 2);
    assert.equal(r.dropped, 0);
  });

  it("should not run a candidate the trust policy refuses, a rollout's answer, or the installed version itself", async () => {
    const r = runner();
    const yanked = found(1);
    r.offer(offer({ ...yanked, shadow: { ...yanked.shadow!, status: 'yanked' } }));
    r.offer({ ...offer(found(1)), ran: '1.2.0' });
    const same = found(1);
    r.offer(offer({ ...same, install: { ...same.install, version: '1.1.0' } }));
    await r.idle();
    assert.equal(started.length, 0);
    assert.equal(r.dropped, 0);
  });

  it('should drop what waits on close and let the running one end', async () => {
    const r = runner();
    const f = found(1);
    for (let i = 0; i < 3; i++) r.offer(offer(f));
    await new Promise((resolve) => setImmediate(resolve));
    const closed = r.close();
    assert.equal(r.dropped, 2);
    held.shift()?.();
    await closed;
    assert.equal(recorded.length, 1);
    r.offer(offer(f));
    assert.equal(r.dropped, 3, 'closed: offers are dropped');
  });
});
