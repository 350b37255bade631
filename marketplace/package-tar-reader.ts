/**
 * Reads an uploaded .tgz entirely in memory: nothing touches the disk, every
 * limit is counted on the bytes actually read (headers lie in bombs), and
 * reading stops at the first broken rule. What is stored must be exactly what
 * was validated, so the archive has one reading only: one gzip member and
 * nothing after it (package-gzip.ts), a tar stream every conforming reader
 * frames alike (package-tar-framing.ts), and the tar parser's entries equal to
 * those framed. The archive's own rules (paths, types, sizes) are checked
 * here, entry by entry; the package's rules (layout, manifest, main) in
 * package-contents.ts.
 */
import { createHash } from 'node:crypto';
import { Parser, type ReadEntry } from 'tar';
import { BazaarError } from '../manifests/errors.js';
import { assemblePackage, type PackageEntry, type PluginPackage } from './package-contents.js';
import { inflateSingleMember } from './package-gzip.js';
import { DEFAULT_PACKAGE_LIMITS, tarOverheadBytes, type PackageLimits } from './package-limits.js';
import { normaliseEntryPath } from './package-paths.js';
import { frameTarStream, MAX_EXTENSION_BYTES, type FramedEntry } from './package-tar-framing.js';

/** What an upload may arrive as: a buffer, a Node stream or any async iterable of chunks. */
export type PackageInput = Buffer | AsyncIterable<Buffer | Uint8Array> | NodeJS.ReadableStream;

const FILE_TYPES = new Set(['File', 'OldFile', 'ContiguousFile']);

const TYPE_NAMES: Readonly<Record<string, string>> = {
  Link: 'a hard link',
  SymbolicLink: 'a symbolic link',
  CharacterDevice: 'a character device',
  BlockDevice: 'a block device',
  FIFO: 'a FIFO',
};

function invalid(message: string): BazaarError<'invalid_package'> {
  return new BazaarError('invalid_package', message);
}

/** Collects the whole compressed upload, hashing as it streams; stops reading past the limit. */
async function readCompressed(input: PackageInput, limits: PackageLimits): Promise<{ bytes: Buffer; sha256: string }> {
  const hash = createHash('sha256');
  const chunks: Buffer[] = [];
  let size = 0;
  const source: AsyncIterable<unknown> | Iterable<unknown> = Buffer.isBuffer(input) ? [input] : (input as AsyncIterable<unknown>);
  for await (const piece of source) {
    const chunk = typeof piece === 'string' ? Buffer.from(piece) : Buffer.from(piece as Uint8Array);
    size += chunk.length;
    // Leaving the loop ends the iteration, which destroys a stream source: the rest is never read.
    if (size > limits.maxCompressedBytes) throw invalid(`the archive is larger than ${limits.maxCompressedBytes} bytes (compressed)`);
    hash.update(chunk);
    chunks.push(chunk);
  }
  if (size === 0) throw invalid('the archive is empty (zero-length upload)');
  const bytes = Buffer.concat(chunks, size);
  // 1f 8b is gzip's magic number, 08 its only compression method (deflate).
  if (bytes.length < 3 || bytes[0] !== 0x1f || bytes[1] !== 0x8b || bytes[2] !== 0x08) {
    throw invalid('the archive is not gzip-compressed (a package is a .tgz)');
  }
  return { bytes, sha256: hash.digest('hex') };
}

/** Judges each entry as the tar parser emits it and keeps the accepted ones. */
class EntryCollector {
  readonly entries: PackageEntry[] = [];
  /** Every entry the parser emitted, as it read it, to compare with the framing. */
  readonly seen: FramedEntry[] = [];
  #limits: PackageLimits;
  #failure: BazaarError | undefined;
  #count = 0;
  #fileBytes = 0;

  constructor(limits: PackageLimits) {
    this.#limits = limits;
  }

  get failure(): BazaarError | undefined {
    return this.#failure;
  }

  /** Records the first broken rule; later ones are consequences of it. */
  fail(error: BazaarError): void {
    this.#failure ??= error;
  }

