/**
 * `GET /metrics`: Prometheus text that moves with what
 * the host does. Each figure is read before and after the action that should
 * change it, so a counter that never moves fails the test.
 */
import assert from 'node:assert/strict';
import { backends, useDatabase } from '../../support/database-backends.js';
import type { TestHost } from '../../support/test-host.js';
import {
  type Installer,
  type Publisher,
  createInstaller,
  examplePackage,
  execute,
  hostilePackage,
  installOk,
  publishApproved,
  startExecutionHost,
} from '../executions/execution-host.js';

const SLUGIFY = '@examples/slugify';
const HOSTILE = '@examples/hostile';

/** The value of one series, e.g. `sample(text, 'bazaar_executions_total', {plugin: ..., status: ...})`; 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const wanted = Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`));
    if (wanted) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}

for (const backend of backends.slice(0, 1)) {
  describe(`GET /metrics (${backend.name})`, () => {
    const database = useDatabase(backend);
    let host: TestHost;
    let publisher: Publisher;
    let tenant: Installer;
    let slugify: string;
    let hostile: string;

    const scrape = async (): Promise<string> => {
      const res = await host.http().get('/metrics').set('Authorization', `Bearer ${host.adminKey}`);
      assert.equal(res.status, 200);
      assert.match(String(res.headers['content-type']), /^text\/plain/);
      return res.text;
    };

    before(async () => {
      ({ host, publisher } = await startExecutionHost(database.current));
      await publishApproved(host, publisher, await examplePackage('slugify'));
      await publishApproved(host, publisher, hostilePackage(HOSTILE));
      tenant = await createInstaller(host, 'metrics-tenant', 'pro', { requestsPerMinute: 8 });
      slugify = await installOk(host, tenant.key, { plugin: SLUGIFY });
      hostile = await installOk(host, tenant.key, { plugin: HOSTILE });
    });

    after(async () => {
      await host?.close();
    });

    it('should be Prometheus text with process and sandbox series', async () => {
      const text = await scrape();
      assert.match(text, /^# HELP bazaar_executions_total /m);
      assert.match(text, /^bazaar_sandbox_workers \d+/m);
      assert.match(text, /^bazaar_usage_queue_depth 0$/m);
      assert.match(text, /^bazaar_webhook_queue_depth 0$/m);
      assert.match(text, /^bazaar_shadow_dropped_total 0$/m);
    });

    it("should name Node's process metrics as stock dashboards expect: unprefixed", async () => {
      const text = await scrape();
      assert.match(text, /^# TYPE process_cpu_seconds_total counter$/m);
      assert.match(text, /^process_cpu_seconds_total \d/m);
      assert.match(text, /^process_resident_memory_bytes \d+/m);
      assert.match(text, /^nodejs_eventloop_lag_seconds \d/m);
      assert.doesNotMatch(text, /^bazaar_(process|nodejs)_/m);
    });

    it('should end every counter in _total and keep product series under bazaar_', async () => {
      const text = await scrape();
      const types = [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map(([, name, type]) => ({ name: name!, type: type! }));
      const counters = types.filter((t) => t.type === 'counter').map((t) => t.name);
      assert.ok(counters.includes('bazaar_sandbox_evictions_total'), 'evictions are a counter');
      assert.ok(counters.includes('bazaar_sandbox_restarts_total'), 'restarts are a counter');
      assert.deepEqual(counters.filter((name) => !name.endsWith('_total')), []);
      const stock = /^(process|nodejs)_/;
      assert.deepEqual(types.filter((t) => !stock.test(t.name) && !t.name.startsWith('bazaar_')).map((t) => t.name), []);
      assert.doesNotMatch(text, /^# TYPE bazaar_sandbox_(evictions|restarts) gauge$/m);
    });

    it('should count executions by plugin and status, and time them', async () => {
      const before = await scrape();
      assert.equal((await execute(host, tenant.key, slugify, { input: { title: 'Metrics' } })).status, 200);
      assert.equal((await execute(host, tenant.key, hostile, { action: 'boom', input: {} })).status, 422);
      const after = await scrape();
      const delta = (name: string, labels: Record<string, string>) => sample(after, name, labels) - sample(before, name, labels);
      assert.equal(delta('bazaar_executions_total', { plugin: SLUGIFY, status: 'succeeded' }), 1);
      assert.equal(delta('bazaar_executions_total', { plugin: HOSTILE, status: 'failed', error_code: 'plugin_error' }), 1);
      assert.equal(delta('bazaar_execution_wall_seconds_count', { plugin: SLUGIFY }), 1);
      // The route pattern, never the raw path with its id.
      assert.equal(delta('bazaar_http_requests_total', { route: '/v1/installs/:id/executions', status: '200' }), 1);
      assert.equal(delta('bazaar_http_requests_total', { route: '/v1/installs/:id/executions', status: '422' }), 1);
      assert.doesNotMatch(after, new RegExp(slugify));
      assert.ok(sample(after, 'bazaar_sandbox_workers') >= 1, 'the sandbox started its workers');
    });

    it('should count rate-limit refusals', async () => {
      const before = sample(await scrape(), 'bazaar_limit_refusals_total', { reason: 'rate_limited' });
      let refused = 0;
      for (let i = 0; i < 12; i++) {
        const res = await host.http().get('/v1/installs').set('Authorization', `Bearer ${tenant.key}`);
        if (res.status === 429) refused++;
      }
      assert.ok(refused > 0, 'the 8-per-minute limit refused some of 12 requests');
      assert.equal(sample(await scrape(), 'bazaar_limit_refusals_total', { reason: 'rate_limited' }) - before, refused);
    });
  });
}
