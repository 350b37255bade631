import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { isBazaarError, type ErrorCode } from '../../manifests/errors.js';
import { DEFAULT_PACKAGE_LIMITS, readPackageArchive, type PackageLimits } from '../../marketplace/package-archive.js';
import { HELLO_SOURCE, manifestOf, tarBytes, tgzOf, validEntries, type TarEntrySpec } from '../support/tar-builder.js';
import { END, validPackageEntries } from './hostile-archives.js';

const MIB = 1024 * 1024;

async function rejection(input: Buffer, limits?: PackageLimits): Promise<{ code: ErrorCode; details: unknown; message: string }> {
  try {
    await readPackageArchive(input, limits);
  } catch (err) {
    assert.ok(isBazaarError(err), `expected a BazaarError, got ${String(err)}`);
    return { code: err.code, details: err.details, message: err.message };
  }
  assert.fail('the archive was accepted');
}

async function codeFor(entries: readonly TarEntrySpec[], limits?: PackageLimits): Promise<ErrorCode> {
  return (await rejection(tgzOf(entries), limits)).code;
}

describe('readPackageArchive', () => {
  describe('valid packages', () => {
    it('should read a package under package/ and strip the prefix', async () => {
      const extra = [{ path: 'package/lib/x.js', data: 'export const x = 1;' }, { path: 'package/empty.js', data: '' }];
      const tgz = tgzOf([{ path: 'package/', type: 'Directory' }, ...validEntries('package/', extra)]);
      const pkg = await readPackageArchive(tgz);
      assert.deepEqual(Object.keys(pkg.files).sort(), ['empty.js', 'index.js', 'lib/x.js', 'manifest.json']);
      assert.equal(pkg.files['empty.js'], '');
      assert.equal(pkg.files['index.js'], HELLO_SOURCE);
      assert.equal(pkg.manifest.name, '@acme/hello');
      assert.equal(pkg.sha256, createHash('sha256').update(tgz).digest('hex'));
      assert.equal(pkg.compressedBytes, tgz.length);
      assert.equal(pkg.unpackedBytes, Object.values(pkg.files).reduce((n, text) => n + Buffer.byteLength(text), 0));
    });

    it('should read a package at the archive root', async () => {
      const pkg = await readPackageArchive(tgzOf(validEntries('')));
      assert.deepEqual(Object.keys(pkg.files).sort(), ['index.js', 'manifest.json']);
    });

    it('should give the same result for a buffer, a stream and an async iterable', async () => {
      const tgz = tgzOf(validEntries());
      const fromBuffer = await readPackageArchive(tgz);
      const fromStream = await readPackageArchive(Readable.from([tgz.subarray(0, 10), tgz.subarray(10)]));
      async function* chunks() {
        for (let i = 0; i < tgz.length; i += 7) yield tgz.subarray(i, i + 7);
      }
      const fromIterable = await readPackageArchive(chunks());
      assert.equal(fromStream.sha256, fromBuffer.sha256);
      assert.equal(fromIterable.sha256, fromBuffer.sha256);
      assert.deepEqual(fromIterable.files, fromBuffer.files);
    });

    it('should keep files named like Object.prototype members as plain keys', async () => {
      const pkg = await readPackageArchive(tgzOf(validEntries('package/', [{ path: 'package/__proto__', data: 'x' }, { path: 'package/constructor', data: 'y' }])));
      assert.equal(pkg.files['__proto__'], 'x');
      assert.equal(pkg.files['constructor'], 'y');
      assert.equal(pkg.files['toString'], undefined);
    });
  });

  describe('paths', () => {
    for (const path of ['../x.js', 'package/../../x.js', '/etc/x', 'C:/x.js', 'lib\\x.js', 'bad\u0001name.js']) {
      it(`should refuse the entry path ${JSON.stringify(path)}`, async () => {
        assert.equal(await codeFor(validEntries('', [{ path, data: 'x' }])), 'invalid_package');
      });
    }

    it('should refuse a duplicate path', async () => {
      assert.equal(await codeFor(validEntries('', [{ path: 'index.js', data: 'again' }])), 'invalid_package');
    });

    it('should refuse paths that are duplicates after normalisation (a.js and ./a.js)', async () => {
      assert.equal(await codeFor(validEntries('', [{ path: 'a.js', data: '1' }, { path: './a.js', data: '2' }])), 'invalid_package');
    });

    it('should refuse a file that is also used as a folder', async () => {
      assert.equal(await codeFor(validEntries('', [{ path: 'lib', data: '1' }, { path: 'lib/a.js', data: '2' }])), 'invalid_package');
    });

    it('should refuse an archive mixing the root and package/ layouts', async () => {
      assert.equal(await codeFor([...validEntries('package/'), { path: 'extra.js', data: 'x' }]), 'invalid_package');
    });
  });

  describe('entry types', () => {
    const cases: [string, TarEntrySpec][] = [
      ['a symbolic link', { path: 'package/link.js', type: 'SymbolicLink', linkpath: '/etc/passwd' }],
      ['a hard link', { path: 'package/hard.js', type: 'Link', linkpath: 'package/index.js' }],
      ['a character device', { path: 'package/tty', type: 'CharacterDevice' }],
      ['a block device', { path: 'package/sda', type: 'BlockDevice' }],
      ['a FIFO', { path: 'package/pipe', type: 'FIFO' }],
    ];
    for (const [what, entry] of cases) {
      it(`should refuse ${what}`, async () => {
        assert.equal(await codeFor(validEntries('package/', [entry])), 'invalid_package');
      });
    }
  });

  describe('limits', () => {
    const small: PackageLimits = { maxCompressedBytes: 64 * 1024, maxUnpackedBytes: 256 * 1024, maxEntries: 10, maxFileBytes: 64 * 1024 };

    it('should refuse a file over 1 MiB', async () => {
      assert.equal(await codeFor(validEntries('', [{ path: 'big.js', data: Buffer.alloc(MIB + 1, 0x61) }])), 'invalid_package');
    });

    it('should refuse a gzip bomb (tiny compressed, more than 20 MiB unpacked)', async () => {
      const zeros = Buffer.alloc(MIB - 1, 0x20);
      const bomb = Array.from({ length: 21 }, (_, i) => ({ path: `pad${i}.js`, data: zeros }));
      const tgz = tgzOf(validEntries('', bomb));
      assert.ok(tgz.length < 200 * 1024);
      assert.equal((await rejection(tgz)).code, 'invalid_package');
    });

    it('should refuse a stream bomb hidden in padding after the last entry', async () => {
      const tgz = gzipSync(Buffer.concat([tarBytes(validEntries()), Buffer.alloc(2 * MIB)]));
      assert.equal((await rejection(tgz, small)).code, 'invalid_package');
    });

    it('should refuse more entries than allowed', async () => {
      const many = Array.from({ length: 11 }, (_, i) => ({ path: `f${i}.js`, data: '' }));
      assert.equal(await codeFor(validEntries('', many), small), 'invalid_package');
      const defaults = Array.from({ length: DEFAULT_PACKAGE_LIMITS.maxEntries }, (_, i) => ({ path: `f${i}.js`, data: '' }));
      assert.equal(await codeFor(validEntries('', defaults)), 'invalid_package');
    });

    it('should refuse an archive over the compressed size limit', async () => {
      const noise = Buffer.from(Array.from({ length: 60_000 }, (_, i) => (i * 7919) % 251));
      const text = noise.toString('base64');
      assert.equal(await codeFor(validEntries('', [{ path: 'noise.js', data: text }]), { ...small, maxCompressedBytes: 16 * 1024 }), 'invalid_package');
    });
  });

  describe('compression and framing', () => {
    it('should refuse an empty body', async () => {
      assert.equal((await rejection(Buffer.alloc(0))).code, 'invalid_package');
    });

    it('should refuse an uncompressed tar', async () => {
      assert.equal((await rejection(tarBytes(validEntries()))).code, 'invalid_package');
    });

    it('should refuse bytes that are not an archive at all', async () => {
      assert.equal((await rejection(Buffer.from('{"name":"@acme/hello"}'))).code, 'invalid_package');
    });

    it('should refuse a truncated gzip stream', async () => {
      const tgz = tgzOf(validEntries());
      assert.equal((await rejection(tgz.subarray(0, Math.floor(tgz.length / 2)))).code, 'invalid_package');
    });

    it('should refuse a tar compressed twice', async () => {
      assert.equal((await rejection(gzipSync(tgzOf(validEntries())))).code, 'invalid_package');
    });

    it('should refuse a tar header with a bad checksum', async () => {
      const tar = tarBytes(validEntries());
      tar[0] = 0x78; // changes the first path byte without fixing the checksum
      assert.equal((await rejection(gzipSync(tar))).code, 'invalid_package');
    });
  });

  describe('contents', () => {
    it('should refuse a package without manifest.json', async () => {
      assert.equal(await codeFor([{ path: 'index.js', data: HELLO_SOURCE }]), 'invalid_package');
    });

    it('should answer invalid_manifest with the issues as details', async () => {
      const entries = [{ path: 'manifest.json', data: JSON.stringify(manifestOf({ version: 'one', colour: 'red' })) }, { path: 'index.js', data: HELLO_SOURCE }];
      const { code, details } = await rejection(tgzOf(entries));
      assert.equal(code, 'invalid_manifest');
      assert.ok(Array.isArray(details) && details.length > 0);
      const paths = (details as { path: string; keyword: string }[]).map((d) => `${d.path} ${d.keyword}`);
      assert.ok(paths.includes('/version pattern'), paths.join(', '));
      assert.ok(paths.includes(' additionalProperties'), paths.join(', '));
    });

    it('should answer invalid_manifest when manifest.json is not JSON', async () => {
      assert.equal(await codeFor([{ path: 'manifest.json', data: '{"name":' }, { path: 'index.js', data: HELLO_SOURCE }]), 'invalid_manifest');
    });

    it('should refuse a package whose main is missing', async () => {
      assert.equal(await codeFor([{ path: 'manifest.json', data: JSON.stringify(manifestOf({ main: 'lib/main.js' })) }, { path: 'index.js', data: HELLO_SOURCE }]), 'invalid_package');
    });

    it('should refuse a file that is not UTF-8', async () => {
      assert.equal(await codeFor(validEntries('', [{ path: 'lib.js', data: Buffer.from([0x63, 0xc3, 0x28, 0xff]) }])), 'invalid_package');
    });

    it('should refuse a bare import and an import of a missing file', async () => {
      for (const source of ['import _ from "lodash";\nexport function hello() {}', 'export { x } from "./lib/missing.js";', 'import "../outside.js";']) {
        const entries = [{ path: 'manifest.json', data: JSON.stringify(manifestOf()) }, { path: 'index.js', data: source }];
        assert.equal(await codeFor(entries), 'invalid_package', source);
      }
    });

    it('should accept relative imports of package files', async () => {
      const entries = validEntries('', [{ path: 'lib/a.js', data: 'export * from "../lib/b.js";' }, { path: 'lib/b.js', data: 'export const b = 1;' }]);
      entries[1] = { path: 'index.js', data: `import { b } from './lib/a.js';\n${HELLO_SOURCE}` };
      const pkg = await readPackageArchive(tgzOf(entries));
      assert.ok(pkg.files['lib/b.js']);
    });
  });
});