  onEntry(entry: ReadEntry): void {
    entry.resume(); // drain the body whatever happens, so the parser never stalls
    this.seen.push({ path: entry.path, type: entry.type, size: entry.size });
    if (this.#failure !== undefined) return;
    if (++this.#count > this.#limits.maxEntries) {
      return this.fail(invalid(`the archive has more than ${this.#limits.maxEntries} entries`));
    }
    const rawPath = entry.path;
    const verdict = normaliseEntryPath(rawPath);
    if (!verdict.ok) return this.fail(invalid(`entry "${rawPath}" ${verdict.rule}`));
    if (entry.type === 'Directory') {
      // A folder's header size was checked by the framing (the parser reads it as 0 whatever it says).
      this.entries.push({ rawPath, path: verdict.path, kind: 'directory', data: Buffer.alloc(0) });
      return;
    }
    if (!FILE_TYPES.has(entry.type)) {
      const what = TYPE_NAMES[entry.type] ?? `of type ${entry.type}`;
      return this.fail(invalid(`entry "${rawPath}" is ${what}: only regular files and folders are allowed`));
    }
    // The header's size is only a claim; refusing a large claim early saves reading it.
    if (entry.size > this.#limits.maxFileBytes) return this.fail(this.#tooLarge(rawPath));
    this.#collectFile(entry, rawPath, verdict.path);
  }

  onIgnoredEntry(entry: ReadEntry): void {
    this.fail(invalid(`entry "${entry.path}" has an unsupported type (${entry.header.type ?? 'unknown'})`));
  }

  #tooLarge(rawPath: string): BazaarError {
    return invalid(`file "${rawPath}" is larger than ${this.#limits.maxFileBytes} bytes`);
  }

  #collectFile(entry: ReadEntry, rawPath: string, path: string): void {
    const chunks: Buffer[] = [];
    let size = 0;
    entry.on('data', (chunk: Buffer) => {
      if (this.#failure !== undefined) return;
      size += chunk.length;
      this.#fileBytes += chunk.length;
      if (size > this.#limits.maxFileBytes) return this.fail(this.#tooLarge(rawPath));
      if (this.#fileBytes > this.#limits.maxUnpackedBytes) {
        return this.fail(invalid(`the archive unpacks to more than ${this.#limits.maxUnpackedBytes} bytes (at "${rawPath}")`));
      }
      chunks.push(chunk);
    });
    entry.on('end', () => {
      if (this.#failure === undefined) this.entries.push({ rawPath, path, kind: 'file', data: Buffer.concat(chunks, size) });
    });
  }
}

/** Inflates the one gzip member into the tar stream, counting every decompressed byte. */
async function inflateTar(bytes: Buffer, limits: PackageLimits): Promise<Buffer> {
  // Padding and metadata never count as file bytes, so the raw stream gets its own cap.
  const maxStreamBytes = limits.maxUnpackedBytes + tarOverheadBytes(limits);
  const chunks: Buffer[] = [];
  let streamBytes = 0;
  for await (const chunk of inflateSingleMember(bytes)) {
    // tar's parser would silently decompress a gzip inside the gzip: an unmetered second layer.
    if (streamBytes === 0 && chunk[0] === 0x1f) throw invalid('the archive is compressed twice');
    streamBytes += chunk.length;
    // Leaving the loop stops the inflation: the rest is never decompressed.
    if (streamBytes > maxStreamBytes) throw invalid(`the archive decompresses to more than ${maxStreamBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, streamBytes);
}

/** Parses the framed tar stream with tar's parser, judging each entry. */
async function parseEntries(tar: Buffer, limits: PackageLimits): Promise<EntryCollector> {
  const collector = new EntryCollector(limits);
  const parser = new Parser({
    zstd: false, // the outer layer is gzip (package-gzip.ts); a second one is refused by inflateTar
    maxMetaEntrySize: MAX_EXTENSION_BYTES,
    onwarn: (_code: string, message: string | Error) => {
      collector.fail(invalid(`the tar stream is damaged: ${message instanceof Error ? message.message : message}`));
    },
  });
  // Unrecoverable parser failures arrive as 'error', not 'warn'; unheard, they would throw.
  parser.on('error', (err: Error) => collector.fail(invalid(`the tar stream is damaged: ${err.message}`)));
  parser.on('entry', (entry: ReadEntry) => collector.onEntry(entry));
  parser.on('ignoredEntry', (entry: ReadEntry) => collector.onIgnoredEntry(entry));
  const ended = new Promise<void>((resolve) => {
    parser.once('end', resolve);
    parser.once('abort', () => resolve());
  });
  // One write: the parser then sees each extension header's body whole, never a UTF-8 sequence cut in two.
  parser.end(tar);
  await ended;
  return collector;
}

/** The parser must have read exactly the entries the framing framed, in order. */
function compareReadings(framed: readonly FramedEntry[], parsed: readonly FramedEntry[]): void {
  const count = Math.max(framed.length, parsed.length);
  for (let i = 0; i < count; i++) {
    const a = framed[i];
    const b = parsed[i];
    if (a?.path !== b?.path || a?.type !== b?.type || a?.size !== b?.size) {
      const show = (e: FramedEntry | undefined) => (e === undefined ? 'nothing' : `"${e.path}" (${e.type}, ${e.size} bytes)`);
      throw invalid(`two tar readers read this archive differently: entry ${i + 1} is ${show(a)} to one and ${show(b)} to the other`);
    }
  }
}

/** Decompresses, frames and parses the tar stream; answers the accepted entries. */
async function readEntries(bytes: Buffer, limits: PackageLimits): Promise<PackageEntry[]> {
  const tar = await inflateTar(bytes, limits);
  const framed = frameTarStream(tar);
  const collector = await parseEntries(tar, limits);
  if (collector.failure !== undefined) throw collector.failure;
  compareReadings(framed, collector.seen);
  return collector.entries;
}

/**
 * Reads and validates a plugin package (.tgz) entirely in memory, enforcing
 * every rule of docs/plugins.md "The package".
 *
 * @throws BazaarError `invalid_package` naming the entry and the rule broken,
 *   or `invalid_manifest` with the manifest validator's issues as `details`.
 */
export async function readPackageArchive(input: PackageInput, limits: PackageLimits = DEFAULT_PACKAGE_LIMITS): Promise<PluginPackage> {
  const { bytes, sha256 } = await readCompressed(input, limits);
  const entries = await readEntries(bytes, limits);
  return assemblePackage(entries, { sha256, compressedBytes: bytes.length });
}
