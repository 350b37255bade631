import assert from 'node:assert/strict';
import path from 'node:path';
import { backends, useDatabase } from '../support/database-backends.js';
import { EXAMPLES_DIR, errorCodeOf, parseJsonOutput, runCliProcess, type CliRun, succeeded, succeededJson } from '../support/run-cli.js';
import { listenTestHost, type ListeningHost } from './cli-host.js';

/** uninstall and executions through the CLI against a real host on a loopback port. */
for (const backend of backends) {
  describe(`bazaar uninstall and executions against a real host (${backend.name})`, function () {
    this.timeout(90_000);
    const database = useDatabase(backend);
    let server: ListeningHost;
    let admin: (args: string[]) => Promise<CliRun>;
    let asAcme: (args: string[]) => Promise<CliRun>;
    let acmeKey: string;


    before(async () => {
      server = await listenTestHost(database.current);
      admin = (args) => runCliProcess(args, { env: { BAZAAR_HOST: server.url, BAZAAR_KEY: server.host.adminKey } });
      // A publisher whose approved plugin a customer tenant installs.
      succeededJson(await admin(['tenants', 'create', '--name', 'Examples', '--slug', 'examples', '--owner-email', 'dev@examples.test', '--tier', 'pro', '--json']));
      // Pro: the free tier's 60 requests a minute is less than these tests make.
      succeededJson(await admin(['tenants', 'create', '--name', 'Acme Corp', '--slug', 'acme', '--owner-email', 'ops@acme.test', '--tier', 'pro', '--json']));
      const publisher = String(succeededJson(await admin(['keys', 'create', '--tenant', 'examples', '--scopes', 'plugins:publish', '--json']))['key']);
      succeededJson(await runCliProcess(['publish', path.join(EXAMPLES_DIR, 'slugify'), '--host', server.url, '--key', publisher, '--json']));
      succeededJson(await admin(['review', 'approve', '@examples/slugify@1.0.0', '--json']));
      acmeKey = String(succeededJson(await admin(['keys', 'create', '--tenant', 'acme', '--scopes', 'plugins:install,plugins:execute', '--json']))['key']);
      asAcme = (args) => runCliProcess([...args, '--host', server.url, '--key', acmeKey]);
    });
    after(async () => server?.close());
    // Each test starts without the install, whatever the last one left.
    afterEach(async () => void (await asAcme(['uninstall', '@examples/slugify'])));

    it('executions list/show: should list newest first, filter by install, status and limit, and show one', async () => {
      const install = succeededJson(await asAcme(['install', '@examples/slugify', '--json']));
      const success = succeededJson(await asAcme(['exec', '@examples/slugify', '--input', '{"title":"Hello Bazaar"}', '--json']));
      server.host.clock.advance(1_000); // the host's clock is the test's: "newest first" needs them apart
      const failed = await asAcme(['exec', '@examples/slugify', '--input', '{"title":42}', '--json']);
      assert.equal(failed.code, 1);
      const failedId = String(parseJsonOutput(failed)['executionId']);

      type Execution = { executionId: string; installId: string; status: string; error: { code: string } | null };
      const all = succeededJson(await asAcme(['executions', 'list', '--json']));
      assert.deepEqual((all['items'] as Execution[]).map((e) => e.executionId), [failedId, String(success['executionId'])]);
      assert.equal(all['nextCursor'], null);
      // `executions` alone is the list.
      assert.deepEqual(succeededJson(await asAcme(['executions', '--json'])), all);

      const onlyFailed = succeededJson(await asAcme(['executions', 'list', '--status', 'failed', '--json']))['items'] as Execution[];
      assert.deepEqual(onlyFailed.map((e) => [e.executionId, e.error?.code]), [[failedId, 'invalid_input']]);
      const page = succeededJson(await asAcme(['executions', 'list', '--limit', '1', '--json']));
      assert.equal((page['items'] as Execution[]).length, 1);
      const next = succeededJson(await asAcme(['executions', 'list', '--limit', '1', '--cursor', String(page['nextCursor']), '--json']));
      assert.deepEqual((next['items'] as Execution[]).map((e) => e.executionId), [String(success['executionId'])]);
      // --install by plugin name or by id.
      for (const ref of ['@examples/slugify', String(install['id'])]) {
        const items = succeededJson(await asAcme(['executions', 'list', '--install', ref, '--json']))['items'] as Execution[];
        assert.equal(items.length, 2, ref);
        assert.ok(items.every((e) => e.installId === install['id']), ref);
      }

      const table = succeeded(await asAcme(['executions', 'list']));
      assert.match(table, /^ID\s+PLUGIN\s+ACTION\s+STATUS\s+CPU MS\s+WALL MS\s+STARTED$/m);
      assert.match(table, new RegExp(`^${failedId}\\s+@examples/slugify@1\\.0\\.0\\s+\\w+\\s+failed \\(invalid_input\\)`, 'm'));
      assert.match(succeeded(await asAcme(['executions', 'list', '--limit', '1'])), /^more: --cursor \S+$/m);
      // Both filters and the limit at once: the header and the one failed execution, no further page.
      const filtered = succeeded(await asAcme(['executions', 'list', '--install', '@examples/slugify', '--status', 'failed', '--limit', '1'])).trimEnd().split('\n');
      assert.equal(filtered.length, 2, filtered.join('\n'));
      assert.match(filtered[1]!, new RegExp(`^${failedId}\\s`));

      const shown = succeededJson(await asAcme(['executions', 'show', failedId, '--json']));
      assert.equal(shown['executionId'], failedId);
      // A failure keeps its full error and (here empty: refused before the plugin ran) logs for a while.
      assert.equal((shown['error'] as { code: string }).code, 'invalid_input');
      assert.equal(typeof (shown['error'] as { message?: unknown }).message, 'string');
      assert.deepEqual(shown['logs'], []);
      const human = succeeded(await asAcme(['executions', 'show', String(success['executionId'])]));
      assert.match(human, /^plugin: +@examples\/slugify@1\.0\.0$/m);
      assert.match(human, /^status: +succeeded$/m);
      assert.match(human, /^error: +-$/m);
      assert.match(human, /^logs: \(not kept\)$/m);

      for (const args of [['executions', 'show', 'no-such-execution'], ['executions', 'list', '--install', '@examples/nothing']]) {
        const run = await asAcme([...args, '--json']);
        assert.equal(run.code, 1, args.join(' '));
        assert.equal(errorCodeOf(run), 'not_found', args.join(' '));
      }
    });

    it('uninstall: should remove the install by plugin name or id, keep its executions, and exit 1 for an unknown one', async () => {
      const first = succeededJson(await asAcme(['install', '@examples/slugify', '--json']));
      succeededJson(await asAcme(['exec', '@examples/slugify', '--input', '{"title":"x"}', '--json']));
      assert.deepEqual(succeededJson(await asAcme(['uninstall', '@examples/slugify', '--json'])), { id: first['id'], plugin: '@examples/slugify', uninstalled: true });
      const gone = await asAcme(['exec', '@examples/slugify', '--input', '{"title":"x"}', '--json']);
      assert.equal(gone.code, 1);
      assert.equal(errorCodeOf(gone), 'not_found');
      const again = await asAcme(['uninstall', '@examples/slugify', '--json']);
      assert.equal(again.code, 1);
      assert.equal(errorCodeOf(again), 'not_found');
      const history = succeededJson(await asAcme(['executions', 'list', '--install', String(first['id']), '--json']))['items'] as unknown[];
      assert.equal(history.length, 1);

      const second = succeededJson(await asAcme(['install', '@examples/slugify', '--json']));
      assert.equal(succeeded(await asAcme(['uninstall', String(second['id'])])), `uninstalled install ${String(second['id'])}\n`);
      const unknownId = await asAcme(['uninstall', String(second['id'])]);
      assert.equal(unknownId.code, 1);
      assert.match(unknownId.stderr, /error \[not_found\]/);

      // A key without plugins:install is refused by the host.
      const executeOnly = String(succeededJson(await admin(['keys', 'create', '--tenant', 'acme', '--scopes', 'plugins:execute', '--json']))['key']);
      succeededJson(await asAcme(['install', '@examples/slugify', '--json']));
      const forbidden = await runCliProcess(['uninstall', '@examples/slugify', '--host', server.url, '--key', executeOnly, '--json']);
      assert.equal(forbidden.code, 1);
      assert.equal(errorCodeOf(forbidden), 'forbidden');
    });
  });
}