/**
 * What is stored must be exactly what was validated: any archive two
 * conforming gzip readers could read differently is refused, because whoever
 * downloads the stored bytes may extract them with the other reader.
 */
describe('readPackageArchive: one reading only', () => {
  /** Refused as invalid_package with a message matching `pattern`. */
  async function refused(tgz: Buffer, pattern: RegExp): Promise<void> {
    const { code, message } = await rejection(tgz);
    assert.equal(code, 'invalid_package', message);
    assert.match(message, pattern);
  }

  describe('gzip framing', () => {
    const valid = Buffer.concat([validPackageEntries(), END]);

    it('should accept the archive these tests build when nothing is wrong with it', async () => {
      const pkg = await readPackageArchive(gzipSync(valid));
      assert.deepEqual(Object.keys(pkg.files).sort(), ['index.js', 'manifest.json']);
    });

    it('should refuse a second gzip member, even an empty one', async () => {
      await refused(Buffer.concat([gzipSync(valid), gzipSync(Buffer.alloc(0))]), /second gzip member/);
    });

    it('should refuse bytes after the gzip member, even zeros', async () => {
      await refused(Buffer.concat([gzipSync(valid), Buffer.alloc(1)]), /after the gzip stream/);
    });

    it('should refuse a gzip trailer whose CRC-32 or length does not match', async () => {
      const crc = gzipSync(valid);
      crc[crc.length - 8]! ^= 0xff;
      await refused(crc, /CRC-32/);
      const length = gzipSync(valid);
      length[length.length - 4]! ^= 0x01;
      await refused(length, /length/);
    });

    it('should refuse a gzip stream cut inside its trailer', async () => {
      const tgz = gzipSync(valid);
      await refused(tgz.subarray(0, tgz.length - 3), /truncated/);
    });

    it('should refuse reserved gzip header flags', async () => {
      const tgz = gzipSync(valid);
      tgz[3] = 0x20;
      await refused(tgz, /reserved/);
    });

    it('should accept a gzip header with a file name, a comment, an extra field and a header CRC', async () => {
      const body = gzipSync(valid).subarray(10);
      const header = Buffer.concat([
        Buffer.from([0x1f, 0x8b, 0x08, 0x02 | 0x04 | 0x08 | 0x10, 0, 0, 0, 0, 0, 3]),
        Buffer.from([4, 0]), Buffer.from('abcd'), // FEXTRA
        Buffer.from('package.tar\0'), // FNAME
        Buffer.from('made by hand\0'), // FCOMMENT
      ]);
      const { crc32 } = await import('node:zlib');
      const hcrc = Buffer.alloc(2);
      hcrc.writeUInt16LE(crc32(header) & 0xffff);
      await readPackageArchive(Buffer.concat([header, hcrc, body]));
      hcrc[0]! ^= 0xff;
      await refused(Buffer.concat([header, hcrc, body]), /header CRC/);
    });
  });

});
