/**
 * The strict header check of a package's tar stream. What Bazaar stores must
 * be exactly what it validated, and whoever downloads a package may read it
 * with another tar reader than ours. So before the tar parser reads the
 * stream, this walks it block by block and accepts only archives that every
 * conforming reader reads the same way (POSIX ustar with PAX extended
 * headers, or GNU tar with long names), refusing whatever readers are known
 * to settle differently:
 *
 * - header checksums that do not match (unsigned sum, terminated field);
 * - sizes that are not plain octal (base-256, negative, junk, leading NULs),
 *   and contents on entries that have none (folders, links, devices);
 * - text fields with bytes after their terminating NUL, names that are not
 *   UTF-8, files whose name ends in "/" (folders to some readers);
 * - extension headers that are malformed (PAX records whose length, newline
 *   or encoding is off; NULs or newlines in values; duplicate keys), that
 *   contradict their entry (a PAX size other than the header's), that carry
 *   keys readers treat differently (`linkpath`, `hdrcharset`, `GNU.sparse.*`,
 *   ...), that are not directly followed by the one entry they describe, or
 *   that leave the entry's own header, read by a reader that skips them, with
 *   an unsafe name;
 * - anything after the end-of-archive marker but zeros, and a lone zero
 *   block (some readers stop there, others read on).
 *
 * It answers the entries as it framed them; the tar reader compares them with
 * the parser's, entry by entry, so the parser's reading is this one. Rules of
 * packages (paths, types, sizes, limits) are the tar reader's
 * (package-tar-reader.ts), not this file's.
 */
import { BazaarError } from '../manifests/errors.js';
import { normaliseEntryPath } from './package-paths.js';

/** One entry as framed here, named as the tar parser names it. */
export interface FramedEntry {
  readonly path: string;
  /** The tar parser's type name (`File`, `Directory`, `SymbolicLink`, ...). */
  readonly type: string;
  readonly size: number;
}

const BLOCK = 512;

/** Extension headers only carry long paths and a few times and names here; anything bigger is not a plugin package. */
export const MAX_EXTENSION_BYTES = 64 * 1024;

const POSIX_MAGIC = Buffer.from('ustar\u000000', 'latin1');
const GNU_MAGIC = Buffer.from('ustar  \u0000', 'latin1');

/** Typeflags of entries (the tar parser's names); everything else but extension headers is refused. */
const ENTRY_TYPES: Readonly<Record<string, string>> = {
  '0': 'File',
  '\u0000': 'File',
  '7': 'ContiguousFile',
  '5': 'Directory',
  '1': 'Link',
  '2': 'SymbolicLink',
  '3': 'CharacterDevice',
  '4': 'BlockDevice',
  '6': 'FIFO',
};
const FILE_TYPEFLAGS = new Set(['0', '\u0000', '7']);
const KIND_NAMES: Readonly<Record<string, string>> = {
  Directory: 'folder',
  Link: 'hard link',
  SymbolicLink: 'symbolic link',
  CharacterDevice: 'character device',
  BlockDevice: 'block device',
  FIFO: 'FIFO',
};
const LINK_TYPEFLAGS = new Set(['1', '2']);

const UNSUPPORTED_TYPES: Readonly<Record<string, string>> = {
  K: 'a GNU long link name (packages hold no links)',
  S: 'a GNU sparse file',
  D: 'a GNU dump folder',
  M: 'a GNU multi-volume continuation',
  N: 'an old GNU long name',
  V: 'a GNU volume label',
  X: 'an old Solaris extended header',
};

/** PAX keys an entry's header may carry: its path, a size equal to the header's, and metadata no reader extracts differently. */
const PAX_KEYS = new Set(['path', 'size', 'mtime', 'atime', 'ctime', 'uid', 'gid', 'uname', 'gname', 'comment']);
const PAX_KEY_PREFIXES = ['SCHILY.xattr.', 'LIBARCHIVE.xattr.'];
const PAX_OTHER_KEYS = new Set(['LIBARCHIVE.creationtime', 'SCHILY.dev', 'SCHILY.ino', 'SCHILY.nlink', 'SCHILY.fflags']);
/** A global header applies to every later entry: never a path or a size. */
const GLOBAL_REFUSED_KEYS = new Set(['path', 'size']);

