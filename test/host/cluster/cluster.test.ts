/**
 * Many hosts behave as one (docs/product.md "Storage and deployment": stateless
 * hosts behind a load balancer sharing PostgreSQL and Redis). Three real host
 * processes on the configured servers; each concept is one file of cases,
 * run here in order on the same three hosts (starting hosts is the slow part):
 *
 *   rate limits → quota edge → concurrency cap → revocation and install
 *   changes → gradual rollout → shadow runs → SIGKILL under load →
 *   PostgreSQL outage → Redis outage
 *
 * Needs both DATABASE_URL and REDIS_URL (the hosts need the real servers to be
 * "many"); skipped with a message otherwise. A configured server that cannot
 * be reached is skipped on a laptop and FAILS under CI=true (suite-backend.ts).
 * A host that cannot start always fails: that is a bug, not a missing server.
 */
import { useSuiteBackend } from '../../support/suite-backend.js';
import { concurrencyCases } from './concurrency.cases.js';
import { type ClusterServers, openClusterServers } from './cluster-servers.js';
import { type ClusterWorld, startClusterWorld } from './cluster-world.js';
import { postgresOutageCases } from './postgres-outage.cases.js';
import { quotaCases } from './quota.cases.js';
import { rateLimitCases } from './rate-limit.cases.js';
import { redisOutageCases } from './redis-outage.cases.js';
import { revocationCases } from './revocation.cases.js';
import { rolloutCases } from './rollout.cases.js';
import { shadowCases } from './shadow.cases.js';
import { sigkillCases } from './sigkill.cases.js';

const { DATABASE_URL, REDIS_URL } = process.env;
const configured = Boolean(DATABASE_URL) && Boolean(REDIS_URL);
const title = 'three host processes on one PostgreSQL and one Redis';

if (!configured) {
  describe(title, () => {
    it('needs DATABASE_URL and REDIS_URL (real servers) to run');
  });
} else {
  describe(title, function () {
    // Host start-up and the fault cases take tens of seconds on a loaded 2-core machine.
    this.timeout(180_000);
    const servers = useSuiteBackend<ClusterServers>({
      name: 'PostgreSQL + Redis',
      embedded: false,
      open: () => openClusterServers(DATABASE_URL!, REDIS_URL!),
    });
    let world: ClusterWorld | undefined;

    before(async function startCluster() {
      world = await startClusterWorld(servers.current);
    });

    afterEach(function reportHosts() {
      // A failed case says what the hosts said (but the per-request lines): the cause is usually there.
      if (this.currentTest?.state === 'failed' && world !== undefined) {
        for (const host of world.hosts) {
          const lines = host.output().split('\n').filter((line) => !line.includes('"msg":"request"'));
          console.error(`\n===== ${host.name} output =====\n${lines.join('\n')}`);
        }
      }
    });

    const current = (): ClusterWorld => {
      if (world === undefined) throw new Error('the cluster is not running');
      return world;
    };
    rateLimitCases(current);
    quotaCases(current);
    concurrencyCases(current);
    revocationCases(current);
    rolloutCases(current);
    shadowCases(current);
    sigkillCases(current);
    postgresOutageCases(current);
    redisOutageCases(current);
  });
}
