import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readPackageArchive, readPackageDirectory } from '../../marketplace/package-archive.js';
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

  it('should list every file that goes in, with its size, and the total', async () => {
    const dir = path.join(EXAMPLES_DIR, 'text-stats');
    const run = await runCliProcess(['pack', dir, '--out', path.join(work, 'ts.tgz'), '--json']);
    const summary = parseJsonOutput(run);
    const onDisk = (await readdir(dir, { recursive: true, withFileTypes: true }))
      .filter((e) => e.isFile())
      .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
      .sort();
    const files = summary['files'] as { path: string; bytes: number }[];
    assert.deepEqual(files.map((f) => f.path), onDisk);
    for (const f of files) assert.equal(f.bytes, (await readFile(path.join(dir, f.path))).length, f.path);
    assert.equal(summary['unpackedBytes'], files.reduce((n, f) => n + f.bytes, 0));

    const human = await runCliProcess(['pack', dir, '--out', path.join(work, 'ts.tgz')]);
    assert.equal(human.code, 0, human.stderr);
    for (const f of files) assert.match(human.stdout, new RegExp(`^\\s*${f.bytes}\\s+${f.path.replace('.', '\\.')}$`, 'm'), f.path);
    assert.match(human.stdout, new RegExp(`^${files.length} file\\(s\\), ${String(summary['unpackedBytes'])} bytes unpacked$`, 'm'));
  });

  it('should leave out what .bazaarignore names (and the defaults), so run sees the same package as pack', async () => {
    const dir = path.join(work, 'plugin');
    await cp(path.join(EXAMPLES_DIR, 'slugify'), dir, { recursive: true });
    const packedAlone = parseJsonOutput(await runCliProcess(['pack', dir, '--json', '--out', path.join(work, 'alone.tgz')]));
    const extra: Record<string, string> = {
      'notes/todo.md': 'secret plans',
      'debug.log': 'noise',
      'lib/trace.log': 'noise',
      'keep.log': 'kept on purpose',
      'lib/helper.js': 'export const x = 1;\n',
      'node_modules/left-pad/index.js': 'module.exports = 1;',
      'lib/.DS_Store': 'x',
      'old-build.tgz': 'not a real tarball',
    };
    for (const [file, text] of Object.entries(extra)) {
      await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
      await writeFile(path.join(dir, file), text);
    }
    // Left out before any check: a link the host would refuse does not matter once ignored.
    await symlink('/etc/hostname', path.join(dir, 'notes', 'link'));
    await writeFile(path.join(dir, '.bazaarignore'), '# local only\nnotes/\n*.log\n!keep.log\n');
    const run = await runCliProcess(['pack', dir, '--json', '--out', path.join(work, 'ignored.tgz')]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const summary = parseJsonOutput(run);
    assert.deepEqual((summary['files'] as { path: string }[]).map((f) => f.path), ['index.js', 'keep.log', 'lib/helper.js', 'manifest.json']);
    assert.equal((await readPackageDirectory(dir)).sha256, summary['sha256'], 'run reads the folder with the same rules');

    // Without the ignore lines the extra files go in, and the link is refused again.
    await writeFile(path.join(dir, '.bazaarignore'), '*.log\n!keep.log\n');
    const refused = await runCliProcess(['pack', dir, '--json', '--out', path.join(work, 'x.tgz')]);
    assert.equal(refused.code, 2);
    assert.equal(errorCodeOf(refused), 'invalid_package');
    await rm(path.join(dir, 'notes'), { recursive: true });
    await rm(path.join(dir, '.bazaarignore'));
    await rm(path.join(dir, 'lib/helper.js'));
    const packed = parseJsonOutput(await runCliProcess(['pack', dir, '--json', '--out', path.join(work, 'y.tgz')]));
    assert.deepEqual((packed['files'] as { path: string }[]).map((f) => f.path), ['debug.log', 'index.js', 'keep.log', 'lib/trace.log', 'manifest.json']);
    assert.notEqual(packed['sha256'], packedAlone['sha256']);
  });
});