const utf8 = new TextDecoder('utf-8', { fatal: true });

function invalid(message: string): BazaarError<'invalid_package'> {
  return new BazaarError('invalid_package', message);
}

const ZEROS = Buffer.alloc(64 * 1024);

function isZero(bytes: Buffer): boolean {
  for (let start = 0; start < bytes.length; start += ZEROS.length) {
    const part = bytes.subarray(start, start + ZEROS.length);
    if (!part.equals(ZEROS.subarray(0, part.length))) return false;
  }
  return true;
}

function decodeUtf8(bytes: Buffer): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** Text as a reader unaware of any encoding sees it: one character per byte. */
function latin1(bytes: Buffer): string {
  return bytes.toString('latin1');
}

/** A parsed header block. */
interface Header {
  /** Byte offset of the header in the tar stream, for messages. */
  readonly offset: number;
  readonly typeflag: string;
  readonly format: 'posix' | 'gnu';
  /** Name field, with the prefix field for POSIX headers (raw bytes up to their NULs). */
  readonly name: Buffer;
  readonly linkname: Buffer;
  readonly size: number;
}

/** A local extension header waiting for its entry. */
type Extension =
  | { readonly kind: 'pax'; readonly offset: number; readonly records: ReadonlyMap<string, string> }
  | { readonly kind: 'gnu'; readonly offset: number; readonly path: string };

/** Reads and frames the tar stream of one package. */
class TarFraming {
  readonly #tar: Buffer;
  readonly #entries: FramedEntry[] = [];
  #pending: Extension | undefined;

  constructor(tar: Buffer) {
    this.#tar = tar;
  }

  frame(): FramedEntry[] {
    const tar = this.#tar;
    let offset = 0;
    while (offset + BLOCK <= tar.length) {
      const block = tar.subarray(offset, offset + BLOCK);
      if (isZero(block)) {
        this.#endOfArchive(offset);
        return this.#entries;
      }
      const header = this.#header(block, offset);
      const body = offset + BLOCK;
      const next = body + Math.ceil(header.size / BLOCK) * BLOCK;
      if (next > tar.length) throw invalid(`the tar stream is truncated: ${describe(header)} needs ${header.size} bytes of contents`);
      this.#consume(header, tar.subarray(body, body + header.size));
      if (!isZero(tar.subarray(body + header.size, next))) {
        throw invalid(`the padding after the contents of ${describe(header)} is not zeros (bytes no reader extracts)`);
      }
      offset = next;
    }
    if (this.#pending !== undefined) throw this.#dangling(this.#pending);
    if (offset < tar.length) throw invalid(`the tar stream is truncated: it ends inside a block, at byte ${tar.length}`);
    throw invalid('the tar stream has no end-of-archive marker (two zero blocks): it may be truncated');
  }

  /** At the first zero block: a second one must follow, and after them only zeros. */
  #endOfArchive(offset: number): void {
    if (this.#pending !== undefined) throw this.#dangling(this.#pending);
    const rest = this.#tar.subarray(offset);
    if (isZero(rest)) {
      if (rest.length < 2 * BLOCK) throw invalid('the end-of-archive marker (two zero blocks) is incomplete: the archive may be truncated');
      return;
    }
    if (!isZero(rest.subarray(BLOCK, 2 * BLOCK))) {
      throw invalid(`the tar stream has a lone zero block at byte ${offset} followed by more entries: some tar readers stop there, others read on`);
    }
    throw invalid('the tar stream has data after the end-of-archive marker: only zero padding may follow it');
  }

  #dangling(extension: Extension): BazaarError {
    return invalid(`the extension header at byte ${extension.offset} is not followed by the entry it describes`);
  }

