import assert from 'node:assert/strict';
import path from 'node:path';
import { backends, useDatabase } from '../support/database-backends.js';
import { EXAMPLES_DIR, errorCodeOf, type CliRun, succeeded, succeededJson } from '../support/run-cli.js';
import { createCliCast, listenTestHost, type ListeningHost } from './cli-host.js';

/** deprecate and dist-tag through the CLI against a real host on a loopback port; install shows the warning. */
for (const backend of backends) {
  describe(`bazaar deprecate and dist-tag against a real host (${backend.name})`, function () {
    this.timeout(90_000);
    const database = useDatabase(backend);
    let server: ListeningHost;
    let asPublisher: (args: string[]) => Promise<CliRun>;
    let asAcme: (args: string[]) => Promise<CliRun>;

    before(async () => {
      server = await listenTestHost(database.current);
      const cast = await createCliCast(server);
      asPublisher = cast.publisher;
      asAcme = cast.acme;
      succeededJson(await asPublisher(['publish', path.join(EXAMPLES_DIR, 'slugify'), '--json']));
      succeededJson(await cast.admin(['review', 'approve', '@examples/slugify@1.0.0', '--json']));
    });
    after(async () => server?.close());

    it('deprecate: should set and undo the message, and install should print it as a warning', async () => {
      const out = succeeded(await asPublisher(['deprecate', '@examples/slugify@1.0.0', 'use 2.x instead']));
      assert.match(out, /@examples\/slugify@1\.0\.0: deprecated: use 2\.x instead/);
      const installed = await asAcme(['install', '@examples/slugify']);
      assert.equal(installed.code, 0, installed.stderr);
      assert.match(installed.stderr, /warning: @examples\/slugify@1\.0\.0 is deprecated: use 2\.x instead/);
      assert.match(installed.stdout, /installed @examples\/slugify@1\.0\.0/);
      // It still runs.
      assert.deepEqual(succeededJson(await asAcme(['exec', '@examples/slugify', '--input', '{"title":"Still Runs"}', '--json']))['output'], { slug: 'still-runs' });
      succeeded(await asAcme(['uninstall', '@examples/slugify']));

      // A tenant key may not; the host's code comes through with exit 1.
      const refused = await asAcme(['deprecate', '@examples/slugify@1.0.0', 'nope', '--json']);
      assert.equal(refused.code, 1);
      assert.equal(errorCodeOf(refused), 'forbidden');
      // No message and no --undo: a usage error, nothing sent.
      assert.equal((await asPublisher(['deprecate', '@examples/slugify@1.0.0'])).code, 2);

      const undone = succeededJson(await asPublisher(['deprecate', '@examples/slugify@1.0.0', '--undo', '--json']));
      assert.equal(undone['deprecated'], null);
    });

    it('dist-tag: should add, list and remove tags, and install by tag', async () => {
      assert.deepEqual(succeededJson(await asAcme(['dist-tag', 'ls', '@examples/slugify', '--json'])), { distTags: { latest: '1.0.0' } });
      const added = succeededJson(await asPublisher(['dist-tag', 'add', '@examples/slugify@1.0.0', 'stable', '--json']));
      assert.deepEqual(added, { distTags: { latest: '1.0.0', stable: '1.0.0' } });
      assert.match(succeeded(await asAcme(['dist-tag', 'ls', '@examples/slugify'])), /stable\s+1\.0\.0/);

      // `--version <tag>` after the command is the install's, not the program's own --version.
      const byTag = succeededJson(await asAcme(['install', '@examples/slugify', '--version', 'stable', '--json']));
      assert.equal(byTag['version'], '1.0.0');
      succeeded(await asAcme(['uninstall', '@examples/slugify']));
      const byEquals = succeededJson(await asAcme(['install', '@examples/slugify', '--version=stable', '--json']));
      assert.equal(byEquals['version'], '1.0.0');
      succeeded(await asAcme(['uninstall', '@examples/slugify']));

      const bad = await asPublisher(['dist-tag', 'add', '@examples/slugify@1.0.0', 'v1', '--json']);
      assert.equal(bad.code, 1);
      assert.equal(errorCodeOf(bad), 'invalid_request');
      assert.equal(errorCodeOf(await asPublisher(['dist-tag', 'rm', '@examples/slugify', 'latest', '--json'])), 'invalid_request');
      assert.equal(errorCodeOf(await asAcme(['dist-tag', 'add', '@examples/slugify@1.0.0', 'beta', '--json'])), 'forbidden');

      assert.deepEqual(succeededJson(await asPublisher(['dist-tag', 'rm', '@examples/slugify', 'stable', '--json'])), { distTags: { latest: '1.0.0' } });
      assert.equal(errorCodeOf(await asPublisher(['dist-tag', 'rm', '@examples/slugify', 'stable', '--json'])), 'not_found');
    });
  });
}
