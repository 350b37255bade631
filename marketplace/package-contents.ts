/**
 * What a package must contain once its archive has been read: one layout,
 * unique paths, UTF-8 text, a valid manifest.json and its `main`. Shared by the
 * upload reader and the directory packer, so both judge the same way.
 */
import { BazaarError } from '../manifests/errors.js';
import { parseManifest } from '../manifests/manifest-validator.js';
import type { PluginManifest } from '../manifests/plugin-manifest.schema.js';
import { checkModuleImports } from './package-imports.js';
import { PACKAGE_ROOT_FOLDER, parentFolders } from './package-paths.js';

/** A validated plugin package, read entirely into memory. */
export interface PluginPackage {
  /** SHA-256 (hex) of the .tgz bytes: the package's content address. */
  readonly sha256: string;
  readonly compressedBytes: number;
  /** Sum of the file sizes, as counted while reading. */
  readonly unpackedBytes: number;
  readonly manifest: PluginManifest;
  /**
   * Every file, relative POSIX path (without `package/`) → UTF-8 text.
   * A frozen object with no prototype, so a file named `constructor` or
   * `__proto__` is just a key.
   */
  readonly files: Readonly<Record<string, string>>;
}

/** One tar entry whose own path and type were already accepted. */
export interface PackageEntry {
  /** The path as written in the archive, for error messages. */
  readonly rawPath: string;
  /** Normalised by `normaliseEntryPath`. */
  readonly path: string;
  readonly kind: 'file' | 'directory';
  /** File contents (empty for folders). */
  readonly data: Buffer;
}

/** The archive's identity, computed while it was read. */
export interface ArchiveFacts {
  readonly sha256: string;
  readonly compressedBytes: number;
}

const MANIFEST_FILE = 'manifest.json';
const utf8 = new TextDecoder('utf-8', { fatal: true });

function invalid(message: string): BazaarError<'invalid_package'> {
  return new BazaarError('invalid_package', message);
}

function isUnderPackageFolder(entry: PackageEntry): boolean {
  return entry.path.startsWith(`${PACKAGE_ROOT_FOLDER}/`) || (entry.path === PACKAGE_ROOT_FOLDER && entry.kind === 'directory');
}

/** Strips `package/` when every entry is under it; refuses archives that mix both layouts. */
function relativeToRoot(entries: readonly PackageEntry[]): PackageEntry[] {
  const inside = entries.find((e) => e.path !== '' && isUnderPackageFolder(e));
  const outside = entries.find((e) => e.path !== '' && !isUnderPackageFolder(e));
  if (inside === undefined) return [...entries];
  if (outside !== undefined) {
    throw invalid(
      `entries "${inside.rawPath}" and "${outside.rawPath}" mix two layouts: ` +
        `put everything either at the archive root or under "${PACKAGE_ROOT_FOLDER}/"`,
    );
  }
  return entries.map((e) => ({ ...e, path: e.path === PACKAGE_ROOT_FOLDER ? '' : e.path.slice(PACKAGE_ROOT_FOLDER.length + 1) }));
}

/** Refuses two entries for one path, and a file used as a folder. */
function indexByPath(entries: readonly PackageEntry[]): Map<string, PackageEntry> {
  const byPath = new Map<string, PackageEntry>();
  for (const entry of entries) {
    if (entry.path === '') {
      if (entry.kind === 'file') throw invalid(`entry "${entry.rawPath}" is a file without a name`);
      continue; // the root folder itself
    }
    const previous = byPath.get(entry.path);
    if (previous !== undefined) {
      throw invalid(`entries "${previous.rawPath}" and "${entry.rawPath}" are the same path "${entry.path}" (duplicate paths)`);
    }
    byPath.set(entry.path, entry);
  }
  for (const entry of byPath.values()) {
    for (const folder of parentFolders(entry.path)) {
      const holder = byPath.get(folder);
      if (holder?.kind === 'file') throw invalid(`entry "${entry.rawPath}" is inside "${holder.rawPath}", which is a file`);
    }
  }
  return byPath;
}

function decodeFiles(byPath: Map<string, PackageEntry>): { files: Record<string, string>; unpackedBytes: number } {
  const files: Record<string, string> = Object.create(null) as Record<string, string>;
  let unpackedBytes = 0;
  for (const [path, entry] of [...byPath].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (entry.kind !== 'file') continue;
    unpackedBytes += entry.data.length;
    try {
      files[path] = utf8.decode(entry.data);
    } catch {
      throw invalid(`file "${entry.rawPath}" is not UTF-8 text (packages hold only text files)`);
    }
  }
  return { files, unpackedBytes };
}

/**
 * Validates the entries of an archive as a whole and returns the package.
 * Throws `invalid_package` naming the entry and the rule, or `invalid_manifest`
 * with the validator's issues as `details`.
 */
export function assemblePackage(entries: readonly PackageEntry[], facts: ArchiveFacts): PluginPackage {
  const byPath = indexByPath(relativeToRoot(entries));
  const { files, unpackedBytes } = decodeFiles(byPath);
  const manifestText = files[MANIFEST_FILE];
  if (manifestText === undefined) {
    throw invalid(`${MANIFEST_FILE} is missing: it must be at the archive root or directly under "${PACKAGE_ROOT_FOLDER}/"`);
  }
  const validation = parseManifest(manifestText);
  if (!validation.valid) {
    const first = validation.issues[0];
    const summary = first ? ` (${first.path || '/'} ${first.message})` : '';
    throw new BazaarError('invalid_manifest', `${MANIFEST_FILE} is invalid${summary}`, validation.issues);
  }
  const { manifest } = validation;
  if (files[manifest.main] === undefined) {
    throw invalid(`the manifest's main "${manifest.main}" is not a file of the package`);
  }
  checkModuleImports(files, manifest.main);
  return Object.freeze({ ...facts, unpackedBytes, manifest, files: Object.freeze(files) });
}
