/**
 * Packs a plugin folder into the deterministic .tgz the host would accept, for
 * `bazaar pack` and local runs. Determinism (sorted entries, fixed mtime, mode
 * and owner, fixed gzip header) makes the SHA-256 a function of the files
 * alone, so the same folder always has the same content address. What is
 * left out (defaults and `.bazaarignore`) is package-ignore.ts.
 */
import { lstat, readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { Header, Pax } from 'tar';
import { BazaarError } from '../manifests/errors.js';
import type { PluginPackage } from './package-contents.js';
import { IGNORE_FILE, IgnoreRules } from './package-ignore.js';
import { DEFAULT_PACKAGE_LIMITS, type PackageLimits } from './package-limits.js';
import { PACKAGE_ROOT_FOLDER, normaliseEntryPath } from './package-paths.js';
import { readPackageArchive } from './package-tar-reader.js';


/** The date npm pack stamps on every entry; any fixed date would do. */
const FIXED_MTIME = new Date('1985-10-26T08:15:00.000Z');
const BLOCK = 512;
/** gzip header byte 9 is the OS that wrote it; pinning it keeps hashes equal across platforms. */
const GZIP_OS_BYTE = 9;
const GZIP_OS_UNIX = 3;

interface DiskFile {
  path: string;
  data: Buffer;
}

function invalid(message: string): BazaarError<'invalid_package'> {
  return new BazaarError('invalid_package', message);
}

/** The folder's ignore rules: the defaults, and its `.bazaarignore` if it has one. */
async function ignoreRulesOf(root: string): Promise<IgnoreRules> {
  const text = await readFile(path.join(root, IGNORE_FILE), 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return '';
    throw invalid(`cannot read ${IGNORE_FILE}: ${err.message}`);
  });
  return new IgnoreRules(text);
}

/** Collects the folder's files with the reader's rules, refusing links and special files. */
async function collectFiles(root: string, limits: PackageLimits): Promise<DiskFile[]> {
  const ignore = await ignoreRulesOf(root);
  const files: DiskFile[] = [];
  let totalBytes = 0;
  const pending = [''];
  for (let folder = pending.pop(); folder !== undefined; folder = pending.pop()) {
    const names = (await readdir(path.join(root, folder))).sort();
    for (const name of names) {
      const relative = folder === '' ? name : `${folder}/${name}`;
      const stats = await lstat(path.join(root, relative));
      // Left out before any check: what is not packed cannot make the package invalid.
      if (ignore.ignores(relative, stats.isDirectory())) continue;
      const verdict = normaliseEntryPath(relative);
      if (!verdict.ok) throw invalid(`"${relative}" ${verdict.rule}`);
      if (stats.isSymbolicLink()) throw invalid(`"${relative}" is a symbolic link: only regular files and folders are allowed`);
      if (stats.isDirectory()) {
        pending.push(relative);
        continue;
      }
      if (!stats.isFile()) throw invalid(`"${relative}" is not a regular file: only regular files and folders are allowed`);
      if (files.length + 1 > limits.maxEntries) throw invalid(`the folder has more than ${limits.maxEntries} files`);
      if (stats.size > limits.maxFileBytes) throw invalid(`file "${relative}" is larger than ${limits.maxFileBytes} bytes`);
      const data = await readFile(path.join(root, relative));
      totalBytes += data.length;
      if (totalBytes > limits.maxUnpackedBytes) throw invalid(`the files add up to more than ${limits.maxUnpackedBytes} bytes`);
      files.push({ path: verdict.path, data });
    }
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** One tar entry: a pax header when the path does not fit ustar, the header, the padded body. */
function tarEntry(file: DiskFile): Buffer[] {
  const entryPath = `${PACKAGE_ROOT_FOLDER}/${file.path}`;
  const header = new Header({
    path: entryPath,
    mode: 0o644,
    uid: 0,
    gid: 0,
    uname: '',
    gname: '',
    size: file.data.length,
    mtime: FIXED_MTIME,
    type: 'File',
  });
  const block = Buffer.alloc(BLOCK);
  const needsPax = header.encode(block, 0);
  const parts: Buffer[] = needsPax ? [new Pax({ path: entryPath }).encode(), block] : [block];
  parts.push(file.data, Buffer.alloc((BLOCK - (file.data.length % BLOCK)) % BLOCK));
  return parts;
}

/** A packed folder: the .tgz, the package read back from it, and what went in. */
export interface PackedDirectory {
  readonly tgz: Buffer;
  readonly pkg: PluginPackage;
  /** Every file packed, by path (relative to the package root), with its size in bytes. */
  readonly files: readonly { readonly path: string; readonly bytes: number }[];
}

async function packAndRead(dir: string, limits: PackageLimits): Promise<PackedDirectory> {
  const stats = await lstat(dir).catch(() => undefined);
  if (!stats?.isDirectory()) throw invalid(`"${dir}" is not a folder`);
  const files = await collectFiles(dir, limits);
  // Two zero blocks end a tar archive.
  const tar = Buffer.concat([...files.flatMap(tarEntry), Buffer.alloc(2 * BLOCK)]);
  const tgz = gzipSync(tar, { level: 9 });
  tgz[GZIP_OS_BYTE] = GZIP_OS_UNIX;
  if (tgz.length > limits.maxCompressedBytes) throw invalid(`the package is larger than ${limits.maxCompressedBytes} bytes (compressed)`);
  // Reading our own output back applies every host rule (manifest, main, imports) in one place.
  const pkg = await readPackageArchive(tgz, limits);
  return { tgz, pkg, files: files.map((f) => ({ path: f.path, bytes: f.data.length })) };
}

/**
 * Packs a plugin folder into a deterministic .tgz (entries sorted, under
 * `package/`, fixed mtime/mode/owner), refusing anything the host would refuse.
 *
 * @throws BazaarError `invalid_package` or `invalid_manifest`.
 */
export async function packDirectory(dir: string, limits: PackageLimits = DEFAULT_PACKAGE_LIMITS): Promise<Buffer> {
  return (await packAndRead(dir, limits)).tgz;
}

/** Like packDirectory, with the package read back and the list of the files that went in (`bazaar pack`). */
export async function packDirectoryListing(dir: string, limits: PackageLimits = DEFAULT_PACKAGE_LIMITS): Promise<PackedDirectory> {
  return packAndRead(dir, limits);
}

/**
 * Reads a plugin folder with the same rules as an upload (for local development);
 * `sha256` is that of the tarball `packDirectory` produces.
 */
export async function readPackageDirectory(dir: string, limits: PackageLimits = DEFAULT_PACKAGE_LIMITS): Promise<PluginPackage> {
  return (await packAndRead(dir, limits)).pkg;
}
