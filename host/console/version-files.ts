/**
 * The code of a plugin version, as text for a reviewer to read (the console's
 * "code" panel): `GET /v1/plugins/:name/versions/:version/files`.
 *
 * Visibility is the tarball route's (the catalog decides; 404 for what the
 * viewer may not see). The stored package is read back with the same reader
 * and limits as at publish, so only paths and UTF-8 text that passed publish
 * come out. The answer is capped (per file and in total) so that a 20 MiB
 * package cannot become a 20 MiB JSON answer: truncated files say so.
 */
import type { Actor } from '../../marketplace/actor.js';
import { readPackageArchive, type PackageLimits } from '../../marketplace/package-archive.js';
import type { PluginCatalog } from '../../marketplace/plugin-catalog.js';

/** How much source one answer carries. */
export interface FileCaps {
  /** Characters of any one file. */
  readonly maxFileChars: number;
  /** Characters of all files together. */
  readonly maxTotalChars: number;
}

export const DEFAULT_FILE_CAPS: FileCaps = Object.freeze({ maxFileChars: 256 * 1024, maxTotalChars: 1024 * 1024 });

export interface VersionFile {
  readonly path: string;
  /** The file's full size in UTF-8 bytes. */
  readonly bytes: number;
  /** The text, possibly cut at the caps (then `truncated`). */
  readonly content: string;
  readonly truncated: boolean;
}

export interface VersionFiles {
  readonly name: string;
  readonly version: string;
  readonly sha256: string;
  readonly files: VersionFile[];
  /** True when any file was cut or left empty because of the caps. */
  readonly truncated: boolean;
}

export interface VersionFilesDeps {
  readonly catalog: PluginCatalog;
  readonly packageLimits: PackageLimits;
  readonly caps?: FileCaps;
}

/** Reads a visible version's files; manifest.json first, then the rest by path. */
export class VersionFileReader {
  readonly #deps: VersionFilesDeps;

  constructor(deps: VersionFilesDeps) {
    this.#deps = deps;
  }

  async read(viewer: Actor, name: string, version: string): Promise<VersionFiles> {
    const caps = this.#deps.caps ?? DEFAULT_FILE_CAPS;
    const { record, bytes } = await this.#deps.catalog.tarball(viewer, name, version);
    const pkg = await readPackageArchive(bytes, this.#deps.packageLimits);
    const paths = Object.keys(pkg.files).sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
    let left = caps.maxTotalChars;
    const files = paths.map((path): VersionFile => {
      const text = pkg.files[path] ?? '';
      const room = Math.max(0, Math.min(caps.maxFileChars, left));
      const content = text.length > room ? text.slice(0, room) : text;
      left -= content.length;
      return { path, bytes: Buffer.byteLength(text), content, truncated: content.length < text.length };
    });
    return { name: record.name, version: record.version, sha256: record.sha256, files, truncated: files.some((f) => f.truncated) };
  }
}

/** The manifest first: it says what the code is meant to do. */
function rank(path: string): number {
  return path === 'manifest.json' ? 0 : 1;
}
