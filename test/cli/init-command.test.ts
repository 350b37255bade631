import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { validateManifest } from '../../manifests/manifest-validator.js';
import { errorCodeOf, parseJsonOutput, runCliProcess } from '../support/run-cli.js';

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
});
