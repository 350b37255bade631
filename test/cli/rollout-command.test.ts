/**
 * `bazaar rollout` against a real host: start a rollout by plugin name,
 * adjust it, promote it, start another and abort it; bad percents and no
 * rollout exit 1 with their codes.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { backends, useDatabase } from '../support/database-backends.js';
import { EXAMPLES_DIR, errorCodeOf, type CliRun, succeededJson } from '../support/run-cli.js';
import { createCliCast, listenTestHost, slugifyAs, type ListeningHost } from './cli-host.js';

for (const backend of backends) {
  describe(`bazaar rollout against a real host (${backend.name})`, function () {
    this.timeout(120_000);
    const database = useDatabase(backend);
    let server: ListeningHost;
    let asAcme: (args: string[]) => Promise<CliRun>;

    before(async () => {
      server = await listenTestHost(database.current);
      const cast = await createCliCast(server);
      // slugify 1.0.0 and the same code as 1.1.0.
      for (const dir of [path.join(EXAMPLES_DIR, 'slugify'), await slugifyAs('1.1.0')]) succeededJson(await cast.publisher(['publish', dir, '--json']));
      succeededJson(await cast.admin(['review', 'approve', '@examples/slugify@1.0.0', '--json']));
      succeededJson(await cast.admin(['review', 'approve', '@examples/slugify@1.1.0', '--json']));
      asAcme = cast.acme;
      succeededJson(await asAcme(['install', '@examples/slugify', '--json'])); // the latest: 1.1.0
    });
    after(async () => server?.close());

    it('should start, adjust and promote a rollout, showing it in human output', async () => {
      const started = succeededJson(await asAcme(['rollout', '@examples/slugify', '1.0.0', '--percent', '20', '--json']));
      assert.deepEqual([started['version'], (started['rollout'] as { percent: number }).percent], ['1.1.0', 20]);
      const adjusted = await asAcme(['rollout', '@examples/slugify', '1.0.0', '--percent', '60']);
      assert.equal(adjusted.code, 0, adjusted.stderr);
      assert.match(adjusted.stdout, /1\.0\.0 on 60%/);
      const promoted = succeededJson(await asAcme(['rollout', 'promote', '@examples/slugify', '--json']));
      assert.deepEqual([promoted['version'], promoted['rollout']], ['1.0.0', null]);
    });

    it('should abort a rollout, and exit 1 with a code when there is none or the percent is out of bounds', async () => {
      succeededJson(await asAcme(['rollout', '@examples/slugify', '1.1.0', '--percent', '5', '--json']));
      const aborted = succeededJson(await asAcme(['rollout', 'abort', '@examples/slugify', '--json']));
      assert.deepEqual([aborted['version'], aborted['rollout']], ['1.0.0', null]);
      const none = await asAcme(['rollout', 'abort', '@examples/slugify', '--json']);
      assert.equal(none.code, 1);
      assert.equal(errorCodeOf(none), 'no_rollout');
      const bad = await asAcme(['rollout', '@examples/slugify', '1.1.0', '--percent', '100']);
      assert.notEqual(bad.code, 0);
    });
  });
}
