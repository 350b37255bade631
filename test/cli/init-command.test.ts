import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { validateManifest } from '../../manifests/manifest-validator.js';
import { backends, useDatabase } from '../support/database-backends.js';
import { CLI_MAIN, REPO_ROOT, errorCodeOf, parseJsonOutput, runCliProcess, type CliRun } from '../support/run-cli.js';
import { createKey, createTenant } from '../support/test-host.js';
import { listenTestHost, type ListeningHost } from './cli-host.js';

/** PATH with node and the system's tools, and no `bazaar` unless `binDir` has one. */
function pathWith(binDir?: string): string {
  return [...(binDir === undefined ? [] : [binDir]), path.dirname(process.execPath), '/usr/bin', '/bin'].join(path.delimiter);
}

/** Runs a line `init` printed, through a shell as a person would paste it, outside the checkout. */
function runLine(line: string, cwd: string, env: Record<string, string>): Promise<CliRun> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('BAZAAR_'))) as Record<string, string>;
  return new Promise((resolve) => {
    execFile('sh', ['-c', line], { cwd, env: { ...base, ...env }, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
  });
}

/** The indented lines under `next:` in init's output. */
function nextLines(stdout: string): string[] {
  const after = stdout.split('next:\n')[1] ?? '';
  return after.split('\n').filter((l) => l.startsWith('  ')).map((l) => l.trim());
}

describe('bazaar init', function () {
  this.timeout(60_000);
  let work: string;

  beforeEach(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'bazaar-init-'));
  });
  afterEach(async () => rm(work, { recursive: true, force: true }));

  it('should scaffold a plugin that runs its test, packs, and runs packed (init → run → pack → run)', async () => {
    const init = await runCliProcess(['init', 'hello', '--name', '@acme/hello'], { cwd: work });
    assert.equal(init.code, 0, init.stderr);
    const dir = path.join(work, 'hello');
    const manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as { name: string };
    assert.equal(manifest.name, '@acme/hello');
    assert.equal(validateManifest(manifest).valid, true);

    // The scaffold's own test, as its README says to run it.
    const test = await runCliProcess(['run', '.', '--input', '@test/greet.input.json', '--expect', '@test/greet.expected.json', '--json'], { cwd: dir });
    assert.equal(test.code, 0, test.stdout + test.stderr);
    assert.deepEqual(parseJsonOutput(test)['expected'], { output: { message: 'Hello, Ada!' }, matched: true });

    const pack = await runCliProcess(['pack', '.', '--json'], { cwd: dir });
    assert.equal(pack.code, 0, pack.stderr);
    const tgz = String(parseJsonOutput(pack)['file']);
    assert.equal(path.basename(tgz), 'acme-hello-0.1.0.tgz');

    const packed = await runCliProcess(['run', tgz, '--input', '{"name":"Bob"}', '--config', '{"greeting":"Hi"}', '--json'], { cwd: dir });
    assert.equal(packed.code, 0, packed.stderr);
    assert.deepEqual(parseJsonOutput(packed)['output'], { message: 'Hi, Bob!' });
  });

  it('should make --expect a failing test (exit 1) when the output differs', async () => {
    assert.equal((await runCliProcess(['init', 'p', '--name', '@acme/p'], { cwd: work })).code, 0);
    const run = await runCliProcess(['run', 'p', '--input', '{"name":"Ada"}', '--expect', '{"message":"Bye"}'], { cwd: work });
    assert.equal(run.code, 1);
    assert.match(run.stdout, /expected output/);
  });

  it('should refuse a bad name, a folder that is not empty, and unreadable @files (exit 2)', async () => {
    const badName = await runCliProcess(['init', 'x', '--name', 'NoScope', '--json'], { cwd: work });
    assert.equal(badName.code, 2);
    assert.equal(errorCodeOf(badName), 'invalid_request');
    await mkdir(path.join(work, 'taken'));
    await writeFile(path.join(work, 'taken', 'keep.txt'), 'mine');
    const notEmpty = await runCliProcess(['init', 'taken', '--name', '@acme/x', '--json'], { cwd: work });
    assert.equal(notEmpty.code, 2);
    assert.equal(await readFile(path.join(work, 'taken', 'keep.txt'), 'utf8'), 'mine');
    const missing = await runCliProcess(['run', '.', '--input', '@nope.json'], { cwd: work });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read nope\.json/);
  });

  describe('the next steps it prints', () => {
    it('should call this CLI by its absolute path (never npx), and its test line should pass from a folder outside the checkout', async () => {
      assert.ok(!work.startsWith(REPO_ROOT), 'the test folder must be outside the checkout');
      const init = await runCliProcess(['init', 'hello', '--name', '@acme/hello'], { cwd: work, env: { PATH: pathWith() } });
      assert.equal(init.code, 0, init.stderr);
      assert.doesNotMatch(init.stdout, /npx/);
      assert.deepEqual(nextLines(init.stdout), [
        'cd hello',
        `node ${CLI_MAIN} run . --input @test/greet.input.json --expect @test/greet.expected.json`,
        `node ${CLI_MAIN} pack .`,
        `node ${CLI_MAIN} publish . --dry-run`,
        `node ${CLI_MAIN} publish .`,
      ]);
      const dir = path.join(work, 'hello');
      const test = await runLine(nextLines(init.stdout)[1]!, dir, { PATH: pathWith(), XDG_CONFIG_HOME: work });
      assert.equal(test.code, 0, test.stdout + test.stderr);
      // The plugin's README is published with it: no local path, and no npx.
      const readme = await readFile(path.join(dir, 'README.md'), 'utf8');
      assert.doesNotMatch(readme, /npx|\/dist\/host\/cli/);
      assert.match(readme, /^bazaar run \. --input @test\/greet\.input\.json --expect @test\/greet\.expected\.json/m);

      const json = parseJsonOutput(await runCliProcess(['init', 'second', '--name', '@acme/second', '--json'], { cwd: work, env: { PATH: pathWith() } }));
      assert.deepEqual((json['next'] as string[]).slice(0, 2), ['cd second', `node ${CLI_MAIN} run . --input @test/greet.input.json --expect @test/greet.expected.json`]);
      const help = await runCliProcess(['init', '--help'], { env: { PATH: pathWith() } });
      assert.match(help.stdout, new RegExp(`alias bazaar="node ${CLI_MAIN.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"`));
      assert.match(help.stdout, /npm link/);
    });

    it('should say `bazaar` when the bazaar on PATH is this CLI, and not when it is another program', async () => {
      const linked = path.join(work, 'linked-bin');
      await mkdir(linked);
      await symlink(CLI_MAIN, path.join(linked, 'bazaar'));
      // As `npm link` leaves it: the linked main.js is executable.
      const mode = (await stat(CLI_MAIN)).mode & 0o777;
      await chmod(CLI_MAIN, mode | 0o111);
      try {
        const init = await runCliProcess(['init', 'p', '--name', '@acme/p'], { cwd: work, env: { PATH: pathWith(linked) } });
        assert.equal(init.code, 0, init.stderr);
        assert.deepEqual(nextLines(init.stdout).slice(1), [
          'bazaar run . --input @test/greet.input.json --expect @test/greet.expected.json',
          'bazaar pack .',
          'bazaar publish . --dry-run',
          'bazaar publish .',
        ]);
        const test = await runLine(nextLines(init.stdout)[1]!, path.join(work, 'p'), { PATH: pathWith(linked), XDG_CONFIG_HOME: work });
        assert.equal(test.code, 0, test.stdout + test.stderr);
      } finally {
        await chmod(CLI_MAIN, mode);
      }

      // Another program called bazaar comes first on PATH: never suggested.
      const other = path.join(work, 'other-bin');
      await mkdir(other);
      await writeFile(path.join(other, 'bazaar'), '#!/bin/sh\necho not this one\n', { mode: 0o755 });
      const init = await runCliProcess(['init', 'q', '--name', '@acme/q'], { cwd: work, env: { PATH: pathWith(`${other}${path.delimiter}${linked}`) } });
      assert.equal(init.code, 0, init.stderr);
      assert.equal(nextLines(init.stdout)[1], `node ${CLI_MAIN} run . --input @test/greet.input.json --expect @test/greet.expected.json`);
    });

    it('should quote a folder name the shell would split', async () => {
      const init = await runCliProcess(['init', "my plugin's", '--name', '@acme/quoted'], { cwd: work, env: { PATH: pathWith() } });
      assert.equal(init.code, 0, init.stderr);
      const cd = nextLines(init.stdout)[0]!;
      assert.equal(cd, `cd 'my plugin'\\''s'`);
      assert.equal((await runLine(`${cd} && pwd`, work, { PATH: pathWith() })).stdout.trim(), path.join(work, "my plugin's"));
    });
  });
});

