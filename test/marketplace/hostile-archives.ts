/**
 * Tar archives written byte by byte, for the archives no tar library would
 * write: headers whose fields lie (sizes in base-256 or with leading NULs, PAX
 * records that contradict their entry), streams that go on after the end of
 * the archive, a second gzip member. `ustarHeader` forms one 512-byte header
 * field by field and computes its checksum; everything else is concatenation.
 */
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
