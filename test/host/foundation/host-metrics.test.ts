/**
 * The sandbox's running totals (evictions, worker restarts) become Prometheus
 * counters: each scrape adds what the totals grew by, so the counter never goes
 * down, even when the runtime starts over from zero.
 */
import assert from 'node:assert/strict';
import { HostMetrics } from '../../../host/foundation/host-metrics.js';
import type { SandboxStats } from '../../../runtime/types.js';

function stats(evictions: number, restarts: number): SandboxStats {
  return { workers: 2, warmInstances: 1, evictions, restarts, memoryBytes: 1024, running: 0, waiting: 0, refused: 0, perWorker: [] };
}

function value(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? Number.NaN : Number(line.slice(name.length + 1));
}

describe('host metrics: sandbox counters', () => {
  it('should add the growth of the runtime totals at each scrape, and start over with it', async () => {
    const readings = [stats(0, 0), stats(3, 1), stats(5, 1), stats(2, 0)]; // the last: a fresh runtime
    let reads = 0;
    const metrics = new HostMetrics({ sandboxStats: async () => readings[reads++]! }, { defaultMetrics: false });
    const seen: [number, number][] = [];
    for (let i = 0; i < readings.length; i++) {
      const { body } = await metrics.render();
      seen.push([value(body, 'bazaar_sandbox_evictions_total'), value(body, 'bazaar_sandbox_restarts_total')]);
      assert.equal(value(body, 'bazaar_sandbox_workers'), 2);
    }
    assert.deepEqual(seen, [[0, 0], [3, 1], [5, 1], [7, 1]]);
    assert.equal(reads, readings.length, 'one stats call per scrape feeds every sandbox series');
  });
});