for (const backend of backends) {
  describe(`bazaar init, then its printed publish line, outside the checkout (${backend.name})`, function () {
    this.timeout(60_000);
    const database = useDatabase(backend);
    let server: ListeningHost;
    let work: string;

    before(async () => {
      server = await listenTestHost(database.current);
      work = await mkdtemp(path.join(tmpdir(), 'bazaar-init-publish-'));
    });
    after(async () => {
      await server?.close();
      await rm(work, { recursive: true, force: true });
    });

    it('should dry-run and then publish the scaffold with the very commands init printed', async () => {
      const tenant = await createTenant(server.host, { slug: 'acme' });
      const { key } = await createKey(server.host, tenant.id, ['plugins:publish']);
      const init = await runCliProcess(['init', 'hello', '--name', '@acme/hello'], { cwd: work, env: { PATH: pathWith() } });
      assert.equal(init.code, 0, init.stderr);
      const [cd, , , dryRun, publish] = nextLines(init.stdout);
      assert.equal(dryRun, `node ${CLI_MAIN} publish . --dry-run`);
      assert.equal(publish, `node ${CLI_MAIN} publish .`);
      const env = { PATH: pathWith(), XDG_CONFIG_HOME: work, BAZAAR_HOST: server.url, BAZAAR_KEY: key };
      const dry = await runLine(`${cd!} && ${dryRun!} --json`, work, env);
      assert.equal(dry.code, 0, dry.stdout + dry.stderr);
      const wouldBe = JSON.parse(dry.stdout) as { status: string; dryRun: boolean; sha256: string };
      assert.deepEqual([wouldBe.status, wouldBe.dryRun], ['pending_review', true]);
      const run = await runLine(`${cd!} && ${publish!} --json`, work, env);
      assert.equal(run.code, 0, run.stdout + run.stderr);
      const published = JSON.parse(run.stdout) as { name: string; version: string; status: string; sha256: string };
      assert.deepEqual([published.name, published.version, published.status], ['@acme/hello', '0.1.0', 'pending_review']);
      assert.equal(published.sha256, wouldBe.sha256);
    });

    it('should score minimal risk (85 or more) with --homepage and --repository, and say what to add without them', async () => {
      const tenant = await createTenant(server.host, { slug: 'scored' });
      const { key } = await createKey(server.host, tenant.id, ['plugins:publish']);
      const env = { XDG_CONFIG_HOME: work, BAZAAR_HOST: server.url, BAZAAR_KEY: key };
      const dryRun = async (dir: string) => {
        const run = await runCliProcess(['publish', dir, '--dry-run', '--json'], { cwd: work, env });
        assert.equal(run.code, 0, run.stdout + run.stderr);
        return parseJsonOutput(run) as { trust: { score: number; risk: string; factors: Record<string, number> }; dryRun: boolean };
      };

      const full = await runCliProcess(
        ['init', 'full', '--name', '@scored/full', '--homepage', 'https://example.com/full', '--repository', 'https://github.com/scored/full'],
        { cwd: work },
      );
      assert.equal(full.code, 0, full.stderr);
      assert.doesNotMatch(full.stdout, /raise its trust score/);
      const fullScore = await dryRun('full');
      assert.ok(fullScore.trust.score >= 85, `scored ${fullScore.trust.score}`);
      assert.equal(fullScore.trust.risk, 'minimal');
      assert.equal(fullScore.trust.factors['compliance'], 100);

      const bare = await runCliProcess(['init', 'bare', '--name', '@scored/bare'], { cwd: work });
      assert.equal(bare.code, 0, bare.stderr);
      assert.match(bare.stdout, /raise its trust score/);
      assert.match(bare.stdout, /"homepage": .*no homepage costs 15 compliance points/);
      assert.match(bare.stdout, /"repository": .*no repository costs 10 compliance points/);
      const bareScore = await dryRun('bare');
      assert.ok(bareScore.trust.score < fullScore.trust.score, `${bareScore.trust.score} < ${fullScore.trust.score}`);
      const advice = parseJsonOutput(await runCliProcess(['init', 'bare2', '--name', '@scored/bare2', '--json'], { cwd: work }))['trustAdvice'] as { field: string }[];
      assert.deepEqual(advice.map((a) => a.field), ['homepage', 'repository']);

      // Doing what it says is enough: the two fields take the bare scaffold to minimal risk.
      const manifestFile = path.join(work, 'bare', 'manifest.json');
      const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as Record<string, unknown>;
      await writeFile(manifestFile, JSON.stringify({ ...manifest, homepage: 'https://example.com/bare', repository: 'https://github.com/scored/bare' }));
      assert.equal((await dryRun('bare')).trust.risk, 'minimal');

      const badUrl = await runCliProcess(['init', 'x', '--name', '@scored/x', '--homepage', 'ftp://example.com', '--json'], { cwd: work });
      assert.equal(badUrl.code, 2);
      assert.equal(errorCodeOf(badUrl), 'invalid_request');
    });
  });
}
