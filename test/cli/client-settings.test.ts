import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { errorCodeOf, parseJsonOutput, runCliProcess } from '../support/run-cli.js';
import { closedPortUrl } from './cli-host.js';

interface Seen {
  host: string;
  authorization: string | undefined;
}

/** A stand-in host that answers every request with an empty page and remembers who asked with which key. */
async function recordingHost(name: string, seen: Seen[], status = 200): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    seen.push({ host: name, authorization: req.headers.authorization });
    const body = status === 200 ? { items: [], nextCursor: null } : { error: { code: 'unauthorized', message: 'A valid API key is required.' }, requestId: 'req-1' };
    res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': 'req-1' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('bazaar login and the client settings (flags > env > config file)', function () {
  this.timeout(60_000);
  let configHome: string;
  const servers: Server[] = [];
  const seen: Seen[] = [];

  beforeEach(async () => {
    configHome = await mkdtemp(path.join(tmpdir(), 'bazaar-config-'));
    seen.length = 0;
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
    await rm(configHome, { recursive: true, force: true });
  });

  const start = async (name: string, status?: number) => {
    const host = await recordingHost(name, seen, status);
    servers.push(host.server);
    return host.url;
  };

  it('should save a verified login with mode 0600 and use it when nothing else is given', async () => {
    const fileHost = await start('file');
    const env = { XDG_CONFIG_HOME: configHome };
    const login = await runCliProcess(['login', '--host', fileHost, '--key', 'bzr_file', '--json'], { env });
    assert.equal(login.code, 0, login.stderr);
    const file = path.join(configHome, 'bazaar', 'config.json');
    assert.equal(parseJsonOutput(login)['file'], file);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.deepEqual(JSON.parse(await readFile(file, 'utf8')), { host: fileHost, key: 'bzr_file' });
    assert.deepEqual(seen.splice(0), [{ host: 'file', authorization: 'Bearer bzr_file' }]); // the verification

    const run = await runCliProcess(['tenants', 'list', '--json'], { env });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(seen, [{ host: 'file', authorization: 'Bearer bzr_file' }]);
  });

  it('should prefer env over the file and flags over env, each setting on its own', async () => {
    const [fileHost, envHost, flagHost] = [await start('file'), await start('env'), await start('flag')];
    await mkdir(path.join(configHome, 'bazaar'), { recursive: true });
    await writeFile(path.join(configHome, 'bazaar', 'config.json'), JSON.stringify({ host: fileHost, key: 'bzr_file' }));
    const base = { XDG_CONFIG_HOME: configHome };

    await runCliProcess(['review', 'list', '--json'], { env: { ...base, BAZAAR_KEY: 'bzr_env' } });
    await runCliProcess(['review', 'list', '--json'], { env: { ...base, BAZAAR_HOST: envHost, BAZAAR_KEY: 'bzr_env' } });
    await runCliProcess(['review', 'list', '--host', flagHost, '--json'], { env: { ...base, BAZAAR_HOST: envHost, BAZAAR_KEY: 'bzr_env' } });
    await runCliProcess(['review', 'list', '--host', flagHost, '--key', 'bzr_flag', '--json'], { env: { ...base, BAZAAR_HOST: envHost, BAZAAR_KEY: 'bzr_env' } });
    assert.deepEqual(seen, [
      { host: 'file', authorization: 'Bearer bzr_env' },
      { host: 'env', authorization: 'Bearer bzr_env' },
      { host: 'flag', authorization: 'Bearer bzr_env' },
      { host: 'flag', authorization: 'Bearer bzr_flag' },
    ]);
  });

  it('should save nothing when the host refuses the key (exit 1) or cannot be reached (exit 3)', async () => {
    const refusing = await start('refusing', 401);
    const env = { XDG_CONFIG_HOME: configHome };
    const refused = await runCliProcess(['login', '--host', refusing, '--key', 'bzr_bad', '--json'], { env });
    assert.equal(refused.code, 1);
    assert.equal(errorCodeOf(refused), 'unauthorized');
    assert.equal(parseJsonOutput(refused)['requestId'], 'req-1');
    const unreachable = await runCliProcess(['login', '--host', await closedPortUrl(), '--key', 'bzr_bad', '--json'], { env });
    assert.equal(unreachable.code, 3);
    await assert.rejects(stat(path.join(configHome, 'bazaar', 'config.json')), { code: 'ENOENT' });
    // --no-verify saves without asking.
    const offline = await runCliProcess(['login', '--host', await closedPortUrl(), '--key', 'bzr_k', '--no-verify'], { env });
    assert.equal(offline.code, 0, offline.stderr);
  });

  it('should exit 2 saying how to configure when there is no host or key, or the file is malformed', async () => {
    const env = { XDG_CONFIG_HOME: configHome };
    const none = await runCliProcess(['tenants', 'list'], { env });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no host: pass --host <url>, set BAZAAR_HOST, or run bazaar login/);
    const noKey = await runCliProcess(['tenants', 'list', '--json'], { env: { ...env, BAZAAR_HOST: 'http://127.0.0.1:9' } });
    assert.equal(noKey.code, 2);
    assert.equal(errorCodeOf(noKey), 'invalid_request');
    await mkdir(path.join(configHome, 'bazaar'), { recursive: true });
    await writeFile(path.join(configHome, 'bazaar', 'config.json'), '{not json');
    const malformed = await runCliProcess(['tenants', 'list'], { env });
    assert.equal(malformed.code, 2);
    assert.match(malformed.stderr, /config\.json is not valid/);
    const badEnvHost = await runCliProcess(['tenants', 'list', '--key', 'k'], { env: { BAZAAR_HOST: 'ftp://x' } });
    assert.equal(badEnvHost.code, 2);
  });
});
