/**
 * `bazaar shadow` against a real host: start shadow runs by plugin name,
 * execute, read the report (JSON and the readable diff), stop them; a bad
 * sample rate and no shadow exit with their codes.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { backends, useDatabase } from '../support/database-backends.js';
import { EXAMPLES_DIR, errorCodeOf, type CliRun, succeeded, succeededJson } from '../support/run-cli.js';
import { createCliCast, listenTestHost, slugifyAs, type ListeningHost } from './cli-host.js';

for (const backend of backends) {
  describe(`bazaar shadow against a real host (${backend.name})`, function () {
    this.timeout(120_000);
    const database = useDatabase(backend);
    let server: ListeningHost;
    let asAcme: (args: string[]) => Promise<CliRun>;

    before(async () => {
      server = await listenTestHost(database.current);
      const cast = await createCliCast(server);
      // slugify 1.0.0, and 1.1.0 joining words with "_" whatever the config says.
      const underscores = await slugifyAs('1.1.0', (code) => code.replace('slug + separator + word', "slug + '_' + word"));
      for (const dir of [path.join(EXAMPLES_DIR, 'slugify'), underscores]) succeededJson(await cast.publisher(['publish', dir, '--json']));
      succeededJson(await cast.admin(['review', 'approve', '@examples/slugify@1.0.0', '--json']));
      succeededJson(await cast.admin(['review', 'approve', '@examples/slugify@1.1.0', '--json']));
      asAcme = cast.acme;
      succeededJson(await asAcme(['install', '@examples/slugify', '--version', '1.0.0', '--json']));
    });
    after(async () => server?.close());

    it('should start shadow runs, report them (JSON and readable) and stop them', async () => {
      const started = succeededJson(await asAcme(['shadow', '@examples/slugify', '1.1.0', '--sample-rate', '1', '--json']));
      assert.deepEqual([started['version'], (started['shadow'] as { version: string }).version], ['1.0.0', '1.1.0']);
      for (const title of ['Hello World', 'Hello']) succeeded(await asAcme(['exec', '@examples/slugify', '--input', JSON.stringify({ title })]));
      await server.host.deps.shadowRunner.idle();
      const report = succeededJson(await asAcme(['shadow', 'report', '@examples/slugify', '--json']));
      assert.deepEqual([report['compared'], report['identical'], report['different']], [2, 1, 1]);
      const human = await asAcme(['shadow', 'report', '@examples/slugify']);
      assert.equal(human.code, 0, human.stderr);
      assert.match(human.stdout, /compared:\s+2/);
      assert.match(human.stdout, /- current: {3}\{"slug":"hello-world"\}/);
      assert.match(human.stdout, /\+ candidate: \{"slug":"hello_world"\}/);
      assert.match(human.stdout, /cost per 1000:\s+current 50 ¢/);
      const stopped = succeededJson(await asAcme(['shadow', 'stop', '@examples/slugify', '--json']));
      assert.equal(stopped['shadow'], null);
    });

    it('should exit 1 with not_found when there is no shadow, and refuse a bad sample rate', async () => {
      const none = await asAcme(['shadow', 'report', '@examples/slugify', '--json']);
      assert.equal(none.code, 1);
      assert.equal(errorCodeOf(none), 'not_found');
      const installed = await asAcme(['shadow', '@examples/slugify', '1.0.0', '--sample-rate', '1', '--json']);
      assert.equal(installed.code, 1);
      assert.equal(errorCodeOf(installed), 'invalid_request');
      const bad = await asAcme(['shadow', '@examples/slugify', '1.1.0', '--sample-rate', '1.5']);
      assert.equal(bad.code, 2);
    });
  });
}
