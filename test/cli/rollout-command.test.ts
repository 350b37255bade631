/**
 * `bazaar rollout` against a real host: start a rollout by plugin name,
 * adjust it, promote it, start another and abort it; bad percents and no
 * rollout exit 1 with their codes.
 */
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { backends, useDatabase } from '../support/database-backends.js';
import { EXAMPLES_DIR, errorCodeOf, runCliProcess, type CliRun, succeededJson } from '../support/run-cli.js';
import { listenTestHost, type ListeningHost } from './cli-host.js';

for (const backend of backends) {
  describe(`bazaar rollout against a real host (${backend.name})`, function () {
    this.timeout(120_000);
    const database = useDatabase(backend);
    let server: ListeningHost;
    let asAcme: (args: string[]) => Promise<CliRun>;

    before(async () => {
      server = await listenTestHost(database.current);
      const admin = (args: string[]) => runCliProcess(args, { env: { BAZAAR_HOST: server.url, BAZAAR_KEY: server.host.adminKey } });
      succeededJson(await admin(['tenants', 'create', '--name', 'Examples', '--slug', 'examples', '--owner-email', 'dev@examples.test', '--tier', 'pro', '--json']));
      succeededJson(await admin(['tenants', 'create', '--name', 'Acme Corp', '--slug', 'acme', '--owner-email', 'ops@acme.test', '--tier', 'pro', '--json']));
      const publisher = String(succeededJson(await admin(['keys', 'create', '--tenant', 'examples', '--scopes', 'plugins:publish', '--json']))['key']);
      // slugify 1.0.0 and the same code as 1.1.0.
      const copy = await mkdtemp(path.join(tmpdir(), 'bazaar-rollout-'));
      await cp(path.join(EXAMPLES_DIR, 'slugify'), copy, { recursive: true });
      const manifest = JSON.parse(await readFile(path.join(copy, 'manifest.json'), 'utf8')) as Record<string, unknown>;
      await writeFile(path.join(copy, 'manifest.json'), JSON.stringify({ ...manifest, version: '1.1.0' }));
      for (const dir of [path.join(EXAMPLES_DIR, 'slugify'), copy]) {
        succeededJson(await runCliProcess(['publish', dir, '--host', server.url, '--key', publisher, '--json']));
      }
      succeededJson(await admin(['review', 'approve', '@examples/slugify@1.0.0', '--json']));
      succeededJson(await admin(['review', 'approve', '@examples/slugify@1.1.0', '--json']));
      const acmeKey = String(succeededJson(await admin(['keys', 'create', '--tenant', 'acme', '--scopes', 'plugins:install,plugins:execute', '--json']))['key']);
      asAcme = (args) => runCliProcess([...args, '--host', server.url, '--key', acmeKey]);
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
