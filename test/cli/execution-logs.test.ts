import assert from 'node:assert/strict';
import { backends, useDatabase } from '../support/database-backends.js';
import { errorCodeOf, runCliProcess, type CliRun, succeeded, succeededJson } from '../support/run-cli.js';
import { createInstaller, execute, installOk, packageOf, publishApproved, type Installer } from '../host/executions/execution-host.js';
import { createKey, createTenant } from '../support/test-host.js';
import { listenTestHost, type ListeningHost } from './cli-host.js';

/** A plugin that logs, then throws (a multi-line log entry included). */
const NOISY_SOURCE = `
export function fail(input, ctx) {
  ctx.log('first line');
  ctx.log('two\\nlines');
  throw new Error('kaput');
}
export function succeed(input, ctx) {
  ctx.log('all fine');
  return { ok: true };
}
`;

/** `bazaar executions show` with the logs the host keeps, through the CLI against a real host on a loopback port. */
for (const backend of backends) {
  describe(`bazaar executions show with kept logs (${backend.name})`, function () {
    this.timeout(90_000);
    const database = useDatabase(backend);
    let server: ListeningHost;
    let acme: Installer;
    let installId: string;
    let asAcme: (args: string[]) => Promise<CliRun>;

    before(async () => {
      server = await listenTestHost(database.current);
      const { host } = server;
      const examples = await createTenant(host, { slug: 'examples', tier: 'pro' });
      const { key: publisherKey } = await createKey(host, examples.id, ['plugins:publish']);
      const ok = { type: 'object', required: ['ok'], properties: { ok: { type: 'boolean' } } };
      await publishApproved(
        host,
        { key: publisherKey, tenantId: examples.id },
        packageOf({ name: '@examples/noisy', actions: { fail: { output: ok }, succeed: { output: ok } }, defaultAction: 'succeed' }, { 'index.js': NOISY_SOURCE }),
      );
      acme = await createInstaller(host, 'acme');
      installId = await installOk(host, acme.key, { plugin: '@examples/noisy' });
      asAcme = (args) => runCliProcess([...args, '--host', server.url, '--key', acme.key]);
    });
    after(async () => server?.close());

    it('should print a failed execution\'s status, version, usage, error and logs, and --json the record', async () => {
      const failed = await execute(server.host, acme.key, installId, { action: 'fail', input: {} }).expect(422);
      const id = String(failed.body.executionId);

      const human = succeeded(await asAcme(['executions', 'show', id]));
      assert.match(human, /^plugin: +@examples\/noisy@\d+\.\d+\.\d+$/m);
      assert.match(human, /^status: +failed$/m);
      assert.match(human, /^error: +plugin_error$/m);
      assert.match(human, /^message: +.*kaput/m);
      assert.match(human, /^cpu ms: +\d+\.\d$/m);
      // Logs last, one entry per line, a multi-line entry's continuation indented too.
      assert.match(human, /^logs:\n {2}first line\n {2}two\n {2}lines\n$/m);

      const json = succeededJson(await asAcme(['executions', 'show', id, '--json']));
      assert.equal(json['executionId'], id);
      assert.deepEqual(json['logs'], ['first line', 'two\nlines']);
      assert.deepEqual(json['error'], { ...failed.body.error, code: 'plugin_error' });
    });

    it('exec: should print the error with the plugin\'s own stack frames and the logs written before it (exit 1)', async () => {
      const run = await asAcme(['exec', installId, '--action', 'fail']);
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stdout, /^✖ failed \[plugin_error\]: .*kaput/m);
      // NOISY_SOURCE's fifth line is the throw: package-relative, and no host frame or path.
      assert.match(run.stdout, /^ {4}at fail \(index\.js:5:\d+\)$/m);
      assert.doesNotMatch(run.stdout, /dist\/|node:internal|\/work\//);
      assert.match(run.stdout, /^logs:\n {2}first line\n {2}two\n {2}lines\n$/m);
    });

    it('should say when logs are not kept (a success, by default), and 404 another tenant\'s execution', async () => {
      const ok = await execute(server.host, acme.key, installId, { action: 'succeed', input: {} }).expect(200);
      const human = succeeded(await asAcme(['executions', 'show', String(ok.body.executionId)]));
      assert.match(human, /^status: +succeeded$/m);
      assert.match(human, /^logs: \(not kept\)$/m);
      assert.doesNotMatch(human, /all fine/);

      const failed = await execute(server.host, acme.key, installId, { action: 'fail', input: {} }).expect(422);
      const other = await createInstaller(server.host, 'other');
      const run = await runCliProcess(['executions', 'show', String(failed.body.executionId), '--host', server.url, '--key', other.key, '--json']);
      assert.equal(run.code, 1);
      assert.equal(errorCodeOf(run), 'not_found');
    });
  });
}
