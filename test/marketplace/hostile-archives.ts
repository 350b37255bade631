/**
 * Tar archives written byte by byte, for the archives no tar library would
 * write: headers whose fields lie (sizes in base-256 or with leading NULs, PAX
 * records that contradict their entry), streams that go on after the end of
 * the archive, a second gzip member. `ustarHeader` forms one 512-byte header
 * field by field and computes its checksum; everything else is concatenation.
 *
 * `hostileArchives()` are packages the reader once accepted although another
 * tar or gzip reader, extracting the same stored bytes, sees entries that were
 * never checked (usually a `../` path) or misses some: each is refused now.
 */
import { gzipSync } from 'node:zlib';
import { HELLO_SOURCE, manifestOf } from '../support/tar-builder.js';

export const BLOCK = 512;

/** The end-of-archive marker: two zero blocks. */
export const END = Buffer.alloc(2 * BLOCK);

export interface RawHeader {
  readonly name: string | Buffer;
  /** A number (written as 11 octal digits and a NUL) or the raw 12 bytes of the size field. */
  readonly size?: number | Buffer;
  /** The typeflag byte: '0' file, '5' folder, 'x' PAX, 'g' global PAX, 'L' GNU long name, '\0' old file. */
  readonly type?: string;
  readonly prefix?: string;
  readonly linkname?: string;
  /** `ustar\0` + `00` (POSIX, the default) or `ustar  \0` (GNU). */
  readonly magic?: 'posix' | 'gnu';
  /** Replaces the computed checksum (the raw 8 bytes of the field). */
  readonly checksum?: Buffer;
}

function field(block: Buffer, offset: number, length: number, value: string | Buffer): void {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  if (bytes.length > length) throw new Error(`field at ${offset} holds ${length} bytes, not ${bytes.length}`);
  bytes.copy(block, offset);
}

/** `value` as `digits` octal digits followed by a NUL. */
export function octal(value: number, digits: number): string {
  return `${value.toString(8).padStart(digits, '0')}\0`;
}

/** One ustar header block, field by field, with a correct checksum unless `checksum` says otherwise. */
export function ustarHeader(h: RawHeader): Buffer {
  const block = Buffer.alloc(BLOCK);
  field(block, 0, 100, h.name);
  field(block, 100, 8, octal(h.type === '5' ? 0o755 : 0o644, 7));
  field(block, 108, 8, octal(0, 7));
  field(block, 116, 8, octal(0, 7));
  field(block, 124, 12, typeof h.size === 'object' ? h.size : octal(h.size ?? 0, 11));
  field(block, 136, 12, octal(499_162_500, 11)); // 1985-10-26
  field(block, 156, 1, h.type ?? '0');
  field(block, 157, 100, h.linkname ?? '');
  field(block, 257, 8, h.magic === 'gnu' ? 'ustar  \0' : 'ustar\u000000');
  field(block, 345, 155, h.prefix ?? '');
  // The checksum: every byte summed as unsigned, with the checksum field itself read as 8 spaces.
  block.fill(0x20, 148, 156);
  const sum = block.reduce((n, byte) => n + byte, 0);
  field(block, 148, 8, h.checksum ?? `${sum.toString(8).padStart(6, '0')}\0 `);
  return block;
}

/** `data` followed by zeros up to the next block boundary. */
export function padded(data: Buffer): Buffer {
  return Buffer.concat([data, Buffer.alloc((BLOCK - (data.length % BLOCK)) % BLOCK)]);
}

/** A regular file: header and padded contents. */
export function fileEntry(name: string, data: string | Buffer, extra: Partial<RawHeader> = {}): Buffer {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  return Buffer.concat([ustarHeader({ name, size: bytes.length, ...extra }), padded(bytes)]);
}

/** One PAX record, `"<length> <key>=<value>\n"`, the length counting its own digits. */
export function paxRecord(key: string, value: string): string {
  const rest = ` ${key}=${value}\n`;
  let length = Buffer.byteLength(rest) + 1;
  while (String(length).length + Buffer.byteLength(rest) !== length) length = String(length).length + Buffer.byteLength(rest);
  return `${length}${rest}`;
}

/** A PAX extended header ('x', or 'g' when global) holding `body` (records, or raw bytes). */
export function paxHeader(body: string | Buffer, type: 'x' | 'g' = 'x'): Buffer {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  return Buffer.concat([ustarHeader({ name: 'PaxHeader/entry', type, size: bytes.length }), padded(bytes)]);
}

/** A GNU long-name header ('L'): the next entry's path, NUL-terminated, as GNU tar writes it. */
export function gnuLongName(path: string | Buffer): Buffer {
  const bytes = Buffer.concat([typeof path === 'string' ? Buffer.from(path) : path, Buffer.alloc(1)]);
  return Buffer.concat([ustarHeader({ name: '././@LongLink', type: 'L', size: bytes.length, magic: 'gnu' }), padded(bytes)]);
}

/** The manifest and main of a valid package under `package/`, with `name` in the manifest. */
export function validPackageEntries(name = '@acme/smuggler'): Buffer {
  return Buffer.concat([
    fileEntry('package/manifest.json', JSON.stringify(manifestOf({ name }))),
    fileEntry('package/index.js', HELLO_SOURCE),
  ]);
}

/** The smuggled entry: a header for `../../evil.js`. */
const HIDDEN = ustarHeader({ name: '../../evil.js' });

