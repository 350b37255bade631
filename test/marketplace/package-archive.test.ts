import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { isBazaarError, type ErrorCode } from '../../manifests/errors.js';
import { DEFAULT_PACKAGE_LIMITS, readPackageArchive, type PackageLimits } from '../../marketplace/package-archive.js';
import { HELLO_SOURCE, manifestOf, tarBytes, tgzOf, validEntries, type TarEntrySpec } from '../support/tar-builder.js';
import { BLOCK, END, fileEntry, gnuLongName, hostileArchives, octal, paxHeader, paxRecord, ustarHeader, validPackageEntries } from './hostile-archives.js';

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
 * conforming tar or gzip readers could read differently is refused, because
 * whoever downloads the stored bytes may extract them with the other reader.
 */
describe('readPackageArchive: one reading only', () => {
  /** Refused as invalid_package with a message matching `pattern`. */
  async function refused(tgz: Buffer, pattern: RegExp): Promise<void> {
    const { code, message } = await rejection(tgz);
    assert.equal(code, 'invalid_package', message);
    assert.match(message, pattern);
  }

  /** A valid package's entries followed by `tail` (entries, then the end marker unless `tail` brings its own). */
  function tgzWith(...tail: Buffer[]): Buffer {
    return gzipSync(Buffer.concat([validPackageEntries(), ...tail]));
  }

  describe('hostile archives the reader used to accept', () => {
    for (const { name, tgz, reason } of hostileArchives()) {
      it(`should refuse ${name}`, async () => {
        await refused(tgz, reason);
      });
    }
  });

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

  describe('end of the archive', () => {
    it('should accept zero padding after the end marker (GNU tar fills a 10 KiB record)', async () => {
      const tar = Buffer.concat([validPackageEntries(), END]);
      await readPackageArchive(gzipSync(Buffer.concat([tar, Buffer.alloc(10240 - tar.length)])));
    });

    it('should refuse non-zero bytes after the end marker', async () => {
      const tail = Buffer.alloc(3 * BLOCK);
      tail[2 * BLOCK + 100] = 1;
      await refused(tgzWith(tail), /after the end-of-archive marker/);
    });

    it('should refuse entries after a lone zero block', async () => {
      await refused(tgzWith(Buffer.alloc(BLOCK), fileEntry('package/late.txt', 'x'), END), /lone zero block/);
    });

    it('should refuse an archive without its end marker', async () => {
      await refused(tgzWith(), /end-of-archive marker/);
    });

    it('should refuse a stream that ends inside a block', async () => {
      await refused(tgzWith(fileEntry('package/a.txt', 'x').subarray(0, 600)), /truncated|ends inside/);
    });
  });

  describe('header fields', () => {
    it('should refuse a header whose checksum does not match, and one without a terminated checksum', async () => {
      await refused(tgzWith(ustarHeader({ name: 'package/a.txt', checksum: Buffer.from('0000000\0') }), END), /checksum/);
      const unterminated = ustarHeader({ name: 'package/a.txt' });
      const sum = unterminated.toString('latin1', 148, 154);
      unterminated.write(`00${sum}`, 148, 'latin1'); // 8 digits, same value, no NUL or space: readers that read on disagree
      await refused(tgzWith(unterminated, END), /checksum/);
    });

    const sizes: [string, Buffer][] = [
      ['base-256 (even a positive one)', Buffer.from([0x80, ...Array<number>(10).fill(0), 0x01])],
      ['octal digits then junk', Buffer.from('0000000001x\0', 'latin1')],
      ['digits after the terminator', Buffer.from('00000001\x002\0\0', 'latin1')],
      ['empty', Buffer.alloc(12)],
    ];
    for (const [what, size] of sizes) {
      it(`should refuse a size field that is ${what}`, async () => {
        await refused(tgzWith(ustarHeader({ name: 'package/a.txt', size }), END), /size field/);
      });
    }

    it('should accept a size field with leading spaces or a trailing space, as old tars write it', async () => {
      const spaced = ustarHeader({ name: 'package/a.txt', size: Buffer.from('         1 \0', 'latin1') });
      const pkg = await readPackageArchive(tgzWith(spaced, Buffer.from('x'), Buffer.alloc(BLOCK - 1), END));
      assert.equal(pkg.files['a.txt'], 'x');
    });

    it('should refuse bytes after the NUL that ends a name', async () => {
      const name = Buffer.concat([Buffer.from('package/a.txt\0'), Buffer.from('../../evil.js')]);
      await refused(tgzWith(ustarHeader({ name, size: 0 }), END), /after its terminating NUL/);
    });

    it('should refuse a name that is not UTF-8', async () => {
      await refused(tgzWith(ustarHeader({ name: Buffer.from([0x70, 0x61, 0x63, 0x6b, 0x61, 0x67, 0x65, 0x2f, 0xff]), size: 0 }), END), /UTF-8/);
    });

    it('should refuse a header that is neither POSIX ustar nor GNU (a v7 header)', async () => {
      const v7 = ustarHeader({ name: 'package/a.txt' });
      v7.fill(0, 257, 265);
      v7.fill(0x20, 148, 156);
      v7.write(octal(v7.reduce((n, b) => n + b, 0), 6), 148, 'latin1');
      await refused(tgzWith(v7, END), /ustar/);
    });

    it('should refuse non-zero bytes in the padding after a file', async () => {
      await refused(tgzWith(ustarHeader({ name: 'package/a.txt', size: 1 }), Buffer.from('x'), Buffer.alloc(BLOCK - 2), Buffer.from('y'), END), /padding/);
    });

    for (const type of ['S', 'D', 'V', 'X', 'N', 'A', 'K']) {
      it(`should refuse the entry type '${type}'`, async () => {
        await refused(tgzWith(ustarHeader({ name: 'package/a.txt', type }), END), /type/);
      });
    }

    it('should refuse a link target on an entry that is not a link', async () => {
      await refused(tgzWith(ustarHeader({ name: 'package/a.txt', linkname: 'index.js' }), END), /link/);
    });

    it('should accept a name split between the prefix and name fields', async () => {
      const dir = `package/${'d'.repeat(90)}`;
      const pkg = await readPackageArchive(tgzWith(ustarHeader({ name: 'a.txt', prefix: dir, size: 1 }), Buffer.from('x'), Buffer.alloc(BLOCK - 1), END));
      assert.equal(pkg.files[`${'d'.repeat(90)}/a.txt`], 'x');
    });
  });

  describe('extension headers', () => {
    const longPath = `package/${'a'.repeat(60)}/${'b'.repeat(60)}.js`;

    it('should accept a PAX path, and PAX times and owners', async () => {
      const records = paxRecord('path', longPath) + paxRecord('mtime', '499162500.25') + paxRecord('atime', '1') + paxRecord('uname', 'me');
      const pkg = await readPackageArchive(tgzWith(paxHeader(records), fileEntry('package/short.js', 'export {};'), END));
      assert.equal(pkg.files[longPath.slice('package/'.length)], 'export {};');
    });

    it('should accept a PAX size that agrees with the header', async () => {
      await readPackageArchive(tgzWith(paxHeader(paxRecord('size', '2')), fileEntry('package/a.txt', 'hi'), END));
    });

    it('should refuse a PAX size that disagrees with the header, larger or smaller', async () => {
      await refused(tgzWith(paxHeader(paxRecord('size', '1')), fileEntry('package/a.txt', 'hi'), END), /size/);
      await refused(tgzWith(paxHeader(paxRecord('size', '0x2')), fileEntry('package/a.txt', 'hi'), END), /size/);
    });

    it('should accept a GNU long name', async () => {
      const pkg = await readPackageArchive(tgzWith(gnuLongName(longPath), fileEntry(longPath.slice(0, 100), 'export {};', { magic: 'gnu' }), END));
      assert.equal(pkg.files[longPath.slice('package/'.length)], 'export {};');
    });

    it('should refuse a long name or PAX path whose entry, read without it, has an unsafe name', async () => {
      await refused(tgzWith(gnuLongName('package/a.js'), fileEntry('../../evil.js', 'x', { magic: 'gnu' }), END), /ignore/);
      await refused(tgzWith(paxHeader(paxRecord('path', 'package/a.js')), fileEntry('/etc/evil.js', 'x'), END), /ignore/);
    });

    it('should refuse a GNU long name on a POSIX entry, and a PAX header on a GNU entry', async () => {
      await refused(tgzWith(gnuLongName(longPath), fileEntry('package/x.js', 'x'), END), /GNU/);
      await refused(tgzWith(paxHeader(paxRecord('path', longPath)), fileEntry('package/x.js', 'x', { magic: 'gnu' }), END), /POSIX/);
    });

    it('should refuse two extension headers for one entry', async () => {
      await refused(tgzWith(paxHeader(paxRecord('mtime', '1')), paxHeader(paxRecord('path', longPath)), fileEntry('package/x.js', 'x'), END), /extension header/);
      await refused(tgzWith(gnuLongName(longPath), gnuLongName(longPath), fileEntry('package/x.js', 'x', { magic: 'gnu' }), END), /extension header/);
    });

    it('should refuse an extension header with no entry after it', async () => {
      await refused(tgzWith(paxHeader(paxRecord('path', longPath)), END), /not followed/);
    });

    it('should refuse empty extension headers', async () => {
      await refused(tgzWith(paxHeader(''), fileEntry('package/x.js', 'x'), END), /empty/);
      await refused(tgzWith(gnuLongName(''), fileEntry('package/x.js', 'x', { magic: 'gnu' }), END), /empty/);
    });

    const malformed: [string, string][] = [
      ['a length that does not match the record', `99 path=${longPath}\n`],
      ['a length with a leading zero', `0${paxRecord('path', longPath)}`],
      ['no "="', '8 nokey\n'],
      ['no newline at its end', paxRecord('path', longPath).slice(0, -1) + ' '],
      ['padding NULs inside the header size', `${paxRecord('mtime', '1')}\0\0\0`],
      ['a duplicate key', paxRecord('path', longPath) + paxRecord('path', 'package/x.js')],
      ['an empty path', paxRecord('path', '')],
    ];
    for (const [what, body] of malformed) {
      it(`should refuse a PAX header with ${what}`, async () => {
        await refused(tgzWith(paxHeader(body), fileEntry('package/x.js', 'x'), END), /PAX/);
      });
    }

    for (const key of ['linkpath', 'hdrcharset', 'GNU.sparse.size', 'GNU.sparse.map', 'mode', 'SCHILY.realsize']) {
      it(`should refuse the PAX key ${key}`, async () => {
        await refused(tgzWith(paxHeader(paxRecord(key, '1')), fileEntry('package/x.js', 'x'), END), new RegExp(key.replace(/\./g, '\\.')));
      });
    }

    it('should accept extended attributes written as text, and refuse raw bytes in them with a hint', async () => {
      await readPackageArchive(tgzWith(paxHeader(paxRecord('LIBARCHIVE.xattr.com.apple.provenance', 'AQIAvA==')), fileEntry('package/x.txt', 'x'), END));
      const raw = paxRecord('SCHILY.xattr.com.apple.provenance', 'AB\u0000\n');
      await refused(tgzWith(paxHeader(raw), fileEntry('package/x.txt', 'x'), END), /extended attribute/);
    });

    it('should accept a global PAX header with a comment (as git archive writes it)', async () => {
      await readPackageArchive(tgzWith(paxHeader(paxRecord('comment', 'a'.repeat(40)), 'g'), fileEntry('package/x.txt', 'x'), END));
    });

    it('should refuse a path or size in a global PAX header', async () => {
      await refused(tgzWith(paxHeader(paxRecord('path', 'package/x.txt'), 'g'), fileEntry('package/x.txt', 'x'), END), /global/);
      await refused(tgzWith(paxHeader(paxRecord('size', '1'), 'g'), fileEntry('package/x.txt', 'x'), END), /global/);
    });

    it('should refuse an extension header larger than 64 KiB', async () => {
      await refused(tgzWith(paxHeader(paxRecord('comment', 'c'.repeat(70_000))), fileEntry('package/x.txt', 'x'), END), /64 KiB|65536/);
    });
  });
});