  #header(block: Buffer, offset: number): Header {
    let where = `the header at byte ${offset}`;
    const checksum = octalField(block.subarray(148, 156), true);
    if (checksum === undefined) throw invalid(`${where} has a malformed checksum field`);
    let sum = 8 * 0x20;
    for (let i = 0; i < BLOCK; i++) if (i < 148 || i >= 156) sum += block[i]!;
    if (sum !== checksum) throw invalid(`${where} fails its checksum (the header is damaged or was altered)`);

    const magic = block.subarray(257, 265);
    const format = magic.equals(POSIX_MAGIC) ? 'posix' : magic.equals(GNU_MAGIC) ? 'gnu' : undefined;
    if (format === undefined) throw invalid(`${where} is neither a POSIX ustar nor a GNU tar header`);
    if (!isZero(block.subarray(500, BLOCK))) throw invalid(`${where} has data in its reserved bytes`);
    // GNU headers keep times and sparse maps where POSIX keeps the name prefix; some readers read a prefix there anyway.
    if (format === 'gnu' && !isZero(block.subarray(345, 500))) throw invalid(`${where} is a GNU header with data where POSIX headers keep a name prefix`);

    const name = cString(block.subarray(0, 100), `${where}: its name`);
    if (name.length === 0) throw invalid(`${where} has an empty name`);
    where = `the header of "${latin1(name)}" (at byte ${offset})`;
    const typeflag = String.fromCharCode(block[156]!);
    const size = octalField(block.subarray(124, 136), false);
    if (size === undefined) throw invalid(`${where} has a size field that is not a plain octal number (base-256, negative, empty or malformed sizes are refused)`);
    for (const [start, end, label] of [
      [100, 108, 'mode'],
      [108, 116, 'uid'],
      [116, 124, 'gid'],
      [136, 148, 'mtime'],
      [329, 337, 'devmajor'],
      [337, 345, 'devminor'],
    ] as const) {
      if (!metadataNumber(block.subarray(start, end))) throw invalid(`${where} has a malformed ${label} field`);
    }
    const linkname = cString(block.subarray(157, 257), `${where}: its link name`);
    let prefix: Buffer = Buffer.alloc(0);
    if (format === 'posix') {
      // A prefix of up to 130 bytes ends with a NUL at byte 130 at the latest; star-style times may follow it.
      const field = block[475] === 0 ? block.subarray(345, 476) : block.subarray(345, 500);
      prefix = cString(field, `${where}: its name prefix`);
    }
    const fullName = prefix.length > 0 ? Buffer.concat([prefix, Buffer.from('/'), name]) : name;
    return { offset, typeflag, format, name: fullName, linkname, size };
  }

  #consume(header: Header, body: Buffer): void {
    const { typeflag, offset } = header;
    if (typeflag === 'x' || typeflag === 'g' || typeflag === 'L') {
      if (header.size === 0) throw invalid(`the extension header at byte ${offset} is empty`);
      if (header.size > MAX_EXTENSION_BYTES) throw invalid(`the extension header at byte ${offset} is larger than 64 KiB (${MAX_EXTENSION_BYTES} bytes)`);
      if (this.#pending !== undefined) {
        throw invalid(`the extension header at byte ${offset} follows another one (at byte ${this.#pending.offset}): an entry may have one extension header, directly before it`);
      }
      if (typeflag === 'L') {
        if (header.format !== 'gnu') throw invalid(`the GNU long name at byte ${offset} is in a POSIX header`);
        this.#pending = { kind: 'gnu', offset, path: longName(body, offset) };
        return;
      }
      if (header.format !== 'posix') throw invalid(`the PAX header at byte ${offset} is in a GNU header, not a POSIX one`);
      const records = paxRecords(body, offset);
      if (typeflag === 'x') {
        this.#pending = { kind: 'pax', offset, records };
        return;
      }
      for (const key of records.keys()) {
        if (GLOBAL_REFUSED_KEYS.has(key) || !isAllowedPaxKey(key)) {
          throw invalid(`the global PAX header at byte ${offset} sets "${key}" for every later entry, which readers apply differently`);
        }
      }
      return;
    }
    if (ENTRY_TYPES[typeflag] === undefined) {
      const what = UNSUPPORTED_TYPES[typeflag] ?? 'unknown';
      throw invalid(`entry "${latin1(header.name)}" (at byte ${offset}) has the type ${JSON.stringify(typeflag)} (${what}): only regular files and folders are allowed`);
    }
    const extension = this.#pending;
    this.#pending = undefined;
    this.#entries.push(frameEntry(header, extension));
  }
}