/**
 * The usual shape of a smuggled entry: `liar` is a header whose size node-tar
 * reads as 0 while another reader gives it (at least) one block of contents;
 * then `package/notes.txt`, whose 512 bytes of contents are the hidden entry's
 * header. node-tar sees liar (empty), notes.txt (text), the end. The other
 * reader sees liar (its block: the notes.txt header), `../../evil.js`, the end.
 */
function desync(liar: Buffer, name: string): Buffer {
  return Buffer.concat([validPackageEntries(name), liar, ustarHeader({ name: 'package/notes.txt', size: BLOCK }), HIDDEN, END]);
}

/** Size fields that two readers read differently. */
const NEGATIVE_SIZE = Buffer.from([0xff, ...Array<number>(10).fill(0xff), 0x00]); // base-256: -256
const LEADING_NUL_SIZE = Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0x30, 0x31, 0x37, 0]); // "\0…\0017\0": node-tar reads 0, Go's archive/tar 0o17

export interface HostileArchive {
  readonly name: string;
  /** The .tgz as uploaded. */
  readonly tgz: Buffer;
  /** What the refusal's message says. */
  readonly reason: RegExp;
}

/** Builds every hostile archive with its manifest naming `pluginName` (HTTP tests use their own scope). */
export function hostileArchives(pluginName = '@acme/smuggler'): HostileArchive[] {
  const valid = Buffer.concat([validPackageEntries(pluginName), END]);
  const evil = Buffer.concat([fileEntry('../../evil.js', 'export const pwned = true;\n'), END]);
  return [
    {
      name: 'a second gzip member after a valid package, holding a ../ entry',
      tgz: Buffer.concat([gzipSync(valid), gzipSync(evil)]),
      reason: /second gzip member/,
    },
    {
      name: 'a PAX size that swallows the next entry (a ../ entry, seen by readers that ignore PAX)',
      tgz: gzipSync(
        Buffer.concat([
          validPackageEntries(pluginName),
          paxHeader(paxRecord('size', String(BLOCK))),
          ustarHeader({ name: 'package/notes.txt', size: 0 }),
          HIDDEN, // the one block the PAX size swallows into notes.txt
          END,
        ]),
      ),
      reason: /PAX header .* gives it a size of "512" while its own header says 0/,
    },
    {
      name: 'an entry with a negative (base-256) size',
      tgz: gzipSync(desync(ustarHeader({ name: 'package/empty.js', size: NEGATIVE_SIZE }), pluginName)),
      reason: /"package\/empty\.js" .* size field that is not a plain octal number/,
    },
    {
      name: 'a size field with leading NULs (0 to node-tar, 15 to Go)',
      tgz: gzipSync(desync(ustarHeader({ name: 'package/empty.js', size: LEADING_NUL_SIZE }), pluginName)),
      reason: /size field that is not a plain octal number/,
    },
    {
      name: 'a folder whose header gives it contents',
      tgz: gzipSync(desync(ustarHeader({ name: 'package/lib/', type: '5', size: 1 }), pluginName)),
      reason: /"package\/lib\/" .* is a folder whose header gives it 1 bytes of contents/,
    },
    {
      name: 'a file whose name ends in "/" (a folder to some readers) with contents',
      tgz: gzipSync(desync(ustarHeader({ name: 'package/lib/', size: 1 }), pluginName)),
      reason: /is a file whose name ends in "\/"/,
    },
    {
      name: 'a PAX record whose value holds a newline (node-tar splits records on newlines)',
      tgz: gzipSync(
        Buffer.concat([
          validPackageEntries(pluginName),
          // A length-counting reader sees comment="x\n<record>" and path="../../evil.js\nX";
          // node-tar splits on newlines and sees path=package/ok.js.
          paxHeader(paxRecord('comment', `x\n${paxRecord('path', 'package/ok.txt').slice(0, -1)}`) + paxRecord('path', '../../evil.js\nX')),
          fileEntry('package/x.txt', 'ok'),
          END,
        ]),
      ),
      reason: /value for "comment" that is not UTF-8 text without newlines/,
    },
    {
      name: 'a PAX path cut short by a NUL (node-tar reads up to it, others do not)',
      tgz: gzipSync(Buffer.concat([validPackageEntries(pluginName), paxHeader(paxRecord('path', 'package/ok.txt\0/../../../evil.js')), fileEntry('package/x.txt', 'ok'), END])),
      reason: /value for "path" that is not UTF-8 text without newlines and NULs/,
    },
    {
      name: 'a GNU long name with bytes after its terminating NUL',
      tgz: gzipSync(Buffer.concat([validPackageEntries(pluginName), gnuLongName('package/ok.txt\0../../evil.js'), fileEntry('package/x.txt', 'ok', { magic: 'gnu' }), END])),
      reason: /GNU long name .* bytes after its terminating NUL/,
    },
    {
      name: 'entries after a lone zero block (where some readers stop)',
      tgz: gzipSync(Buffer.concat([fileEntry('package/manifest.json', JSON.stringify(manifestOf({ name: pluginName }))), Buffer.alloc(BLOCK), fileEntry('package/index.js', HELLO_SOURCE), END])),
      reason: /lone zero block/,
    },
    {
      name: 'a tar entry after the end-of-archive marker',
      tgz: gzipSync(Buffer.concat([valid, evil])),
      reason: /data after the end-of-archive marker/,
    },
    {
      name: 'zero bytes after the gzip member',
      tgz: Buffer.concat([gzipSync(valid), Buffer.alloc(64)]),
      reason: /64 bytes after the gzip stream/,
    },
  ];
}
