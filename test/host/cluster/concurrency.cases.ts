/**
 * One concurrency cap across hosts. A tenant may run 2 executions at once;
 * it sends 6 executions of the gate plugin (which waits until the test opens
 * the gate) at once, 2 to each host. The two that get a lease wait at the
 * gate; the other 4 must be refused 429 `concurrency_limited` while they
 * wait. Only then does the test open the gate.
 *
 * Checked three ways: the answers (2 × 200, 4 × 429), the gate (never more
 * than 2 plugins waiting at once), and the ledger (no instant at which more
 * than 2 recorded executions overlap). Afterwards every lease is given back:
 * each host runs again.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { GATE, type ClusterWorld } from './cluster-world.js';
import { type Reply, tally } from './cluster-http.js';

const CAP = 2;
const REQUESTS = 6;

export function concurrencyCases(world: () => ClusterWorld): void {
  describe('concurrency cap', () => {
    it(`should let at most ${CAP} of ${REQUESTS} concurrent executions over three hosts run at once`, async () => {
      const w = world();
      const tenant = await w.createTenant('cc-tenant', 'pro', { maxConcurrentExecutions: CAP, requestsPerMinute: 100_000 });
      const installId = await w.install(tenant, { plugin: GATE, grantPermissions: { network: { hosts: [w.gate.hostPort] } } });

      w.gate.close();
      let answered = 0;
      let replies: Reply[];
      try {
        const pending = Array.from({ length: REQUESTS }, (_, i) =>
          w.execute(i % 3, tenant, installId, { url: w.gate.url }).then((reply) => {
            answered += 1;
            return reply;
          }),
        );
        // Bounded wait for the refusals; if more than CAP ran, they never come and the counts below fail.
        for (let i = 0; i < 300 && answered < REQUESTS - CAP; i++) await sleep(100);
        assert.equal(w.gate.maxHeld <= CAP, true, `${w.gate.maxHeld} plugins were waiting at the gate at once`);
        w.gate.open();
        replies = await Promise.all(pending);
      } finally {
        w.gate.open();
      }

      assert.deepEqual(tally(replies), { '200': CAP, '429 concurrency_limited': REQUESTS - CAP });
      assert.ok(w.gate.maxHeld <= CAP);
      const rows: { started_at: Date; finished_at: Date }[] = await w.servers.db('usage_records').where({ tenant_id: tenant.id }).select('started_at', 'finished_at');
      assert.equal(rows.length, CAP);
      assert.ok(maxOverlap(rows) <= CAP);

      // Every lease was given back: each host runs again.
      for (let host = 0; host < 3; host++) {
        const res = await w.execute(host, tenant, installId, { url: w.gate.url });
        assert.equal(res.status, 200, JSON.stringify(res.body));
      }
    });
  });
}

/** The most intervals covering one instant (a start at the same instant as an end counts as overlapping). */
function maxOverlap(rows: readonly { started_at: Date; finished_at: Date }[]): number {
  const events = rows.flatMap((r) => [
    { at: r.started_at.getTime(), delta: 1 },
    { at: r.finished_at.getTime(), delta: -1 },
  ]);
  events.sort((a, b) => a.at - b.at || b.delta - a.delta);
  let open = 0;
  let max = 0;
  for (const e of events) {
    open += e.delta;
    max = Math.max(max, open);
  }
  return max;
}