/** "the header of "name" (at byte n)", for messages about a header before its entry is judged. */
function describe(header: Header): string {
  return `the header of "${latin1(header.name)}" (at byte ${header.offset})`;
}

/** Judges one entry with its extension header, if any, and names it as the tar parser will. */
function frameEntry(header: Header, extension: Extension | undefined): FramedEntry {
  const { typeflag, size } = header;
  const ownName = decodeUtf8(header.name);
  const extensionPath = extension?.kind === 'gnu' ? extension.path : extension?.records.get('path');
  const path = extensionPath ?? ownName;
  const entry = `entry "${path ?? latin1(header.name)}" (at byte ${header.offset})`;
  if (path === undefined) throw invalid(`${entry} has a name that is not UTF-8`);
  if (extension?.kind === 'gnu' && header.format !== 'gnu') throw invalid(`${entry} follows a GNU long name but is not a GNU header`);
  if (extension?.kind === 'pax') {
    if (header.format !== 'posix') throw invalid(`${entry} follows a PAX header but is not a POSIX header`);
    for (const [key, value] of extension.records) {
      if (!isAllowedPaxKey(key)) throw invalid(`the PAX header of ${entry} sets "${key}", which readers apply differently or not at all`);
      if (key === 'size' && (!/^[0-9]+$/.test(value) || Number(value) !== size)) {
        throw invalid(`the PAX header of ${entry} gives it a size of ${JSON.stringify(value)} while its own header says ${size}: readers would disagree on where the entry ends`);
      }
    }
  }
  if (extensionPath !== undefined && extensionPath !== ownName) {
    // A reader that skips the extension header names the entry by its own header: that name must be safe too.
    const verdict = normaliseEntryPath(latin1(header.name));
    if (!verdict.ok) throw invalid(`${entry}: readers that ignore its extension header see the name "${latin1(header.name)}", which ${verdict.rule}`);
  }
  const type = ENTRY_TYPES[typeflag]!;
  if (FILE_TYPEFLAGS.has(typeflag) && path.endsWith('/')) throw invalid(`${entry} is a file whose name ends in "/" (a folder to some readers)`);
  if (!FILE_TYPEFLAGS.has(typeflag) && size !== 0) {
    throw invalid(`${entry} is a ${KIND_NAMES[type] ?? type} whose header gives it ${size} bytes of contents: only files have contents, and readers disagree on skipping them`);
  }
  if (!LINK_TYPEFLAGS.has(typeflag) && header.linkname.length > 0) throw invalid(`${entry} has a link target but is not a link`);
  return { path, type, size };
}

/**
 * A NUL-terminated text field: its bytes up to the first NUL. Bytes after that
 * NUL are refused: readers cut the field at the NUL, at a newline or not at all.
 */
function cString(field: Buffer, what: string): Buffer {
  const nul = field.indexOf(0);
  if (nul === -1) return field;
  if (!isZero(field.subarray(nul))) throw invalid(`${what} has bytes after its terminating NUL`);
  return field.subarray(0, nul);
}

/**
 * An octal number field in the one form every reader reads alike: optional
 * leading spaces, at least one octal digit, then only spaces and NULs (at
 * least one of them when `terminated`). Answers undefined otherwise.
 */
