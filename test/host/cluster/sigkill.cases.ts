/**
 * A host killed with SIGKILL under load (the first fault). 100
 * executions, 8 at a time, round-robin over the three hosts, each with its
 * own Idempotency-Key; host B is SIGKILLed once 30 have been answered, with
 * requests in flight on it. Then:
 *
 * - every execution answered 200/422 has its usage record (recorded before
 *   the answer, so a crash can only lose unanswered work): answered ⊆ recorded;
 * - at most the unanswered requests can have been recorded besides;
 * - B is restarted; replaying every answered request with its key, on
 *   another host than the first time, answers the first answer (same
 *   executionId) and adds no record: nothing counts twice after the restart;
 * - the lost requests, retried with their keys, run at most once each: never
 *   more records than requests;
 * - the restarted B executes again.
 */
import assert from 'node:assert/strict';
import { COUNTER, type ClusterWorld } from './cluster-world.js';
import { type Reply, outcome, trySend } from './cluster-http.js';

const TOTAL = 100;
const PARALLEL = 8;
const KILL_AFTER = 30;
const VICTIM = 1;

export function sigkillCases(world: () => ClusterWorld): void {
  describe('a host killed with SIGKILL under load', () => {
    it('should have recorded every answered execution and count nothing twice after the restart', async () => {
      const w = world();
      const tenant = await w.createTenant('sk-tenant', 'pro', { requestsPerMinute: 100_000, maxConcurrentExecutions: 1_000 });
      const installId = await w.install(tenant, { plugin: COUNTER });
      const path = `/v1/installs/${installId}/executions`;
      const request = (n: number, host: number) =>
        trySend(w.hosts[host]!.url, 'POST', path, { key: tenant.key, body: { input: { n } }, headers: { 'idempotency-key': `sk-${n}` } });

      // --- load, and the kill in the middle of it ---
      const replies = new Map<number, Reply | null>();
      let next = 0;
      let answered = 0;
      let killed: Promise<void> | undefined;
      const worker = async (): Promise<void> => {
        while (next < TOTAL) {
          const n = next++;
          const reply = await request(n, n % 3);
          replies.set(n, reply);
          if (reply?.status === 200 || reply?.status === 422) answered += 1;
          if (answered >= KILL_AFTER) killed ??= w.hosts[VICTIM]!.kill();
        }
      };
      await Promise.all(Array.from({ length: PARALLEL }, worker));
      await killed;
      assert.ok(killed !== undefined, 'the host was killed under load');

      const outcomes = [...replies.values()].map(outcome);
      const unexpected = outcomes.filter((o) => !['200', 'no answer'].includes(o) && !o.startsWith('422 '));
      assert.deepEqual(unexpected, [], 'only executions or lost answers');
      const answeredIds = new Map<number, string>();
      for (const [n, reply] of replies) if (reply !== null) answeredIds.set(n, reply.body.executionId as string);
      const unanswered = TOTAL - answeredIds.size;
      assert.ok(unanswered > 0, 'some requests were lost with the killed host');

      // --- answered ⊆ recorded, and nothing else but (possibly) the lost ones ---
      const recorded = await w.recordedIds(tenant.id);
      const missing = [...answeredIds.values()].filter((id) => !recorded.has(id));
      assert.deepEqual(missing, [], 'answered executions without a usage record');
      assert.ok(recorded.size <= answeredIds.size + unanswered, `${recorded.size} records for ${answeredIds.size} answered + ${unanswered} lost`);

      // --- restart; replays answer the first answer and add nothing ---
      await w.hosts[VICTIM]!.restart();
      for (const [n, executionId] of answeredIds) {
        const again = await request(n, (n + 1) % 3);
        assert.equal(again?.status, replies.get(n)?.status, `replay of sk-${n}: ${outcome(again)}`);
        assert.equal(again?.body.executionId, executionId, `replay of sk-${n}`);
      }
      const after = await w.recordedIds(tenant.id);
      assert.deepEqual([...after].sort(), [...recorded].sort(), 'replays added or removed records');

      // The lost requests, retried with their keys as a client would: each request runs at most
      // once in all. A claim the killed host completed replays; one it left in progress answers
      // 409 (retry later); one it never claimed runs now, recorded. Never two records for one request.
      const ranNow = new Set<string>();
      for (let n = 0; n < TOTAL; n++) {
        if (answeredIds.has(n)) continue;
        const retry = await request(n, n % 3);
        const o = outcome(retry);
        assert.ok(o === '200' || o.startsWith('422 ') || o === '409 conflict', `retry of sk-${n}: ${o}`);
        const id = retry?.body.executionId as string | undefined;
        if (id !== undefined && !recorded.has(id)) ranNow.add(id);
      }
      const final = await w.recordedIds(tenant.id);
      assert.deepEqual([...ranNow].filter((id) => !final.has(id)), [], 'a retry answered without a record');
      assert.equal(final.size, recorded.size + ranNow.size);
      assert.ok(final.size <= TOTAL, `${final.size} records for ${TOTAL} requests`);

      const fresh = await w.execute(VICTIM, tenant, installId, { n: -1 });
      assert.equal(fresh.status, 200, JSON.stringify(fresh.body));
    });
  });
}
