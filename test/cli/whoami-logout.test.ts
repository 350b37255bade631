import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeSavedSettings } from '../../host/cli/client/client-settings.js';
import { backends, useDatabase } from '../support/database-backends.js';
import { errorCodeOf, runCliProcess, type CliRun, succeeded, succeededJson } from '../support/run-cli.js';
import { listenTestHost, type ListeningHost } from './cli-host.js';

/** whoami and logout through the CLI against a real host on a loopback port. */
for (const backend of backends) {
  describe(`bazaar whoami and logout against a real host (${backend.name})`, function () {
    this.timeout(90_000);
    const database = useDatabase(backend);
    let server: ListeningHost;
    let configHome: string;
    let admin: (args: string[]) => Promise<CliRun>;
    let asAcme: (args: string[]) => Promise<CliRun>;
    let acmeKey: string;


    before(async () => {
      server = await listenTestHost(database.current);
      admin = (args) => runCliProcess(args, { env: { BAZAAR_HOST: server.url, BAZAAR_KEY: server.host.adminKey } });
      succeededJson(await admin(['tenants', 'create', '--name', 'Acme Corp', '--slug', 'acme', '--owner-email', 'ops@acme.test', '--json']));
      acmeKey = String(succeededJson(await admin(['keys', 'create', '--tenant', 'acme', '--scopes', 'plugins:install,plugins:execute', '--json']))['key']);
      asAcme = (args) => runCliProcess([...args, '--host', server.url, '--key', acmeKey]);
    });
    after(async () => server?.close());
    beforeEach(async () => {
      configHome = await mkdtemp(path.join(tmpdir(), 'bazaar-config-'));
    });
    afterEach(async () => rm(configHome, { recursive: true, force: true }));

    it('whoami: should print the key\'s tenant, scopes and key id', async () => {
      const me = succeededJson(await asAcme(['whoami', '--json']));
      assert.equal((me['tenant'] as { slug: string }).slug, 'acme');
      assert.deepEqual(me['scopes'], ['plugins:install', 'plugins:execute']);
      const keys = succeededJson(await admin(['keys', 'list', '--tenant', 'acme', '--json']))['items'] as { id: string }[];
      assert.equal(me['keyId'], keys[0]!.id);

      const human = succeeded(await asAcme(['whoami']));
      assert.match(human, /^host: +http:\/\/127\.0\.0\.1:\d+$/m);
      assert.match(human, /^tenant: +Acme Corp \(acme\)$/m);
      assert.match(human, /^scopes: +plugins:install, plugins:execute$/m);
      assert.match(human, new RegExp(`^key id: +${keys[0]!.id}$`, 'm'));

      const bad = await runCliProcess(['whoami', '--host', server.url, '--key', 'bzr_ffffffffffffffffffffffffffffffff', '--json']);
      assert.equal(bad.code, 1);
      assert.equal(errorCodeOf(bad), 'unauthorized');
    });

    it('logout: should remove the key login saved, keep the host, say which file, and be repeatable', async () => {
      const env = { XDG_CONFIG_HOME: configHome };
      const file = path.join(configHome, 'bazaar', 'config.json');
      succeeded(await runCliProcess(['login', '--host', server.url, '--key', acmeKey], { env }));
      assert.equal((succeededJson(await runCliProcess(['whoami', '--json'], { env }))['tenant'] as { slug: string }).slug, 'acme');

      const out = await runCliProcess(['logout'], { env });
      assert.equal(succeeded(out), `removed the saved key from ${file}\n`);
      assert.deepEqual(JSON.parse(await readFile(file, 'utf8')), { host: server.url });
      assert.equal((await stat(file)).mode & 0o777, 0o600);
      const whoami = await runCliProcess(['whoami'], { env });
      assert.equal(whoami.code, 2);
      assert.match(whoami.stderr, /no API key: pass --key <key>, set BAZAAR_KEY, or run bazaar login/);

      assert.deepEqual(succeededJson(await runCliProcess(['logout', '--json'], { env })), { file, removed: false, host: server.url, envKey: false });
      assert.match(succeeded(await runCliProcess(['logout'], { env })), /no key saved in .*config\.json; nothing to do/);

      // Logging in again needs only the key; BAZAAR_KEY still wins after a logout, and logout says so.
      succeeded(await runCliProcess(['login', '--key', acmeKey], { env }));
      const withEnv = await runCliProcess(['logout'], { env: { ...env, BAZAAR_KEY: acmeKey } });
      assert.match(succeeded(withEnv), /removed the saved key/);
      assert.match(withEnv.stderr, /BAZAAR_KEY is set/);
      assert.equal(typeof succeededJson(await runCliProcess(['whoami', '--json'], { env: { ...env, BAZAAR_KEY: acmeKey } }))['keyId'], 'string');
    });

    it('logout: should delete the file when the key was all it held, and exit 2 on a malformed file', async () => {
      const env = { XDG_CONFIG_HOME: configHome };
      const file = path.join(configHome, 'bazaar', 'config.json');
      succeeded(await runCliProcess(['login', '--key', acmeKey, '--no-verify'], { env: { ...env, BAZAAR_HOST: server.url } }));
      assert.deepEqual(JSON.parse(await readFile(file, 'utf8')), { host: server.url, key: acmeKey });
      await writeSavedSettings(file, { key: acmeKey });
      assert.deepEqual(succeededJson(await runCliProcess(['logout', '--json'], { env })), { file, removed: true, host: null, envKey: false });
      await assert.rejects(stat(file), { code: 'ENOENT' });

      await writeFile(file, '{oops');
      const malformed = await runCliProcess(['logout', '--json'], { env });
      assert.equal(malformed.code, 2);
      assert.equal(errorCodeOf(malformed), 'invalid_request');
      assert.equal(await readFile(file, 'utf8'), '{oops');
    });
  });
}