function octalField(field: Buffer, terminated: boolean): number | undefined {
  const text = latin1(field);
  const match = (terminated ? /^ *([0-7]+)[ \0]+$/ : /^ *([0-7]+)[ \0]*$/).exec(text);
  if (match === null) return undefined;
  const value = parseInt(match[1]!, 8);
  return Number.isSafeInteger(value) ? value : undefined;
}

/**
 * Mode, owner, time and device numbers: not used by Bazaar, but a field a
 * reader cannot read makes it skip or refuse the entry. Empty, plain octal or
 * GNU base-256 (as large owners and times are written).
 */
function metadataNumber(field: Buffer): boolean {
  if (field[0] === 0x80 || field[0] === 0xff) return true;
  return /^[ \0]*$/.test(latin1(field)) || octalField(field, false) !== undefined;
}

/** The body of a GNU long name: a UTF-8 path, then NULs only. */
function longName(body: Buffer, offset: number): string {
  const bytes = cString(body, `the GNU long name at byte ${offset}`);
  const path = decodeUtf8(bytes);
  if (path === undefined) throw invalid(`the GNU long name at byte ${offset} is not UTF-8`);
  if (path === '') throw invalid(`the GNU long name at byte ${offset} is empty`);
  return path;
}

/**
 * PAX records, `"<length> <key>=<value>\n"` each, that must exactly fill the
 * body. Values may not hold a newline or a NUL: some readers split records on
 * newlines and cut values at NULs instead of counting lengths.
 */
function paxRecords(body: Buffer, offset: number): Map<string, string> {
  const where = `the PAX header at byte ${offset}`;
  const records = new Map<string, string>();
  let position = 0;
  while (position < body.length) {
    const space = body.indexOf(0x20, position);
    const digits = space === -1 ? '' : latin1(body.subarray(position, space));
    if (!/^[1-9][0-9]{0,5}$/.test(digits)) throw invalid(`${where} has a malformed record length at byte ${position} of its body`);
    const end = position + Number(digits);
    if (end > body.length || end <= space + 1 || body[end - 1] !== 0x0a) {
      throw invalid(`${where} has a record whose length does not match its contents at byte ${position} of its body`);
    }
    const record = body.subarray(space + 1, end - 1);
    const equals = record.indexOf(0x3d); // '='
    const key = equals > 0 ? decodeUtf8(record.subarray(0, equals)) : undefined;
    if (key === undefined || /[\n\0]/.test(key)) throw invalid(`${where} has a record without a readable key at byte ${position} of its body`);
    const value = decodeUtf8(record.subarray(equals + 1));
    if (value === undefined || /[\n\0]/.test(value)) {
      // macOS tar writes extended attributes as raw bytes under SCHILY.xattr.*.
      const hint = key.includes('xattr') ? ' (an extended attribute: pack with `bazaar pack`, or tar without extended attributes)' : '';
      throw invalid(`${where} has a value for "${key}" that is not UTF-8 text without newlines and NULs, which readers split differently${hint}`);
    }
    if (records.has(key)) throw invalid(`${where} sets "${key}" twice`);
    if (key === 'path' && value === '') throw invalid(`${where} has an empty path`);
    records.set(key, value);
    position = end;
  }
  return records;
}

function isAllowedPaxKey(key: string): boolean {
  return PAX_KEYS.has(key) || PAX_OTHER_KEYS.has(key) || PAX_KEY_PREFIXES.some((prefix) => key.startsWith(prefix));
}

/**
 * Frames the decompressed tar stream of a package and answers its entries in
 * order, as the tar parser must also see them.
 *
 * @throws BazaarError `invalid_package` naming the header (by byte offset) or
 *   the entry and the rule broken.
 */
export function frameTarStream(tar: Buffer): FramedEntry[] {
  return new TarFraming(tar).frame();
}
