import assert from 'node:assert/strict';
import path from 'node:path';
import { backends, useDatabase } from '../support/database-backends.js';
import { EXAMPLES_DIR, errorCodeOf, parseJsonOutput, runCliProcess, type CliRun, succeededJson } from '../support/run-cli.js';
import { listenTestHost, type ListeningHost } from './cli-host.js';

/** Every role through the CLI against a real host on a loopback port (docs/http-api.md end to end). */
for (const backend of backends) {
  describe(`bazaar CLI, every role against a real host (${backend.name})`, function () {
    this.timeout(60_000);
    const database = useDatabase(backend);
    let server: ListeningHost;
    let admin: (args: string[]) => Promise<CliRun>;

    before(async () => {
      server = await listenTestHost(database.current);
      // The operator's settings from the environment, as a deployment script would set them.
      admin = (args) => runCliProcess(args, { env: { BAZAAR_HOST: server.url, BAZAAR_KEY: server.host.adminKey } });
    });
    after(async () => server?.close());


    it('should create tenants and keys, publish, review, install, execute, and stop a revoked key', async () => {
      // Operator: a publisher tenant whose slug is the plugin scope, and a customer tenant.
      const examples = succeededJson(await admin(['tenants', 'create', '--name', 'Examples', '--slug', 'examples', '--owner-email', 'dev@examples.test', '--tier', 'pro', '--json']));
      assert.equal(examples['slug'], 'examples');
      const acme = succeededJson(await admin(['tenants', 'create', '--name', 'Acme', '--slug', 'acme', '--owner-email', 'ops@acme.test', '--json']));
      assert.equal(acme['status'], 'active');
      const taken = await admin(['tenants', 'create', '--name', 'Acme', '--slug', 'acme', '--owner-email', 'ops@acme.test', '--json']);
      assert.equal(taken.code, 1);
      assert.equal(errorCodeOf(taken), 'conflict');
      assert.equal(typeof parseJsonOutput(taken)['requestId'], 'string');

      const tenants = succeededJson(await admin(['tenants', 'list', '--json']))['items'] as { slug: string }[];
      assert.deepEqual(tenants.map((t) => t.slug).filter((s) => s !== 'operator').sort(), ['acme', 'examples']);

      // Keys by tenant slug or id, with scopes; the human form prints the secret alone on its first line.
      const publisherRun = await admin(['keys', 'create', '--tenant', 'examples', '--scopes', 'plugins:publish', '--name', 'ci']);
      assert.equal(publisherRun.code, 0, publisherRun.stderr);
      const publisherKey = publisherRun.stdout.split('\n')[0]!;
      assert.match(publisherKey, /^bzr_[0-9a-f]{32}$/);
      const tenantKey = succeededJson(await admin(['keys', 'create', '--tenant', String(acme['id']), '--scopes', 'plugins:install,plugins:execute,billing:read', '--json']));
      assert.deepEqual(tenantKey['scopes'], ['plugins:install', 'plugins:execute', 'billing:read']);
      const asAcme = (args: string[]) => runCliProcess([...args, '--host', server.url, '--key', String(tenantKey['key'])]);

      // Publisher.
      const published = succeededJson(await runCliProcess(['publish', path.join(EXAMPLES_DIR, 'slugify'), '--host', server.url, '--key', publisherKey, '--json']));
      assert.equal(published['status'], 'pending_review');

      // Reviewer (the operator key has every scope).
      const queue = succeededJson(await admin(['review', 'list', '--json']))['items'] as { name: string; version: string }[];
      assert.deepEqual(queue.map((v) => `${v.name}@${v.version}`), ['@examples/slugify@1.0.0']);
      const shown = await admin(['review', 'show', '@examples/slugify@1.0.0']);
      assert.equal(shown.code, 0, shown.stderr);
      assert.match(shown.stdout, /trust \d+ \(\w+ risk\)/);
      const approved = succeededJson(await admin(['review', 'approve', '@examples/slugify@1.0.0', '--notes', 'read the code', '--json']));
      assert.equal(approved['status'], 'approved');
      const human = await admin(['review', 'list']);
      assert.match(human.stdout, /review queue is empty/);

      // Tenant: install, execute by plugin name and by install id, a plugin failure, usage.
      const install = succeededJson(await asAcme(['install', '@examples/slugify', '--config', '{"separator":"_"}', '--json']));
      assert.equal(install['status'], 'active');
      const byName = succeededJson(await asAcme(['exec', '@examples/slugify', '--input', '{"title":"Hello Bazaar"}', '--json']));
      assert.deepEqual(byName['output'], { slug: 'hello_bazaar' });
      const byId = await asAcme(['exec', String(install['id']), '--input', '{"title":"Hi there"}']);
      assert.equal(byId.code, 0, byId.stderr);
      assert.match(byId.stdout, /"hi_there"/);
      const failed = await asAcme(['exec', '@examples/slugify', '--input', '{"title":42}', '--json']);
      assert.equal(failed.code, 1);
      assert.equal(errorCodeOf(failed), 'invalid_input');
      assert.equal(typeof parseJsonOutput(failed)['executionId'], 'string');
      const usage = succeededJson(await asAcme(['usage', '--group-by', 'plugin', '--json']));
      assert.equal(usage['executions'], 3);
      const usageTable = await asAcme(['usage', '--group-by', 'plugin']);
      assert.match(usageTable.stdout, /PLUGIN\s+EXECUTIONS\s+FAILED/);
      assert.match(usageTable.stdout, /@examples\/slugify\s+3\s+1/);

      // A key without the scope is refused by the host (exit 1, the host's code).
      const forbidden = await runCliProcess(['review', 'list', '--host', server.url, '--key', String(tenantKey['key']), '--json']);
      assert.equal(forbidden.code, 1);
      assert.equal(errorCodeOf(forbidden), 'forbidden');

      // Operator revokes the tenant's key: its next command exits 1 with unauthorized.
      const keys = succeededJson(await admin(['keys', 'list', '--tenant', 'acme', '--json']))['items'] as { id: string }[];
      assert.equal(keys.length, 1);
      const revoked = await admin(['keys', 'revoke', keys[0]!.id]);
      assert.equal(revoked.code, 0, revoked.stderr);
      const after = await asAcme(['exec', '@examples/slugify', '--input', '{"title":"x"}']);
      assert.equal(after.code, 1);
      assert.match(after.stderr, /error \[unauthorized\]/);
      assert.match(after.stderr, /request id: \S+/);
      const listed = await admin(['keys', 'list', '--tenant', 'acme']);
      assert.match(listed.stdout, /ID\s+NAME\s+PREFIX\s+SCOPES\s+LAST USED\s+STATUS/);
      assert.match(listed.stdout, /revoked/);

      // Suspend and reactivate by slug.
      assert.equal(succeededJson(await admin(['tenants', 'suspend', 'acme', '--json']))['status'], 'suspended');
      assert.equal(succeededJson(await admin(['tenants', 'reactivate', 'acme', '--json']))['status'], 'active');
      const unknown = await admin(['tenants', 'suspend', 'no-such-tenant', '--json']);
      assert.equal(unknown.code, 1);
      assert.equal(errorCodeOf(unknown), 'not_found');
    });

    it('should exit 1 with the host\'s error for an unknown invoice and an unknown version', async () => {
      // An invoice nobody has is 404, to show and to pay.
      const acme = succeededJson(await admin(['tenants', 'create', '--name', 'Billing', '--slug', 'billing-co', '--owner-email', 'b@b.test', '--json']));
      const key = succeededJson(await admin(['keys', 'create', '--tenant', String(acme['id']), '--scopes', 'billing:read,billing:write', '--json']))['key'];
      const asTenant = (args: string[]) => runCliProcess([...args, '--host', server.url, '--key', String(key), '--json']);
      for (const args of [['invoices', 'show', '00000000-0000-4000-8000-000000000000'], ['invoices', 'pay', '00000000-0000-4000-8000-000000000000', '--reference', 'wire-1']]) {
        const run = await asTenant(args);
        assert.equal(run.code, 1, args.join(' '));
        assert.equal(errorCodeOf(run), 'not_found', args.join(' '));
      }
      const version = await admin(['review', 'show', '@examples/nothing@9.9.9', '--json']);
      assert.equal(version.code, 1);
      assert.equal(errorCodeOf(version), 'not_found');
    });
  });
}
