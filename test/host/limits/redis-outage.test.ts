/**
 * Redis going away and coming back, on a private `redis-server` this test
 * starts on a free loopback port (so the shared one is never touched):
 * the rate limiter falls back to per-process limits, quota and concurrency
 * answer 503 `dependency_unavailable`, and everything recovers by itself.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Limits, createLimits } from '../../../host/limits/index.js';
import { createLogger } from '../../../host/foundation/logger.js';
import { isBazaarError } from '../../../manifests/errors.js';

const inCi = process.env.CI === 'true' || process.env.CI === '1';
const PERIOD = '2030-01';

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function startRedis(port: number): ChildProcess {
  // No persistence: a restart comes back empty, as after losing the data.
  return spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
}

async function stopRedis(child: ChildProcess | undefined): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}

/** Poll (bounded) until `condition` holds; the steps are not assertions on elapsed time. */
async function until(condition: () => Promise<boolean>, steps = 100, stepMs = 100): Promise<boolean> {
  for (let i = 0; i < steps; i++) {
    if (await condition()) return true;
    await sleep(stepMs);
  }
  return false;
}

const isCode = (code: string) => (err: unknown) => isBazaarError(err) && err.code === code;

describe('limits when Redis goes away and comes back', function () {
  this.timeout(30_000);
  let server: ChildProcess | undefined;
  let limits: Limits | undefined;
  let port = 0;
  const logs: { level: number; msg: string }[] = [];
  const current = (): Limits => limits ?? assert.fail('limits not open');

  before(async function () {
    if (spawnSync('redis-server', ['--version']).status !== 0) {
      if (inCi) throw new Error('redis-server is not installed');
      this.skip();
    }
    port = await freePort();
    server = startRedis(port);
    const logger = createLogger({ level: 'debug', write: (line) => logs.push(JSON.parse(line) as { level: number; msg: string }) });
    limits = createLimits({ redisUrl: `redis://127.0.0.1:${port}`, keyPrefix: 'outage:', logger });
    assert.ok(await until(() => current().ready()), 'private redis-server did not come up');
  });

  after(async () => {
    await limits?.close();
    await stopRedis(server);
  });

  it('should serve every counter from Redis while it is up', async () => {
    assert.equal(current().backend, 'redis');
    assert.equal((await current().rateLimiter.check('tenant-a', { limit: 2 })).remaining, 1);
    assert.equal((await current().quota.reserve('tenant-a', PERIOD, { included: 5, hardLimit: true })).used, 1);
    assert.equal((await current().concurrency.acquire('tenant-a', 1, 60_000)).acquired, true);
  });

  it('should fall back for rate limits and answer dependency_unavailable for quota and concurrency while down', async () => {
    await stopRedis(server);
    assert.ok(await until(async () => !(await current().ready())), 'readiness did not notice the outage');
    await assert.rejects(current().ping(), isCode('dependency_unavailable'));

    // Per-process limiting: still limited, from a fresh in-process bucket.
    const fallback = [];
    for (let i = 0; i < 3; i++) fallback.push((await current().rateLimiter.check('tenant-b', { limit: 2 })).allowed);
    assert.deepEqual(fallback, [true, true, false]);
    assert.equal(logs.filter((l) => l.level === 40 /* warn */ && /per process/.test(l.msg)).length, 1, 'one warning per outage');

    await assert.rejects(current().quota.reserve('tenant-a', PERIOD, { included: 5, hardLimit: true }), isCode('dependency_unavailable'));
    await assert.rejects(current().quota.used('tenant-a', PERIOD), isCode('dependency_unavailable'));
    await assert.rejects(current().concurrency.acquire('tenant-a', 5, 60_000), isCode('dependency_unavailable'));
    // Releases never fail a finished response: they answer false and the lease/refund is logged.
    assert.equal(await current().quota.release('tenant-a', PERIOD), false);
    assert.equal(await current().concurrency.release('not-a-token'), false);
  });

  it('should recover by itself when Redis is back (empty, scripts no longer loaded)', async () => {
    server = startRedis(port);
    assert.ok(await until(() => current().ready()), 'did not reconnect');

    // tenant-b is exhausted in the fallback bucket but unknown to the restarted Redis:
    // being allowed proves checks went back to Redis.
    const back = await current().rateLimiter.check('tenant-b', { limit: 2 });
    assert.deepEqual([back.allowed, back.remaining], [true, 1]);
    assert.ok(logs.some((l) => l.level === 30 /* info */ && /back/.test(l.msg)));

    // The restarted server lost the counter: it starts again (a UsageSource would seed it).
    assert.equal((await current().quota.reserve('tenant-a', PERIOD, { included: 5, hardLimit: true })).used, 1);
    assert.equal((await current().concurrency.acquire('tenant-a', 1, 60_000)).acquired, true);
  });
});
