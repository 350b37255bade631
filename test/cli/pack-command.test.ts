import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readPackageArchive } from '../../marketplace/package-archive.js';
import { EXAMPLES_DIR, errorCodeOf, parseJsonOutput, runCliProcess } from '../support/run-cli.js';

describe('bazaar pack', () => {
  let work: string;

  beforeEach(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'bazaar-cli-pack-'));
  });

  afterEach(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('should write a .tgz that readPackageArchive accepts, with the printed sha256', async () => {
    const out = path.join(work, 'text-stats.tgz');
    const run = await runCliProcess(['pack', path.join(EXAMPLES_DIR, 'text-stats'), '--out', out, '--json']);
    assert.equal(run.code, 0, run.stderr);
    const summary = parseJsonOutput(run);
    const pkg = await readPackageArchive(await readFile(out));
    assert.equal(summary['sha256'], pkg.sha256);
    assert.equal(summary['name'], '@examples/text-stats');
    assert.ok(pkg.files['lib/readability.js']);
  });

  it('should name the file after the package by default and run from it', async () => {
    const run = await runCliProcess(['pack', path.join(EXAMPLES_DIR, 'slugify')], { cwd: work });
    assert.equal(run.code, 0, run.stderr);
    const tgz = path.join(work, 'examples-slugify-1.0.0.tgz');
    const result = await runCliProcess(['run', tgz, '--json', '--input', '{"title":"Packed Twice"}']);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(parseJsonOutput(result)['output'], { slug: 'packed-twice' });
  });

  it('should refuse a folder the host would refuse (exit 2)', async () => {
    const dir = path.join(work, 'plugin');
    await cp(path.join(EXAMPLES_DIR, 'slugify'), dir, { recursive: true });
    await symlink('/etc/hostname', path.join(dir, 'secret.js'));
    const run = await runCliProcess(['pack', dir, '--json', '--out', path.join(work, 'x.tgz')]);
    assert.equal(run.code, 2);
    assert.equal(errorCodeOf(run), 'invalid_package');
  });
});
