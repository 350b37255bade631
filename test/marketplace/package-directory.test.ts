import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { isBazaarError, type ErrorCode } from '../../manifests/errors.js';
import { packDirectory, readPackageArchive, readPackageDirectory } from '../../marketplace/package-archive.js';

const examples = path.resolve(import.meta.dirname, '../../../examples');

async function codeOf(promise: Promise<unknown>): Promise<ErrorCode> {
  try {
    await promise;
  } catch (err) {
    assert.ok(isBazaarError(err), String(err));
    return err.code;
  }
  assert.fail('was accepted');
}

describe('packDirectory and readPackageDirectory', () => {
  let work: string;

  beforeEach(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'bazaar-pack-'));
  });

  afterEach(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('should round-trip a multi-module example: same files, same sha256', async () => {
    const dir = path.join(examples, 'text-stats');
    const tgz = await packDirectory(dir);
    const fromArchive = await readPackageArchive(tgz);
    const fromDir = await readPackageDirectory(dir);
    assert.deepEqual(fromArchive.files, fromDir.files);
    assert.equal(fromArchive.sha256, createHash('sha256').update(tgz).digest('hex'));
    assert.equal(fromDir.sha256, fromArchive.sha256);
    assert.ok(fromArchive.files['lib/tokenize.js']);
  });

  it('should give the same sha256 when packing twice, whatever the file dates', async () => {
    const dir = path.join(work, 'slugify');
    await cp(path.join(examples, 'slugify'), dir, { recursive: true });
    const first = await packDirectory(dir);
    await utimes(path.join(dir, 'index.js'), new Date(2001, 1, 1), new Date(2001, 1, 1));
    const second = await packDirectory(dir);
    assert.equal(createHash('sha256').update(second).digest('hex'), createHash('sha256').update(first).digest('hex'));
  });

  it('should write sorted entries under package/ with fixed owner, mode and date', async () => {
    const tar = gunzipSync(await packDirectory(path.join(examples, 'text-stats')));
    const names: string[] = [];
    for (let offset = 0; offset + 512 <= tar.length; ) {
      const name = tar.toString('utf8', offset, offset + 100).replace(/\0.*$/s, '');
      if (name === '') break;
      names.push(name);
      const octal = (start: number, length: number) => parseInt(tar.toString('ascii', offset + start, offset + start + length), 8);
      assert.equal(octal(100, 8), 0o644); // mode
      assert.equal(octal(108, 8), 0); // uid
      assert.equal(octal(116, 8), 0); // gid
      assert.equal(octal(136, 12), Date.UTC(1985, 9, 26, 8, 15) / 1000); // mtime
      const size = octal(124, 12);
      offset += 512 + Math.ceil(size / 512) * 512;
    }
    assert.deepEqual(names, [...names].sort());
    assert.ok(names.every((n) => n.startsWith('package/')));
    assert.ok(names.includes('package/manifest.json'));
  });

  it('should leave out .git, node_modules and packed tarballs', async () => {
    const dir = path.join(work, 'plugin');
    await cp(path.join(examples, 'slugify'), dir, { recursive: true });
    await mkdir(path.join(dir, '.git'));
    await writeFile(path.join(dir, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    await mkdir(path.join(dir, 'node_modules'));
    await writeFile(path.join(dir, 'node_modules', 'x.js'), '');
    await writeFile(path.join(dir, 'old.tgz'), Buffer.from([0x1f, 0x8b, 0xff]));
    const pkg = await readPackageDirectory(dir);
    assert.deepEqual(Object.keys(pkg.files).sort(), ['index.js', 'manifest.json']);
  });

  it('should refuse a symbolic link in the folder', async () => {
    const dir = path.join(work, 'plugin');
    await cp(path.join(examples, 'slugify'), dir, { recursive: true });
    await symlink('/etc/hostname', path.join(dir, 'link.js'));
    assert.equal(await codeOf(packDirectory(dir)), 'invalid_package');
  });

  it('should refuse a file over the per-file limit', async () => {
    const dir = path.join(work, 'plugin');
    await cp(path.join(examples, 'slugify'), dir, { recursive: true });
    await writeFile(path.join(dir, 'big.js'), Buffer.alloc(1024 * 1024 + 1, 0x61));
    assert.equal(await codeOf(packDirectory(dir)), 'invalid_package');
  });

  it('should refuse an invalid manifest with invalid_manifest', async () => {
    const dir = path.join(work, 'plugin');
    await cp(path.join(examples, 'slugify'), dir, { recursive: true });
    await writeFile(path.join(dir, 'manifest.json'), JSON.stringify({ name: 'Not Scoped' }));
    assert.equal(await codeOf(readPackageDirectory(dir)), 'invalid_manifest');
  });

  it('should refuse a path that is not a folder', async () => {
    assert.equal(await codeOf(packDirectory(path.join(work, 'missing'))), 'invalid_package');
  });
});
